import assert from 'node:assert/strict';
import { InProcessGovernanceClient } from '../../../src/client/in-process';
import { GovernanceClientError } from '../../../src/client/types';
import { startTestServer, type TestServer } from '../../helpers/governance-server';

describe('list_dialectic_sessions', () => {
  let srv: TestServer;
  let client: InProcessGovernanceClient;
  beforeEach(async () => {
    srv = await startTestServer();
    client = new InProcessGovernanceClient(srv.url, srv.server.app);
    for (const id of ['alice', 'bob', 'carol']) await srv.server.app.governance.processUpdate({ agentId: id, complexity: 0.2, confidence: 0.8, operation: 'warm up' });
  });
  afterEach(async () => {
    client.dispose();
    await srv.stop();
  });

  it('lists open sessions with who asked, the reviewer or an open slot, whose turn and the deadlines; ended ones drop out', async () => {
    assert.deepEqual(await client.callTool('list_dialectic_sessions', {}), { sessions: [], count: 0 });
    const open = await client.callTool('request_dialectic_review', { agent_id: 'alice', reviewer_mode: 'any', reason: 'risky refactor', auto_progress: true, root_cause: 'too broad' });
    const named = await client.callTool('request_dialectic_review', { agent_id: 'carol', reviewer_agent_id: 'bob', reason: 'check my change' });
    const list = await client.callTool('list_dialectic_sessions', {});
    assert.equal(list.count, 2);
    const byId = new Map(list.sessions.map((s) => [s.session_id, s]));
    const a = byId.get(open.session_id)!;
    assert.deepEqual([a.paused_agent_id, a.reviewer_agent_id, a.open_reviewer_slot, a.phase, a.next_actor, a.message_count], ['alice', null, true, 'antithesis', 'any', 1]);
    assert.ok(a.deadlines.next_timeout_at && Date.parse(a.deadlines.next_timeout_at) > Date.now());
    assert.equal('transcript' in a, false, 'messages are counted, not sent');
    const c = byId.get(named.session_id)!;
    assert.deepEqual([c.paused_agent_id, c.reviewer_agent_id, c.phase, c.next_actor], ['carol', 'bob', 'thesis', 'carol']);
    // The thesis phase's deadline is the whole session's (6 h); the antithesis waits at most 2 h: soonest first.
    assert.deepEqual(list.sessions.map((s) => s.session_id), [open.session_id, named.session_id]);

    const onlyBob = await client.callTool('list_dialectic_sessions', { agent_id: 'bob' });
    assert.deepEqual(onlyBob.sessions.map((s) => s.session_id), [named.session_id]);

    await client.callTool('submit_thesis', { session_id: named.session_id, agent_id: 'carol', root_cause: 'the change touched too many files', proposed_conditions: ['Monitor for 1h'] });
    await client.callTool('submit_antithesis', { session_id: named.session_id, agent_id: 'bob', reasoning: 'fine', proposed_conditions: ['Monitor for 1h'] });
    await client.callTool('submit_synthesis', { session_id: named.session_id, agent_id: 'carol', agrees: true, proposed_conditions: ['Monitor for 1h'], root_cause: 'the change touched too many files' });
    await client.callTool('submit_synthesis', { session_id: named.session_id, agent_id: 'bob', agrees: true, proposed_conditions: ['Monitor for 1h'], root_cause: 'the change touched too many files' });
    const ended = await client.callTool('get_dialectic_session', { session_id: named.session_id });
    assert.equal(ended.phase, 'resolved', JSON.stringify(ended));
    assert.deepEqual((await client.callTool('list_dialectic_sessions', {})).sessions.map((s) => s.session_id), [open.session_id]);
    assert.equal((await client.callTool('list_dialectic_sessions', { limit: 1 })).count, 1);
  });

  it('refuses a bad limit naming the field', async () => {
    await assert.rejects(client.callTool('list_dialectic_sessions', { limit: 0 }), (e: unknown) => e instanceof GovernanceClientError && e.code === 'invalid_arguments' && /limit/.test(e.message));
  });
});
