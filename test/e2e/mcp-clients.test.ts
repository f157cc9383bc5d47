/** The SDK's own Client against the governance server over Streamable HTTP and over stdio. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startTestServer, type TestServer } from '../helpers/governance-server';

const EXPECTED_TOOLS = [
  'process_agent_update',
  'simulate_update',
  'get_governance_metrics',
  'health_check',
  'list_agents',
  'observe_agent',
  'store_discovery_graph',
  'search_knowledge_graph',
  'list_knowledge_graph',
  'get_discovery_details',
  'link_discoveries',
  'update_discovery_status',
  'find_similar_discoveries_graph',
  // The reference server's names for store_discovery_graph and update_discovery_status (aliases).
  'store_knowledge_graph',
  'update_discovery_status_graph',
  'compare_me_to_similar',
  'compare_agents',
  'detect_anomalies',
  'aggregate_metrics',
  'get_system_history',
  'codex',
  'codex-reply',
  'codex-session-info',
  'codex-cleanup',
  'request_dialectic_review',
  'submit_thesis',
  'submit_antithesis',
  'submit_synthesis',
  // Seed 000's name for submit_synthesis (alias).
  'submit_dialectic_synthesis',
  'get_dialectic_session',
  'nudge_dialectic_session',
  'list_dialectic_sessions',
  'post_task',
  'list_tasks',
  'claim_task',
  'complete_task',
  'fail_task',
  'request_tool_approval',
  'record_model_usage',
  'list_observed_sessions',
  'get_observed_session',
];

/** Calls every tool once, in an order where each has what it needs; returns the results by name. */
async function exerciseEveryTool(client: Client, agent: string): Promise<Record<string, CallToolResult>> {
  const tools = await client.listTools();
  assert.deepEqual(tools.tools.map((t) => t.name).sort(), [...EXPECTED_TOOLS].sort());
  const out: Record<string, CallToolResult> = {};
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
    assert.ok(!r.isError, `${name} failed: ${JSON.stringify(r.content)}`);
    assert.ok(r.structuredContent, `${name} has structuredContent`);
    out[name] = r;
    return r.structuredContent as Record<string, any>;
  };
  const update = await call('process_agent_update', { agent_id: agent, operation: 'wrote tests', complexity: 0.4 });
  assert.ok(['PROCEED', 'PAUSE'].includes(update.governance_decision.action));
  const sim = await call('simulate_update', { agent_id: agent, operation: 'big refactor', complexity: 0.9 });
  assert.equal(sim.simulated, true);
  const metrics = await call('get_governance_metrics', { agent_id: agent });
  assert.ok(JSON.stringify(metrics).includes(agent));
  await call('health_check', {});
  const agents = await call('list_agents', {});
  assert.ok(JSON.stringify(agents).includes(agent));
  await call('observe_agent', { agent_id: agent });
  const stored = await call('store_discovery_graph', { agent_id: agent, discovery_type: 'insight', summary: `Flaky test fixed by ${agent}`, details: 'Race in the cleanup hook', tags: ['tests'] });
  const id = stored.discovery.id as string;
  const found = await call('search_knowledge_graph', { query: 'flaky cleanup' });
  assert.ok((found.discoveries as any[]).some((d) => d.id === id));
  const listed = await call('list_knowledge_graph', { limit: 5 });
  assert.ok(JSON.stringify(listed).includes(id));
  const second = await call('store_discovery_graph', { agent_id: agent, summary: 'Cleanup hook now awaits the child', tags: ['tests'] });
  const link = await call('link_discoveries', { from_id: second.discovery.id, to_id: id, relation: 'answers' });
  assert.equal(link.relation, 'answers');
  const status = await call('update_discovery_status', { discovery_id: id, status: 'resolved' });
  assert.equal(status.discovery.status, 'resolved');
  const details = await call('get_discovery_details', { discovery_id: id });
  assert.ok(JSON.stringify(details).includes('Race in the cleanup hook'));
  assert.equal(details.discovery.status, 'resolved');
  assert.equal(details.edges.incoming[0].relation, 'answers');
  const similar = await call('find_similar_discoveries_graph', { discovery_id: second.discovery.id });
  assert.equal(similar.similar_discoveries[0].id, id);
  const viaAlias = await call('store_knowledge_graph', { agent_id: agent, summary: 'Stored under the reference name', tags: ['tests'] });
  assert.equal((await call('update_discovery_status_graph', { discovery_id: viaAlias.discovery.id, status: 'archived' })).discovery.status, 'archived');
  // Observability: a second agent doing the same work is the most similar one.
  await call('process_agent_update', { agent_id: `${agent}-twin`, operation: 'wrote tests', complexity: 0.4 });
  assert.equal((await call('compare_me_to_similar', { agent_id: agent })).similar_agents[0].agent_id, `${agent}-twin`);
  assert.equal((await call('compare_agents', { agent_ids: [agent, `${agent}-twin`] })).agent_count, 2);
  assert.deepEqual((await call('detect_anomalies', { agent_ids: [agent] })).anomalies, []);
  assert.ok((await call('aggregate_metrics', {})).aggregate.total_agents >= 2);
  assert.equal((await call('get_system_history', { agent_id: agent })).updates[0].operation, 'wrote tests');
  // Dialectic review: the agent asks, another agent claims the open slot, both agree.
  const review = await call('request_dialectic_review', { agent_id: agent, reviewer_mode: 'any', reason: 'Check my flaky-test fix' });
  const sessionId = review.session_id as string;
  await call('submit_thesis', { session_id: sessionId, agent_id: agent, root_cause: 'The cleanup hook raced the child', proposed_conditions: ['Await the child in cleanup'] });
  const nudged = await call('nudge_dialectic_session', { session_id: sessionId });
  assert.equal(nudged.next_actor, 'any');
  await call('submit_antithesis', { session_id: sessionId, agent_id: `${agent}-reviewer`, concerns: ['No regression test'] });
  const agreed = { root_cause: 'The cleanup hook raced the child', proposed_conditions: ['Await the child in cleanup'], agrees: true };
  await call('submit_synthesis', { session_id: sessionId, agent_id: agent, ...agreed });
  const open = await call('list_dialectic_sessions', {});
  assert.ok(JSON.stringify(open).includes(sessionId), 'the open review is listed');
  assert.equal((await call('submit_dialectic_synthesis', { session_id: sessionId, agent_id: `${agent}-reviewer`, ...agreed })).phase, 'resolved');
  assert.equal((await call('get_dialectic_session', { session_id: sessionId })).transcript.length, 4);
  // Tasks: post two, claim, complete one and fail the other back into the queue.
  const notes = await call('post_task', { agent_id: agent, description: 'Write the release notes', tags: ['docs'] });
  const bump = await call('post_task', { agent_id: agent, description: 'Bump the version', tags: ['docs'] });
  assert.equal((await call('list_tasks', { tag: 'docs' })).total, 2);
  assert.equal((await call('claim_task', { task_id: notes.task_id, agent_id: agent })).task.claimed_by, agent);
  assert.equal((await call('complete_task', { task_id: notes.task_id, agent_id: agent, result: 'done' })).task.status, 'completed');
  await call('claim_task', { task_id: bump.task_id, agent_id: agent });
  assert.equal((await call('fail_task', { task_id: bump.task_id, agent_id: agent, reason: 'blocked', requeue: true })).task.status, 'pending');
  // codex and codex-reply need a Codex binary and a model: test/e2e/supervisor-governance.test.ts runs them.
  const sessions = await call('codex-session-info', { list_active: true });
  assert.deepEqual(sessions.sessions, []);
  const cleanup = await call('codex-cleanup', { force: true });
  assert.equal(cleanup.count, 0);
  // Agent runners: an approval (no person on this server, so the policy answers) and a turn's tokens.
  const approval = await call('request_tool_approval', { agent_id: agent, run_id: 'run-1', server: 'files', tool: 'write_file', arguments: { path: 'a.txt' }, annotations: { destructiveHint: false, openWorldHint: false } });
  assert.ok(['allow_once', 'allow_run', 'deny'].includes(approval.decision), JSON.stringify(approval));
  assert.equal((await call('record_model_usage', { agent_id: agent, model: 'gpt-e2e', input_tokens: 10, output_tokens: 5 })).cost_usd, null);
  // Codex sessions seen through hooks: none here, and an unknown one is named as not found.
  assert.deepEqual((await call('list_observed_sessions', {})).sessions, []);
  const missing = (await client.callTool({ name: 'get_observed_session', arguments: { session_id: 'no-such-session' } })) as CallToolResult;
  assert.equal(missing.isError, true);
  assert.match(JSON.stringify(missing.content), /no-such-session/);
  out.get_observed_session = missing;
  assert.deepEqual(Object.keys(out).sort(), EXPECTED_TOOLS.filter((n) => n !== 'codex' && n !== 'codex-reply').sort());
  return out;
}

describe('MCP over Streamable HTTP (SDK Client)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  const connect = async (headers: Record<string, string> = { Authorization: `Bearer ${t.token}` }) => {
    const client = new Client({ name: 'e2e-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers } }));
    return client;
  };

  it('lists and calls every tool', async () => {
    const client = await connect();
    try {
      await exerciseEveryTool(client, 'mcp-http-agent');
    } finally {
      await client.close();
    }
  });

  it('without an agent_id the session is the agent, named after clientInfo', async () => {
    const client = await connect();
    try {
      const r = (await client.callTool({ name: 'process_agent_update', arguments: { operation: 'x', complexity: 0.2 } })) as CallToolResult;
      assert.match((r.structuredContent as any).agent_id, /^e2e-client-[0-9a-f]{8}$/);
    } finally {
      await client.close();
    }
  });

  it('rejects complexity outside 0..1 with an error naming the field', async () => {
    const client = await connect();
    try {
      const r = (await client.callTool({ name: 'process_agent_update', arguments: { operation: 'x', complexity: -0.1 } })) as CallToolResult;
      assert.equal(r.isError, true);
      assert.match(JSON.stringify(r.content), /complexity/);
    } finally {
      await client.close();
    }
  });

  it('refuses a client without the token', async () => {
    await assert.rejects(connect({}), /401|Unauthorized/i);
  });
});

describe('MCP over stdio (codex-governance stdio)', () => {
  it('lists and calls every tool through the built CLI', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cg-stdio-'));
    const client = new Client({ name: 'stdio-e2e', version: '1.0.0' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [resolve(__dirname, '../../dist/cli.js'), 'stdio', '--data-dir', dataDir],
      stderr: 'pipe',
    });
    try {
      await client.connect(transport);
      await exerciseEveryTool(client, 'stdio-agent');
    } finally {
      await client.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
