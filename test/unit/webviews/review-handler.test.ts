import assert from 'node:assert/strict';
import { InProcessGovernanceClient } from '../../../src/client/in-process';
import { VSCODE_USER_AGENT, type GovernanceClient } from '../../../src/client/types';
import { ReviewPanelHandler } from '../../../src/vscode/panels/review-handler';
import type { ReviewHostMessage, ReviewSession } from '../../../src/webviews/review/protocol';
import { parseReviewPageMessage } from '../../../src/webviews/review/schema';
import { startTestServer, type TestServer } from '../../helpers/governance-server';

describe('Review panel handler (real in-process server)', function () {
  let srv: TestServer;
  let client: InProcessGovernanceClient;
  let posted: ReviewHostMessage[];
  let titles: string[];
  const handlers: ReviewPanelHandler[] = [];

  const source = (c: GovernanceClient | undefined) => ({ current: c, onDidChangeClient: () => () => undefined });
  const make = (sessionId: string, c?: GovernanceClient | null) => {
    const h = new ReviewPanelHandler(sessionId, { clients: source(c === null ? undefined : (c ?? client)), post: (m) => posted.push(m), onTitle: (t) => titles.push(t) });
    handlers.push(h);
    return h;
  };
  const sessions = () => posted.flatMap((m) => (m.type === 'session' ? [m.review] : []));
  const last = <T extends ReviewHostMessage['type']>(type: T) => posted.filter((m) => m.type === type).at(-1) as Extract<ReviewHostMessage, { type: T }> | undefined;
  const until = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 3000;
    while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.ok(check(), what);
  };

  beforeEach(async () => {
    srv = await startTestServer();
    client = new InProcessGovernanceClient(srv.url, srv.server.app, { coalesceMs: 10 });
    posted = [];
    titles = [];
    for (const id of ['alice', 'bob', 'carol']) await srv.server.app.governance.processUpdate({ agentId: id, complexity: 0.1, confidence: 0.9, operation: 'warm up' });
  });
  afterEach(async () => {
    for (const h of handlers.splice(0)) h.dispose();
    client.dispose();
    await srv.stop();
  });

  async function openSlotReview(): Promise<string> {
    const r = await client.callTool('request_dialectic_review', {
      agent_id: 'alice',
      reviewer_mode: 'any',
      reason: 'Refactor the parser',
      auto_progress: true,
      root_cause: 'The change touched every module at once',
      proposed_conditions: ['Reduce complexity to 0.3'],
      reasoning: 'I went too fast.',
    });
    return r.session_id;
  }

  it('shows the session with its thesis, state, whose turn and deadlines, titles the tab, and reports what the page drew', async () => {
    const id = await openSlotReview();
    const h = make(id);
    await h.handle({ type: 'ready' });
    const r = sessions().at(-1)!;
    assert.deepEqual([r.sessionId, r.requesterId, r.reviewerId, r.openSlot, r.phase, r.nextActor, r.yourTurn, r.you], [id, 'alice', null, true, 'antithesis', 'any', 'antithesis', VSCODE_USER_AGENT]);
    assert.deepEqual(r.messages.map((m) => [m.phase, m.agentId, m.rootCause, m.proposedConditions, m.reasoning]), [['thesis', 'alice', 'The change touched every module at once', ['Reduce complexity to 0.3'], 'I went too fast.']]);
    assert.ok(r.deadlines.next && Date.parse(r.deadlines.next) > Date.now());
    assert.equal(r.reason, 'Refactor the parser');
    assert.deepEqual(titles, ['Review: alice']);
    const wait = h.nextRender(1000);
    await h.handle({ type: 'rendered', sessionId: id, phase: 'antithesis', messages: 1, yourTurn: 'antithesis' });
    assert.deepEqual(await wait, { sessionId: id, phase: 'antithesis', messages: 1, yourTurn: 'antithesis', renders: 1 });
  });

  it('a person steps into the open slot: the antithesis is stored as vscode-user and the session moves to synthesis', async () => {
    const id = await openSlotReview();
    const h = make(id);
    h.apply({ stepIn: true });
    await h.handle({ type: 'ready' });
    assert.ok(posted.some((m) => m.type === 'focus-form'), 'Step In brings the form into view once the page is ready');
    await h.handle({ type: 'submit', kind: 'antithesis', reasoning: '  Too many files in one step.  ', conditions: ['Reduce complexity to 0.3', 'Monitor for 24h'], concerns: ['No tests ran'], rootCause: 'Scope' });
    assert.deepEqual([last('submitted')?.ok, last('submitted')?.kind], [true, 'antithesis'], JSON.stringify(last('submitted')));
    const stored = await client.callTool('get_dialectic_session', { session_id: id });
    assert.deepEqual([stored.phase, stored.reviewer_agent_id], ['synthesis', VSCODE_USER_AGENT]);
    const anti = stored.transcript[1]!;
    assert.deepEqual([anti.agent_id, anti.reasoning, anti.proposed_conditions, anti.concerns, anti.root_cause], [VSCODE_USER_AGENT, 'Too many files in one step.', ['Reduce complexity to 0.3', 'Monitor for 24h'], ['No tests ran'], 'Scope']);
    const r = sessions().at(-1)!;
    assert.deepEqual([r.phase, r.reviewerId, r.nextActor, r.yourTurn, r.messages.length], ['synthesis', VSCODE_USER_AGENT, 'either', 'synthesis', 2]);
  });

  it('out of turn the server says why and nothing changes; a bad form names the field and nothing is sent', async () => {
    const named = await client.callTool('request_dialectic_review', { agent_id: 'carol', reviewer_agent_id: 'bob', reason: 'check', auto_progress: true });
    const h = make(named.session_id);
    await h.handle({ type: 'ready' });
    assert.equal(sessions().at(-1)!.yourTurn, null, "bob's turn, not the person's");
    await h.handle({ type: 'submit', kind: 'antithesis', reasoning: 'I review instead', conditions: [] });
    const refused = last('submitted')!;
    assert.equal(refused.ok, false);
    assert.match(refused.message, /antithesis/);
    assert.match(refused.message, /bob/);
    const stored = await client.callTool('get_dialectic_session', { session_id: named.session_id });
    assert.deepEqual([stored.phase, stored.reviewer_agent_id, stored.transcript.length], ['antithesis', 'bob', 1]);

    await h.handle({ type: 'submit', kind: 'antithesis', reasoning: '   ', conditions: [] });
    assert.match(last('error')!.message, /Review panel: invalid message from the page \(reasoning: write your reasoning first/);
    await h.handle({ type: 'submit', kind: 'synthesis', reasoning: 'ok', conditions: ['a', ' '] });
    assert.match(last('error')!.message, /conditions\.1: an empty condition/);
    assert.throws(() => h.apply({ stepin: true }), /stepin/);
    assert.equal((await client.callTool('get_dialectic_session', { session_id: named.session_id })).transcript.length, 1);
  });

  it('follows the review live and shows the resolution with its conditions and complexity cap when both sides agree', async () => {
    const id = await openSlotReview();
    const h = make(id);
    await h.handle({ type: 'ready' });
    await h.handle({ type: 'submit', kind: 'antithesis', reasoning: 'Split it up.', conditions: ['Reduce complexity to 0.3'] });
    const before = sessions().length;
    await client.callTool('submit_synthesis', { session_id: id, agent_id: 'alice', agrees: true, proposed_conditions: ['Reduce complexity to 0.3'], root_cause: 'The change touched every module at once', reasoning: 'Agreed' });
    await until(() => sessions().length > before && sessions().at(-1)!.messages.length === 3, 'the page gets the agent\'s synthesis without asking');
    assert.equal(sessions().at(-1)!.messages[2]!.agrees, true);
    await h.handle({ type: 'submit', kind: 'synthesis', reasoning: 'Agreed too', conditions: ['Reduce complexity to 0.3'], rootCause: 'The change touched every module at once', agrees: true });
    assert.equal(last('submitted')?.ok, true, JSON.stringify(last('submitted')));
    const r: ReviewSession = sessions().at(-1)!;
    assert.equal(r.phase, 'resolved');
    assert.deepEqual(r.resolution?.conditions, ['Reduce complexity to 0.3']);
    assert.equal(r.complexityCap, 0.3);
    assert.deepEqual([r.nextActor, r.yourTurn, r.deadlines.next], [null, null, null]);
  });

  it('nudges whoever must act, and reports a stopped server to the page', async () => {
    const named = await client.callTool('request_dialectic_review', { agent_id: 'carol', reviewer_agent_id: 'bob', reason: 'check', auto_progress: true });
    const h = make(named.session_id);
    await h.handle({ type: 'nudge', note: 'please look' });
    assert.deepEqual([last('nudged')?.ok, last('nudged')?.message.startsWith('Reminder recorded for bob')], [true, true], JSON.stringify(last('nudged')));
    assert.match(last('nudged')!.message, /submit_antithesis/);
    const stopped = make(named.session_id, null);
    await stopped.handle({ type: 'ready' });
    assert.match(last('error')!.message, /not running/);
    const unknown = make('nope');
    await unknown.handle({ type: 'ready' });
    assert.match(last('error')!.message, /nope/);
  });
});

describe('Review protocol', () => {
  it('accepts ready, submit, nudge and rendered; refuses unknown fields and types', () => {
    assert.deepEqual(parseReviewPageMessage({ type: 'ready', sessionId: 'abc' }), { type: 'ready', sessionId: 'abc' });
    assert.deepEqual(parseReviewPageMessage({ type: 'submit', kind: 'synthesis', reasoning: ' ok ', conditions: [' a '], agrees: true }), { type: 'submit', kind: 'synthesis', reasoning: 'ok', conditions: ['a'], agrees: true });
    assert.throws(() => parseReviewPageMessage({ type: 'submit', kind: 'thesis', reasoning: 'x', conditions: [] }), /kind/);
    assert.throws(() => parseReviewPageMessage({ type: 'nudge', who: 'x' }), /who/);
    assert.throws(() => parseReviewPageMessage({ type: 'submit', kind: 'antithesis', reasoning: 'x', conditions: Array.from({ length: 21 }, () => 'c') }), /conditions: at most 20 conditions/);
  });
});
