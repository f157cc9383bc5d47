import assert from 'node:assert/strict';
import { HttpGovernanceClient } from '../../../../src/client/http';
import { InProcessGovernanceClient } from '../../../../src/client/in-process';
import { VSCODE_USER_AGENT } from '../../../../src/client/types';
import { loadAgents } from '../../../../src/vscode/views/agents-model';
import { duration, personTurn, timeLeft, turnText } from '../../../../src/vscode/views/review-text';
import { loadReviews, OPEN_REVIEW_COMMAND, REVIEW_CONTEXT } from '../../../../src/vscode/views/reviews-model';
import { reviewIdOf } from '../../../../src/vscode/views/targets';
import { startTestServer, type TestServer } from '../../../helpers/governance-server';

describe('views: Reviews model and the Agents view\'s reviews and anomalies (real server)', function () {
  let srv: TestServer;
  let client: InProcessGovernanceClient;
  const warm = (id: string) => srv.server.app.governance.processUpdate({ agentId: id, complexity: 0.1, confidence: 0.9, operation: 'warm up' });

  beforeEach(async () => {
    srv = await startTestServer();
    client = new InProcessGovernanceClient(srv.url, srv.server.app);
  });
  afterEach(async () => {
    client.dispose();
    await srv.stop();
  });

  it('shows nothing without a server or without open reviews (the welcome content explains)', async () => {
    assert.deepEqual(await loadReviews(undefined), { nodes: [] });
    assert.deepEqual(await loadReviews(client), { nodes: [], description: undefined });
  });

  it('lists open reviews: who asked, the reviewer or the open slot, the phase, whose turn, the time left; the person\'s turn and open slots stand out', async () => {
    for (const id of ['alice', 'bob', 'carol', 'dave']) await warm(id);
    // The person is an agent once they have acted (a stored discovery, a review): then agents may name them.
    await srv.server.app.governance.ensureAgent(VSCODE_USER_AGENT);
    const slot = await client.callTool('request_dialectic_review', { agent_id: 'alice', reviewer_mode: 'any', reason: 'risky refactor of the parser', auto_progress: true });
    const mine = await client.callTool('request_dialectic_review', { agent_id: 'bob', reviewer_agent_id: VSCODE_USER_AGENT, reason: 'please check', auto_progress: true });
    const theirs = await client.callTool('request_dialectic_review', { agent_id: 'carol', reviewer_agent_id: 'dave', reason: 'second opinion' });
    const now = Date.parse(slot.session.created_at);
    const content = await loadReviews(client, now);
    assert.equal(content.description, '3 open, 1 waiting on you, 1 open slot');
    const rows = new Map(content.nodes.map((n) => [n.target?.kind === 'review' ? n.target.sessionId : '', n]));

    const a = rows.get(slot.session_id)!;
    assert.equal(a.label, 'alice');
    assert.equal(a.description, 'reviewer open slot · antithesis · open to any reviewer · 2 h left');
    assert.equal(a.contextValue, `${REVIEW_CONTEXT}.openSlot`);
    assert.equal(a.icon?.id, 'person-add');
    assert.match(a.tooltip!, /\*\*alice\*\* asked for review: risky refactor of the parser/);
    assert.match(a.tooltip!, /you can step in as reviewer/);
    assert.match(a.tooltip!, /the session fails if nobody acts by then/);
    assert.deepEqual(a.command, { command: OPEN_REVIEW_COMMAND, title: 'Open Review', arguments: [{ kind: 'review', sessionId: slot.session_id, requesterId: 'alice' }] });
    assert.equal(reviewIdOf(a), slot.session_id);

    const b = rows.get(mine.session_id)!;
    assert.match(b.description!, /^reviewer you · antithesis · your turn · (2 h|1 h 59 min) left$/);
    assert.deepEqual([b.contextValue, b.icon?.id], [`${REVIEW_CONTEXT}.yourTurn`, 'bell-dot']);

    const c = rows.get(theirs.session_id)!;
    assert.match(c.description!, /^reviewer dave · thesis · carol's turn · (6 h|5 h 59 min) left$/);
    assert.deepEqual([c.contextValue, c.icon?.id], [REVIEW_CONTEXT, 'edit']);
    // Soonest deadline first: the antithesis phases (2 h) before the thesis (6 h for the session).
    assert.equal(content.nodes.at(-1)?.label, 'carol');
  });

  it('names the failure in a row when the server cannot be read', async () => {
    const gone = new HttpGovernanceClient('http://127.0.0.1:9', () => Promise.resolve('t'), { timeoutMs: 2000 });
    const content = await loadReviews(gone);
    assert.equal(content.nodes[0]?.label, 'Could not load reviews');
    gone.dispose();
  });

  it('the Agents view says a PAUSE is under review, and warns of the anomalies detect_anomalies finds', async () => {
    for (let i = 0; i < 3; i++) await warm('spiky');
    for (let i = 0; i < 3; i++) assert.equal((await srv.server.app.governance.processUpdate({ agentId: 'spiky', complexity: 0.9, confidence: 0.5, operation: `hard ${i}` })).governance_decision.action, 'PROCEED');
    let action = '';
    for (let i = 0; i < 20 && action !== 'PAUSE'; i++) action = (await srv.server.app.governance.processUpdate({ agentId: 'paused', complexity: 1, confidence: 0.05, operation: `rewrite ${i}` })).governance_decision.action;
    await srv.server.app.dialecticAutoReview.settled();
    const rows = new Map((await loadAgents(client)).nodes.map((n) => [n.label, n]));
    const spiky = rows.get('spiky')!;
    assert.equal(spiky.icon?.id, 'warning', 'a PROCEED with an anomaly gets the warning icon');
    assert.match(spiky.description!, /^PROCEED · ⚠ risk spike · just now$/);
    assert.match(spiky.tooltip!, /\*\*Anomalies\*\* \(detect_anomalies\): medium risk spike at \d{4}\\-\d\d\\-[\dT:]+\\\.\d+Z: Risk increased from 0\\\.\d\d to 0\\\.\d\d/);
    const paused = rows.get('paused')!;
    assert.equal(paused.icon?.id, 'debug-pause');
    assert.match(paused.description!, /^PAUSE · in review · /);
    // The automatic review: reviewer_mode auto picked the one healthy peer, spiky, or left the slot open.
    assert.match(paused.tooltip!, /Under peer review \\\(session [0-9a-f]+\\\): antithesis \\\(the reviewer answers\\\), reviewer (spiky|open slot)/);
    assert.ok(!/Under peer review/.test(spiky.tooltip!));
  });

});

describe('review text', () => {
  const base = { paused_agent_id: 'alice', may_act: [] as string[], next_tool: 'submit_antithesis' as const };
  it('says whose turn it is and what the person may submit', () => {
    assert.equal(turnText({ ...base, next_actor: 'any' }), 'open to any reviewer');
    assert.equal(personTurn({ ...base, next_actor: 'any' }), 'submit_antithesis');
    assert.equal(personTurn({ ...base, paused_agent_id: VSCODE_USER_AGENT, next_actor: 'any' }), null, 'nobody reviews themselves');
    assert.equal(turnText({ ...base, next_actor: VSCODE_USER_AGENT }), 'your turn');
    assert.equal(turnText({ ...base, next_actor: 'bob' }), "bob's turn");
    const synthesis = { ...base, next_tool: 'submit_synthesis' as const, next_actor: 'either', may_act: ['alice', VSCODE_USER_AGENT] };
    assert.equal(turnText(synthesis), 'your turn (either side)');
    assert.equal(personTurn(synthesis), 'submit_synthesis');
    assert.equal(personTurn({ ...synthesis, may_act: ['alice', 'bob'] }), null);
    assert.equal(turnText({ ...base, next_tool: null, next_actor: null }), 'ended');
  });
  it('counts the time left down to the deadline', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(timeLeft('2026-01-01T01:59:30Z', now), '1 h 59 min left');
    assert.equal(timeLeft('2026-01-01T00:00:40Z', now), '40 s left');
    assert.equal(timeLeft('2025-12-31T23:59:00Z', now), 'overdue');
    assert.equal(timeLeft(null, now), '');
    assert.equal(duration(2 * 3600_000), '2 h');
  });
});
