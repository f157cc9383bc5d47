import assert from 'node:assert/strict';
import { GovernanceEvents } from '../../../src/core/events';
import { GovernanceService } from '../../../src/core/governance';
import { KnowledgeGraph } from '../../../src/knowledge/knowledge';
import { openStore } from '../../../src/store/store';
import type { Store } from '../../../src/store/types';
import { HttpGovernanceClient } from '../../../src/client/http';
import { InProcessGovernanceClient } from '../../../src/client/in-process';
import { AgentDashboardHandler, REMOTE_DASHBOARD_NOTE } from '../../../src/vscode/panels/agent-dashboard-handler';
import { MAX_COMPARED, type DashboardHostMessage } from '../../../src/webviews/agent-dashboard/protocol';
import { parseDashboardPageMessage } from '../../../src/webviews/agent-dashboard/schema';
import { startTestServer, type TestServer } from '../../helpers/governance-server';
import { testDatabase } from '../../helpers/postgres';
import { manualClock, useTempDir } from '../store/temp-dir';
import { panelClient } from './panel-client';

describe('Agent dashboard panel handler (real SQLite store)', () => {
  const dir = useTempDir('cg-dash-panel-');
  let store: Store;
  let data: { governance: GovernanceService; knowledge: KnowledgeGraph; events: GovernanceEvents };
  let posted: DashboardHostMessage[];
  let handler: AgentDashboardHandler;
  let clock: ReturnType<typeof manualClock>;

  beforeEach(async () => {
    store = await openStore(dir());
    const events = new GovernanceEvents();
    clock = manualClock();
    data = { governance: new GovernanceService(store, events, clock.now), knowledge: new KnowledgeGraph(store, events, clock.now), events };
    const client = panelClient({ ...data, store });
    posted = [];
    handler = new AgentDashboardHandler(() => client, (m) => posted.push(m), { agentsDelayMs: 10 });
  });
  afterEach(async () => {
    handler.dispose();
    await store.close();
  });

  const last = <T extends DashboardHostMessage['type']>(type: T) => posted.filter((m) => m.type === type).at(-1) as Extract<DashboardHostMessage, { type: T }>;

  async function updates(agentId: string, complexities: number[]): Promise<void> {
    for (const complexity of complexities) {
      clock.advance(60_000);
      await data.governance.processUpdate({ agentId, complexity, confidence: 0.7, operation: `edit at ${complexity}` });
    }
  }

  it('answers ready with the agent list and the most recent agent\'s history, oldest first', async () => {
    await updates('alice', [0.2, 0.3]);
    await updates('bob', [0.4, 0.5, 0.6]);
    await handler.handle({ type: 'ready' });
    const agents = last('agents');
    assert.deepEqual(agents.agents.map((a) => [a.agentId, a.updateCount, a.lastAction]), [['bob', 3, 'PROCEED'], ['alice', 2, 'PROCEED']]);
    const series = last('series');
    assert.deepEqual(series.agentIds, ['bob']);
    assert.deepEqual(series.series[0]!.points.map((p) => p.operation), ['edit at 0.4', 'edit at 0.5', 'edit at 0.6']);
    const p = series.series[0]!.points[0]!;
    for (const k of ['E', 'I', 'S', 'V', 'risk_score', 'coherence'] as const) assert.equal(typeof p[k], 'number', k);
    assert.match(p.reason, /\S/);
  });

  it('restores a saved selection, dropping agents that no longer exist', async () => {
    await updates('alice', [0.2]);
    await updates('bob', [0.3]);
    await handler.handle({ type: 'ready', agentIds: ['alice', 'gone'] });
    assert.deepEqual(last('series').agentIds, ['alice']);
  });

  it('compares several agents on select', async () => {
    await updates('alice', [0.2, 0.9]);
    await updates('bob', [0.3]);
    await handler.handle({ type: 'ready' });
    await handler.handle({ type: 'select', agentIds: ['alice', 'bob'] });
    const s = last('series');
    assert.deepEqual(s.series.map((x) => [x.agentId, x.points.length]), [['alice', 2], ['bob', 1]]);
  });

  it('streams a new update of a shown agent as a point, and refreshes the list', async () => {
    await updates('alice', [0.2]);
    await handler.handle({ type: 'ready' });
    await updates('alice', [0.95]);
    await updates('carol', [0.1]);
    const points = posted.filter((m) => m.type === 'point');
    assert.equal(points.length, 1, 'carol is not shown');
    assert.equal(points[0]!.agentId, 'alice');
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(last('agents').agents.map((a) => a.agentId).sort(), ['alice', 'carol']);
  });

  it('applies a selection from the show command and resolves the render wait', async () => {
    await updates('alice', [0.2]);
    await updates('bob', [0.3]);
    handler.apply({ agentIds: ['alice', 'bob'] });
    await handler.handle({ type: 'ready', agentIds: ['bob'] });
    assert.deepEqual(last('series').agentIds, ['alice', 'bob']);
    handler.apply({ agentIds: ['bob'] });
    assert.deepEqual(posted.at(-1), { type: 'apply', agentIds: ['bob'] });
    const wait = handler.nextRender(1000);
    await handler.handle({ type: 'rendered', agentIds: ['bob'], points: 1 });
    assert.deepEqual(await wait, { agentIds: ['bob'], points: 1, renders: 1 });
    assert.throws(() => handler.apply({ agents: ['x'] }), /agents/);
  });

  it('reports an unknown agent, a bad message and a stopped server as errors to the page', async () => {
    await handler.handle({ type: 'select', agentIds: ['nobody'] });
    assert.match(last('error').message, /nobody/);
    await handler.handle({ type: 'select', agentIds: Array.from({ length: MAX_COMPARED + 1 }, (_, i) => `a${i}`) });
    assert.match(last('error').message, /Agent dashboard panel: invalid message from the page \(agentIds/);
    const stopped = new AgentDashboardHandler(() => undefined, (m) => posted.push(m));
    await stopped.handle({ type: 'ready' });
    assert.match(last('error').message, /not running/);
  });
});

describe('Agent dashboard protocol', () => {
  it('accepts ready with or without a restored selection', () => {
    assert.deepEqual(parseDashboardPageMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseDashboardPageMessage({ type: 'select', agentIds: ['a'] }), { type: 'select', agentIds: ['a'] });
  });
  it('rejects empty ids and unknown types', () => {
    assert.throws(() => parseDashboardPageMessage({ type: 'select', agentIds: [''] }), /agentIds\.0/);
    assert.throws(() => parseDashboardPageMessage({ type: 'zoom' }), /type/);
    assert.deepEqual(parseDashboardPageMessage({ type: 'openReview', sessionId: 'abc' }), { type: 'openReview', sessionId: 'abc' });
    assert.throws(() => parseDashboardPageMessage({ type: 'openReview', sessionId: '' }), /sessionId/);
  });
});

describe('Agent dashboard panel handler over HTTP (the server of another window)', () => {
  let srv: TestServer;
  beforeEach(async () => {
    srv = await startTestServer();
  });
  afterEach(async () => {
    await srv.stop();
  });

  it('lists the agents with a note on where it reads from, and streams new updates of the shown agent as points', async () => {
    await srv.server.app.governance.processUpdate({ agentId: 'remote', complexity: 0.3, confidence: 0.7, operation: 'first' });
    const client = new HttpGovernanceClient(srv.url, () => Promise.resolve(srv.token), { pollMs: 30 });
    const posted: DashboardHostMessage[] = [];
    const handler = new AgentDashboardHandler(() => client, (m) => posted.push(m), { agentsDelayMs: 10 });
    try {
      await handler.handle({ type: 'ready' });
      const agents = posted.find((m) => m.type === 'agents');
      assert.ok(agents?.type === 'agents');
      assert.deepEqual([agents.agents.map((a) => a.agentId), agents.note], [['remote'], REMOTE_DASHBOARD_NOTE]);
      await new Promise((r) => setTimeout(r, 100)); // the poll's baseline
      for (const op of ['second', 'third']) await srv.server.app.governance.processUpdate({ agentId: 'remote', complexity: 0.5, confidence: 0.7, operation: op });
      const deadline = Date.now() + 3000;
      while (posted.filter((m) => m.type === 'point').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const points = posted.flatMap((m) => (m.type === 'point' ? [m] : []));
      // One point per update, in order (the operation text comes along when a poll saw several).
      assert.deepEqual(points.map((m) => m.agentId), ['remote', 'remote']);
      assert.ok(points[0]!.point.at <= points[1]!.point.at, JSON.stringify(points));
      assert.ok(points.every((m) => typeof m.point.risk_score === 'number' && /^(PROCEED|PAUSE)$/.test(m.point.action)));
    } finally {
      handler.dispose();
      client.dispose();
    }
  });
});

describe('Agent dashboard: anomalies, peer reviews and similar agents (real in-process server)', () => {
  let srv: TestServer;
  let client: InProcessGovernanceClient;
  let posted: DashboardHostMessage[];
  let opened: string[];
  let handler: AgentDashboardHandler;
  const update = (agentId: string, complexity: number, confidence: number) => srv.server.app.governance.processUpdate({ agentId, complexity, confidence, operation: `work at ${complexity}` });
  const last = <T extends DashboardHostMessage['type']>(type: T) => posted.filter((m) => m.type === type).at(-1) as Extract<DashboardHostMessage, { type: T }>;

  beforeEach(async () => {
    srv = await startTestServer();
    client = new InProcessGovernanceClient(srv.url, srv.server.app, { coalesceMs: 10 });
    posted = [];
    opened = [];
    handler = new AgentDashboardHandler(() => client, (m) => posted.push(m), { agentsDelayMs: 10, openReview: (id) => opened.push(id) });
  });
  afterEach(async () => {
    handler.dispose();
    client.dispose();
    await srv.stop();
  });

  it('marks the anomalies detect_anomalies finds for the shown agents', async () => {
    for (let i = 0; i < 3; i++) await update('spiky', 0.1, 0.9);
    for (let i = 0; i < 3; i++) await update('spiky', 0.9, 0.5);
    await update('calm', 0.1, 0.9);
    await handler.handle({ type: 'ready', agentIds: ['spiky', 'calm'] });
    const s = last('series');
    assert.deepEqual(s.details.map((d) => [d.agentId, d.anomalies.map((a) => `${a.severity} ${a.type}`), d.review, d.status]), [
      ['spiky', ['medium risk_spike'], null, 'active'],
      ['calm', [], null, 'active'],
    ]);
    const spike = s.details[0]!.anomalies[0]!;
    assert.equal(spike.at, s.series[0]!.points.at(-1)!.at, 'the spike is dated at the latest update');
    assert.match(spike.description, /Risk increased from 0\.\d\d to 0\.\d\d/);
  });

  it('compares the first agent with similar ones (compare_me_to_similar), and says why there is no comparison', async () => {
    for (const id of ['twin-a', 'twin-b']) for (let i = 0; i < 3; i++) await update(id, 0.2, 0.8);
    await handler.handle({ type: 'ready', agentIds: ['twin-a'] });
    const c = last('series').comparison!;
    assert.equal(c.agentId, 'twin-a');
    assert.deepEqual(c.similar.map((x) => [x.agentId, x.status, x.updates]), [['twin-b', 'active', 3]]);
    assert.ok(c.similar[0]!.similarity > 0.95 && c.similar[0]!.similarity <= 1, String(c.similar[0]!.similarity));
    assert.match(c.message, /Found 1 similar agent/);
    await srv.server.app.governance.ensureAgent('silent');
    await handler.handle({ type: 'select', agentIds: ['silent'] });
    assert.match(last('series').comparison!.message, /^No comparison: /);
  });

  it('says a PAUSE is under peer review (list item, details), follows the review live, and opens its Review panel', async () => {
    await update('peer', 0.1, 0.9);
    let action = '';
    for (let i = 0; i < 20 && action !== 'PAUSE'; i++) action = (await update('stuck', 1, 0.05)).governance_decision.action;
    await srv.server.app.dialecticAutoReview.settled();
    await handler.handle({ type: 'ready', agentIds: ['stuck'] });
    assert.deepEqual(last('agents').agents.map((a) => [a.agentId, a.underReview]).sort(), [['peer', false], ['stuck', true]]);
    const d = last('series').details[0]!;
    assert.equal(d.status, 'paused');
    assert.equal(d.review?.phase, 'antithesis');
    // reviewer_mode auto: the healthy peer, or an open slot when it did not qualify.
    assert.ok(d.review?.reviewer === 'peer' || d.review?.reviewer === 'open slot', JSON.stringify(d.review));
    assert.ok(d.review.deadline && Date.parse(d.review.deadline) > Date.now());
    await handler.handle({ type: 'openReview', sessionId: d.review.sessionId });
    assert.deepEqual(opened, [d.review.sessionId]);

    const before = posted.length;
    await client.callTool('submit_antithesis', { session_id: d.review.sessionId, agent_id: 'peer', reasoning: 'Slow down', proposed_conditions: ['Reduce complexity to 0.3'] });
    const deadline = Date.now() + 3000;
    while (!posted.slice(before).some((m) => m.type === 'details' && m.details[0]?.review?.phase === 'synthesis') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const live = posted.slice(before).filter((m) => m.type === 'details').at(-1);
    assert.ok(live?.type === 'details' && live.details[0]?.review?.phase === 'synthesis', JSON.stringify(posted.slice(before)));
    assert.equal(live.details[0].review.turn, 'either side');
  });
});

describe('Agent dashboard on a PostgreSQL store shared with another server (team mode)', function () {
  this.timeout(180_000);
  let here: TestServer;
  let there: TestServer;

  before(async () => {
    const database = await testDatabase('dashboard_shared');
    here = await startTestServer({ database });
    there = await startTestServer({ database });
  });
  after(async () => {
    await here?.stop();
    await there?.stop();
  });

  it("a selected agent's updates through the other server reach its charts (the series is read again), local ones as live points", async () => {
    const client = new InProcessGovernanceClient(here.url, here.server.app, { coalesceMs: 10, sharedPollMs: 100 });
    const posted: DashboardHostMessage[] = [];
    const handler = new AgentDashboardHandler(() => client, (m) => posted.push(m), { agentsDelayMs: 10 });
    // The points the page holds: the last series read, plus the live points posted after it.
    const points = () => {
      const at = posted.findLastIndex((m) => m.type === 'series');
      const series = posted[at];
      const read = series?.type === 'series' ? (series.series[0]?.points.length ?? 0) : 0;
      return read + posted.slice(at + 1).filter((m) => m.type === 'point').length;
    };
    try {
      await here.server.app.governance.processUpdate({ agentId: 'shared', operation: 'here 1', complexity: 0.2 });
      await handler.handle({ type: 'ready', agentIds: ['shared'] });
      assert.equal(points(), 1);
      await there.server.app.governance.processUpdate({ agentId: 'shared', operation: 'there 1', complexity: 0.3 });
      await there.server.app.governance.processUpdate({ agentId: 'shared', operation: 'there 2', complexity: 0.4 });
      const deadline = Date.now() + 10_000;
      while (points() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(points(), 3, 'the two updates made through the other server');
      const reads = posted.filter((m) => m.type === 'series').length;
      await here.server.app.governance.processUpdate({ agentId: 'shared', operation: 'here 2', complexity: 0.2 });
      while (points() < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(points(), 4);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(posted.filter((m) => m.type === 'series').length, reads, 'a local update is a live point, not a new read');
    } finally {
      handler.dispose();
      client.dispose();
    }
  });
});
