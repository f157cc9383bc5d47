/**
 * Dialectic peer review end to end: a real governance server, real agents paused by real
 * process_agent_update calls, the SDK's MCP Client and the seed's POST /v1/tools/call.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { RunningGovernanceServer } from '../../src/server/api';
import { startGovernanceServer } from '../../src/server/server';

const TOKEN = 'test-token-dialectic-0123456789';
const AGREE = { root_cause: 'Complexity spiked during the auth refactor', proposed_conditions: ['Reduce complexity to 0.3', 'Monitor for 24h'], agrees: true };

describe('dialectic peer review (MCP and /v1/tools/call)', () => {
  let server: RunningGovernanceServer;
  let dataDir: string;
  let client: Client;
  let autoReview = false;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cg-dialectic-e2e-'));
    server = await startGovernanceServer({ port: 0, dataDir, token: TOKEN, rateLimitPerMinute: 100_000, hostKind: 'test', dialectic: { autoReviewOnPause: () => autoReview } });
    client = new Client({ name: 'dialectic-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
  });
  after(async () => {
    await client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** MCP tools/call; returns the structured result, or throws the `code: message` text of an error result. */
  async function mcp(name: string, args: Record<string, unknown>): Promise<Record<string, any>> {
    const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (r.isError) throw new Error((r.content[0] as { text: string }).text);
    return r.structuredContent as Record<string, any>;
  }
  /** POST /v1/tools/call as the seed's Python client sends it. */
  async function http(name: string, args: Record<string, unknown>, sessionId?: string): Promise<{ status: number; body: Record<string, any> }> {
    const res = await fetch(`${server.url}/v1/tools/call`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...(sessionId ? { 'X-Session-ID': sessionId } : {}) },
      body: JSON.stringify({ name, arguments: args }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }
  async function calm(agentId: string): Promise<void> {
    const r = await mcp('process_agent_update', { agent_id: agentId, operation: 'read the docs', complexity: 0.1, confidence: 0.9 });
    assert.equal(r.governance_decision.action, 'PROCEED');
  }
  async function pause(agentId: string): Promise<void> {
    for (let i = 0; i < 30; i++) {
      const r = await mcp('process_agent_update', { agent_id: agentId, operation: `rewrite module ${i}`, complexity: 1, confidence: 0.05 });
      if (r.governance_decision.action === 'PAUSE') return;
    }
    assert.fail(`${agentId} never got PAUSE`);
  }
  const status = async (agentId: string) => (await mcp('get_governance_metrics', { agent_id: agentId, history_limit: 1 })).status as string;

  it('a full peer review over MCP resolves, un-pauses the agent and caps its complexity', async () => {
    await pause('mcp-worker');
    await calm('mcp-reviewer');
    assert.equal(await status('mcp-worker'), 'paused');
    const opened = await mcp('request_dialectic_review', { agent_id: 'mcp-worker', reason: 'Paused during the auth refactor' });
    assert.equal(opened.phase, 'thesis');
    assert.equal(opened.reviewer_agent_id, 'mcp-reviewer', 'the only healthy, active agent');
    assert.equal(opened.next_actor, 'mcp-worker');
    const id = opened.session_id as string;
    await mcp('submit_thesis', { session_id: id, agent_id: 'mcp-worker', root_cause: AGREE.root_cause, proposed_conditions: AGREE.proposed_conditions, reasoning: 'I took on too much at once' });
    const anti = await mcp('submit_antithesis', { session_id: id, agent_id: 'mcp-reviewer', concerns: ['Risk stayed high for 10 updates'], observed_metrics: { risk_score: 0.7 } });
    assert.equal(anti.phase, 'synthesis');
    await mcp('submit_synthesis', { session_id: id, agent_id: 'mcp-worker', ...AGREE });
    const done = await mcp('submit_synthesis', { session_id: id, agent_id: 'mcp-reviewer', ...AGREE });
    assert.equal(done.phase, 'resolved');
    assert.equal(done.converged, true);
    assert.equal(done.action, 'resume');
    assert.deepEqual(done.resolution.conditions, AGREE.proposed_conditions);
    assert.equal(await status('mcp-worker'), 'active');

    const session = await mcp('get_dialectic_session', { session_id: id });
    assert.deepEqual(session.transcript.map((m: any) => `${m.phase}:${m.agent_id}`), ['thesis:mcp-worker', 'antithesis:mcp-reviewer', 'synthesis:mcp-worker', 'synthesis:mcp-reviewer']);
    assert.equal(session.next_actor, null);
    assert.equal(session.agent_resumed, true);
    assert.equal(session.deadlines.next_timeout_at, null);

    const update = await mcp('process_agent_update', { agent_id: 'mcp-worker', operation: 'another huge change', complexity: 1 });
    assert.match(update.dialectic_enforcement_warning, /complexity 1.00 capped to 0.30/);
    const metrics = await mcp('get_governance_metrics', { agent_id: 'mcp-worker', history_limit: 1 });
    assert.equal(metrics.history[0].complexity, 0.3);

    const audit = await server.app.audit.read({ limit: 100, filter: (r) => r.type.startsWith('dialectic.') && r.session_id === id });
    assert.deepEqual(audit.entries.map((e) => e.type), ['dialectic.requested', 'dialectic.thesis', 'dialectic.antithesis', 'dialectic.synthesis', 'dialectic.synthesis', 'dialectic.resolved']);
  });

  it("seed Pattern 3 over /v1/tools/call: reviewer_mode 'any' is claimed by the first antithesis", async () => {
    for (const id of ['seed-author', 'seed-reviewer-1', 'seed-reviewer-2']) await calm(id);
    // Exactly the seed's call: agent_id, operation, complexity, reviewer_mode "any".
    const asked = await http('request_dialectic_review', { agent_id: 'seed-author', operation: 'Refactored auth.py to use JWT tokens', complexity: 0.8, reviewer_mode: 'any' });
    assert.equal(asked.status, 200, JSON.stringify(asked.body));
    assert.equal(asked.body.success, true);
    const r = asked.body.result;
    assert.equal(r.reviewer_agent_id, null);
    assert.equal(r.reason, 'Refactored auth.py to use JWT tokens');
    assert.equal(r.session.complexity, 0.8);
    assert.equal(r.session.open_reviewer_slot, true);
    const id = r.session_id as string;
    const thesis = await http('submit_thesis', { session_id: id, root_cause: 'Sessions were stored server side', proposed_conditions: ['Rotate keys weekly'] }, 'seed-author');
    assert.equal(thesis.body.result.next_actor, 'any');
    const [first, second] = await Promise.all([
      http('submit_antithesis', { session_id: id, agent_id: 'seed-reviewer-1', concerns: ['Key rotation is manual'] }),
      http('submit_antithesis', { session_id: id, agent_id: 'seed-reviewer-2', concerns: ['No revocation list'] }),
    ]);
    const statuses = [first.status, second.status].sort();
    assert.deepEqual(statuses, [200, 409]);
    const [won, lost] = first.status === 200 ? [first, second] : [second, first];
    assert.equal(won.body.result.reviewer_auto_assigned, true);
    assert.equal(lost.body.error.code, 'invalid_state');
    assert.equal(lost.body.error.phase, 'synthesis');
    const winner = won.body.result.session.reviewer_agent_id as string;
    assert.ok(['seed-reviewer-1', 'seed-reviewer-2'].includes(winner));
    const session = (await http('get_dialectic_session', { session_id: id })).body.result;
    assert.equal(session.reviewer_agent_id, winner);
    assert.equal(session.transcript.filter((m: any) => m.phase === 'antithesis').length, 1);
  });

  it('a call out of turn is invalid_state (HTTP 409; MCP isError) naming the phase and who may act, and changes nothing', async () => {
    await calm('order-requester');
    await calm('order-reviewer');
    const opened = await http('request_dialectic_review', { agent_id: 'order-requester', reviewer_agent_id: 'order-reviewer', reason: 'Check my migration plan' });
    const id = opened.body.result.session_id as string;
    const before = (await http('get_dialectic_session', { session_id: id })).body.result;
    const early = await http('submit_antithesis', { session_id: id, agent_id: 'order-reviewer', reasoning: 'too early' });
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 'invalid_state');
    assert.equal(early.body.error.phase, 'thesis');
    assert.deepEqual(early.body.error.may_act, ['order-requester']);
    assert.match(early.body.error.message, /phase "thesis"; only order-requester may act \(submit_thesis\)/);
    await assert.rejects(mcp('submit_synthesis', { session_id: id, agent_id: 'order-requester', ...AGREE }), /^Error: invalid_state: Session .* is in phase "thesis"/);
    const after = (await http('get_dialectic_session', { session_id: id })).body.result;
    assert.deepEqual(after, before);
    const nudge = await http('nudge_dialectic_session', { session_id: id, note: 'your turn' }, 'order-reviewer');
    assert.deepEqual(nudge.body.result.waiting_on, ['order-requester']);
    assert.equal(nudge.body.result.next_tool, 'submit_thesis');
  });

  it('a PAUSE starts an automatic review when the setting is on, and none when it is off', async () => {
    await calm('auto-peer');
    autoReview = false;
    await pause('auto-off-agent');
    await server.app.dialecticAutoReview.settled();
    const none = await http('get_dialectic_session', { agent_id: 'auto-off-agent' });
    assert.equal(none.status, 404);
    assert.equal(none.body.error.code, 'not_found');

    autoReview = true;
    try {
      await pause('auto-on-agent');
      await server.app.dialecticAutoReview.settled();
    } finally {
      autoReview = false;
    }
    const got = await http('get_dialectic_session', { agent_id: 'auto-on-agent' });
    assert.equal(got.status, 200);
    const s = got.body.result;
    assert.equal(s.reviewer_mode, 'auto');
    assert.equal(s.phase, 'antithesis', 'auto_progress submitted the thesis');
    assert.equal(s.transcript[0].phase, 'thesis');
    assert.match(s.reason, /^Auto-recovery: /);
    assert.equal(typeof s.reviewer_agent_id, 'string', 'a healthy peer (auto-peer at least) was chosen');
  });

  it('5 synthesis rounds without agreement escalate; the agent stays paused', async () => {
    await pause('esc-worker');
    await calm('esc-reviewer');
    const opened = await mcp('request_dialectic_review', { agent_id: 'esc-worker', reviewer_agent_id: 'esc-reviewer', auto_progress: true, root_cause: 'Deadline pressure on the importer' });
    const id = opened.session_id as string;
    await mcp('submit_antithesis', { session_id: id, agent_id: 'esc-reviewer', concerns: ['No tests'] });
    let last: Record<string, any> = {};
    for (let i = 0; i < 5; i++) {
      last = await mcp('submit_synthesis', { session_id: id, agent_id: i % 2 ? 'esc-reviewer' : 'esc-worker', proposed_conditions: [`Plan ${i}: ${i % 2 ? 'write tests first' : 'ship now'}`], agrees: false });
      assert.equal(last.phase, i < 4 ? 'synthesis' : 'escalated');
    }
    assert.equal(last.resolution_type, 'conservative_default');
    assert.ok(Date.parse(last.cooldown_until) > Date.now());
    assert.equal(await status('esc-worker'), 'paused');
    await assert.rejects(mcp('request_dialectic_review', { agent_id: 'esc-worker' }), /^Error: conflict: .*may ask again after/);
  });
});
