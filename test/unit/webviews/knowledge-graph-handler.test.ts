import assert from 'node:assert/strict';
import { GovernanceEvents } from '../../../src/core/events';
import { GovernanceService } from '../../../src/core/governance';
import { KnowledgeGraph } from '../../../src/knowledge/knowledge';
import { openStore } from '../../../src/store/store';
import type { Store } from '../../../src/store/types';
import { HttpGovernanceClient } from '../../../src/client/http';
import { KnowledgeGraphHandler, REMOTE_GRAPH_NOTE, REMOTE_PAGE_SIZE } from '../../../src/vscode/panels/knowledge-graph-handler';
import { type KgHostMessage } from '../../../src/webviews/knowledge-graph/protocol';
import { parseKgPageMessage } from '../../../src/webviews/knowledge-graph/schema';
import { startTestServer, type TestServer } from '../../helpers/governance-server';
import { manualClock, useTempDir } from '../store/temp-dir';
import { panelClient } from './panel-client';

type GraphMessage = Extract<KgHostMessage, { type: 'graph' }>;

describe('Knowledge graph panel handler (real SQLite store)', () => {
  const dir = useTempDir('cg-kg-panel-');
  let store: Store;
  let data: { governance: GovernanceService; knowledge: KnowledgeGraph; events: GovernanceEvents };
  let client: ReturnType<typeof panelClient>;
  let posted: KgHostMessage[];
  let handler: KnowledgeGraphHandler;

  beforeEach(async () => {
    store = await openStore(dir());
    const events = new GovernanceEvents();
    const clock = manualClock();
    const tick = () => {
      clock.advance(1000);
      return clock.now();
    };
    data = { governance: new GovernanceService(store, events, tick), knowledge: new KnowledgeGraph(store, events, tick), events };
    client = panelClient({ ...data, store });
    posted = [];
    handler = new KnowledgeGraphHandler(() => client, (m) => posted.push(m), { pageSize: 150, cap: 300, staleDelayMs: 10 });
  });
  afterEach(async () => {
    handler.dispose();
    await store.close();
  });

  const graphs = () => posted.filter((m): m is GraphMessage => m.type === 'graph');
  const last = <T extends KgHostMessage['type']>(type: T) => posted.filter((m) => m.type === type).at(-1) as Extract<KgHostMessage, { type: T }>;

  async function seed(count: number, agent = 'agent-a'): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const d = await data.knowledge.store({ agentId: agent, discoveryType: i % 2 ? 'insight' : 'bug_found', summary: `finding ${i} about caching`, tags: [i % 3 ? 'cache' : 'db'] });
      ids.push(d.id);
    }
    return ids;
  }

  it('answers ready with discoveries, their agents, authorship and related_to edges', async () => {
    const a = await data.knowledge.store({ agentId: 'alice', discoveryType: 'question', summary: 'Why is the build slow?' });
    const b = await data.knowledge.store({ agentId: 'bob', discoveryType: 'answer', summary: 'The cache is cold', relatedTo: [a.id] });
    await handler.handle({ type: 'ready' });
    const g = last('graph');
    assert.equal(g.append, false);
    assert.deepEqual(g.nodes.map((n) => n.id).sort(), [a.id, b.id, 'agent:alice', 'agent:bob'].sort());
    const rel = g.edges.map((e) => `${e.source}>${e.relation}>${e.target}`).sort();
    assert.deepEqual(rel, [`${b.id}>related_to>${a.id}`, `agent:alice>authored>${a.id}`, `agent:bob>authored>${b.id}`].sort());
    assert.equal(g.total, 2);
    assert.equal(g.hasMore, false);
    assert.deepEqual(g.facets.agents, ['alice', 'bob']);
    assert.deepEqual(g.facets.types, ['answer', 'question']);
  });

  it('loads in pages, links a new page to nodes shown earlier, and stops at the cap with a notice', async () => {
    const ids = await seed(400);
    // The oldest discovery gets linked from the newest: the edge shows up only once both are loaded.
    await data.knowledge.link({ fromId: ids[399]!, toId: ids[0]! });
    await handler.handle({ type: 'ready' });
    let g = last('graph');
    assert.equal(g.loaded, 150);
    assert.equal(g.total, 400);
    assert.equal(g.hasMore, true);
    assert.ok(!g.edges.some((e) => e.relation === 'related_to'));
    await handler.handle({ type: 'loadMore' });
    g = last('graph');
    assert.equal(g.append, true);
    assert.equal(g.loaded, 300);
    assert.equal(g.hasMore, false, 'the cap of 300 is reached');
    assert.equal(g.capped, true);
    assert.equal(new Set(graphs().flatMap((m) => m.nodes.map((n) => n.id))).size, 301, '300 discoveries + 1 agent, none repeated');
  });

  it('shows the edge between a later page and an earlier one exactly once', async () => {
    const ids = await seed(200);
    await data.knowledge.link({ fromId: ids[199]!, toId: ids[10]!, relation: 'answers' });
    await handler.handle({ type: 'ready' });
    await handler.handle({ type: 'loadMore' });
    const answers = graphs().flatMap((m) => m.edges).filter((e) => e.relation === 'answers');
    assert.deepEqual(answers.map((e) => [e.source, e.target]), [[ids[199], ids[10]]]);
  });

  it('searches and filters through the host (query, agent, type, tag)', async () => {
    await seed(20, 'agent-a');
    await data.knowledge.store({ agentId: 'agent-b', discoveryType: 'pattern', summary: 'Retry with jitter avoids thundering herds', tags: ['network'] });
    await handler.handle({ type: 'ready' });
    await handler.handle({ type: 'search', filters: { query: 'jitter' } });
    let g = last('graph');
    assert.deepEqual(g.nodes.filter((n) => n.kind === 'discovery').map((n) => n.label), ['Retry with jitter avoids thundering herds']);
    assert.deepEqual(g.facets.agents, ['agent-a', 'agent-b'], 'the filter choices survive a narrow search');
    await handler.handle({ type: 'search', filters: { query: '', agentId: 'agent-a', discoveryType: 'insight', tag: 'db' } });
    g = last('graph');
    const shown = g.nodes.filter((n) => n.kind === 'discovery');
    assert.ok(shown.length > 0);
    assert.ok(shown.every((n) => n.agentId === 'agent-a' && n.discoveryType === 'insight' && n.tags?.includes('db')));
    assert.deepEqual(g.filters, { query: '', agentId: 'agent-a', discoveryType: 'insight', tag: 'db' });
  });

  it('returns a discovery\'s details with its edges both ways', async () => {
    const a = await data.knowledge.store({ agentId: 'alice', discoveryType: 'question', summary: 'Q', details: 'long text' });
    const b = await data.knowledge.store({ agentId: 'bob', discoveryType: 'answer', summary: 'A', relatedTo: [a.id] });
    await handler.handle({ type: 'details', id: a.id });
    const d = last('details').details;
    assert.equal(d.details, 'long text');
    assert.deepEqual(d.edges, [{ direction: 'in', id: b.id, relation: 'related_to', summary: 'A' }]);
  });

  it('reports an unknown discovery, a bad message and a stopped server as errors to the page', async () => {
    await handler.handle({ type: 'details', id: 'nope' });
    assert.match(last('error').message, /No discovery with id "nope"/);
    await handler.handle({ type: 'search', filters: { query: 5 } });
    assert.match(last('error').message, /Knowledge graph panel: invalid message from the page \(filters\.query/);
    const stopped = new KnowledgeGraphHandler(() => undefined, (m) => posted.push(m));
    await stopped.handle({ type: 'ready' });
    assert.match(last('error').message, /not running/);
  });

  it('tells the page when discoveries were stored after it loaded (coalesced)', async () => {
    await handler.handle({ type: 'ready' });
    await seed(3);
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(posted.filter((m) => m.type === 'stale'), [{ type: 'stale', newDiscoveries: 3 }]);
  });

  it('says nothing about new discoveries that a search run meanwhile already shows', async () => {
    const slow = new KnowledgeGraphHandler(() => client, (m) => posted.push(m), { staleDelayMs: 300 });
    try {
      await slow.handle({ type: 'ready' });
      await seed(2);
      await slow.handle({ type: 'search', filters: { query: '' } });
      assert.equal(last('graph').loaded, 2);
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(posted.filter((m) => m.type === 'stale'), []);
    } finally {
      slow.dispose();
    }
  });

  it('applies a search from the show command: before ready it replaces the restored filters, after it goes through the page', async () => {
    await seed(5);
    handler.apply({ query: 'finding', tag: 'db' });
    await handler.handle({ type: 'ready', filters: { query: 'restored' } });
    assert.deepEqual(last('graph').filters, { query: 'finding', tag: 'db' });
    handler.apply({ query: 'caching' });
    assert.deepEqual(posted.at(-1), { type: 'apply', filters: { query: 'caching' } });
    assert.throws(() => handler.apply({ query: 'x', color: 'red' }), /color/);
  });

  it('resolves a render wait with what the page drew', async () => {
    await seed(3);
    await handler.handle({ type: 'ready' });
    const wait = handler.nextRender(1000);
    await handler.handle({ type: 'rendered', nodes: 4, ms: 12 });
    assert.deepEqual(await wait, { nodes: 4, ms: 12, loaded: 3, total: 3, filters: { query: '' }, renders: 1 });
    assert.equal(handler.lastRender()?.renders, 1);
    await assert.rejects(handler.nextRender(20), /did not finish drawing within 20 ms/);
  });

  it('forwards the page\'s render timing', async () => {
    const reports: [number, number][] = [];
    const timed = new KnowledgeGraphHandler(() => client, () => undefined, { onRendered: (n, ms) => reports.push([n, ms]) });
    await timed.handle({ type: 'rendered', nodes: 12, ms: 34.5 });
    assert.deepEqual(reports, [[12, 34.5]]);
  });
});

describe('Knowledge graph protocol', () => {
  it('accepts the page messages and fills defaults', () => {
    assert.deepEqual(parseKgPageMessage({ type: 'search', filters: {} }), { type: 'search', filters: { query: '' } });
    assert.deepEqual(parseKgPageMessage({ type: 'loadMore' }), { type: 'loadMore' });
  });
  it('rejects unknown types and extra fields, naming them', () => {
    assert.throws(() => parseKgPageMessage({ type: 'drop' }), /type/);
    assert.throws(() => parseKgPageMessage({ type: 'loadMore', extra: 1 }), /extra/);
    assert.throws(() => parseKgPageMessage({ type: 'details', id: '' }), /id/);
    assert.throws(() => parseKgPageMessage(null), /invalid message/);
  });
});

describe('Knowledge graph panel handler over HTTP (the server of another window)', () => {
  let srv: TestServer;
  beforeEach(async () => {
    srv = await startTestServer();
  });
  afterEach(async () => {
    await srv.stop();
  });

  it('pages by 50 (each discovery costs one details call), links them, says where it reads from, and counts discoveries stored since', async () => {
    let previous: string | undefined;
    for (let i = 0; i < 60; i++) previous = (await srv.server.app.knowledge.store({ agentId: `a${i % 3}`, discoveryType: 'note', summary: `remote ${i}`, relatedTo: previous && i === 59 ? [previous] : [] })).id;
    const client = new HttpGovernanceClient(srv.url, () => Promise.resolve(srv.token), { pollMs: 30 });
    const posted: KgHostMessage[] = [];
    const handler = new KnowledgeGraphHandler(() => client, (m) => posted.push(m), { staleDelayMs: 10 });
    try {
      await handler.handle({ type: 'ready' });
      const g = posted.find((m): m is GraphMessage => m.type === 'graph')!;
      assert.deepEqual([g.loaded, g.total, g.hasMore, g.note], [REMOTE_PAGE_SIZE, 60, true, REMOTE_GRAPH_NOTE]);
      assert.equal(g.edges.filter((e) => e.relation === 'related_to').length, 1);
      await new Promise((r) => setTimeout(r, 100)); // the poll's baseline
      await srv.server.app.knowledge.store({ agentId: 'a0', discoveryType: 'note', summary: 'later' });
      const deadline = Date.now() + 3000;
      while (!posted.some((m) => m.type === 'stale') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(posted.filter((m) => m.type === 'stale'), [{ type: 'stale', newDiscoveries: 1 }]);
    } finally {
      handler.dispose();
      client.dispose();
    }
  });
});
