/**
 * The observability tools, the seed's and the reference server's tool names (aliases), the
 * `mcp_<server>_` prefix and `GET /v1/tools?format=responses`, through a real server: agents are
 * built by real process_agent_update calls over POST /v1/tools/call, and every tool is called both
 * through the real MCP SDK Client (which checks each answer against the tool's outputSchema) and
 * through the OpenAI adapter.
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { initialDynamics } from '../../src/core/eisv';
import { startTestServer, type TestServer } from '../helpers/governance-server';

interface CallResponse {
  success: boolean;
  result?: any;
  error?: { code: string; message: string; known_tools?: string[] };
}

describe('observability tools, aliases and the OpenAI listing (real server, MCP and /v1/tools/call)', () => {
  let t: TestServer;
  let mcp: Client;

  async function http(name: string, args: unknown, sessionId?: string): Promise<{ status: number; body: CallResponse }> {
    const res = await fetch(`${t.url}/v1/tools/call`, { method: 'POST', headers: { ...t.auth, ...(sessionId ? { 'X-Session-ID': sessionId } : {}) }, body: JSON.stringify({ name, arguments: args }) });
    return { status: res.status, body: (await res.json()) as CallResponse };
  }
  async function ok(name: string, args: unknown, sessionId?: string): Promise<any> {
    const { status, body } = await http(name, args, sessionId);
    assert.equal(status, 200, JSON.stringify(body));
    return body.result;
  }
  /** Over MCP; the SDK client validates structuredContent against the published outputSchema. */
  async function viaMcp(name: string, args: Record<string, unknown>): Promise<any> {
    const r = (await mcp.callTool({ name, arguments: args })) as CallToolResult;
    assert.ok(!r.isError, JSON.stringify(r.content));
    return r.structuredContent;
  }
  async function work(agent: string, complexities: number[]): Promise<void> {
    for (const complexity of complexities) await ok('process_agent_update', { operation: `step at ${complexity}`, complexity }, agent);
  }

  before(async () => {
    t = await startTestServer();
    mcp = new Client({ name: 'observability-e2e', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${t.token}` } } }));
    // Two agents doing the same steady work; one bursts into harder work (risk +0.24, still PROCEED);
    // one bursts into the hardest work and is paused for it.
    await work('steady-a', [0.25, 0.25, 0.25, 0.25, 0.25]);
    await work('steady-b', [0.25, 0.25, 0.25, 0.25, 0.25]);
    await work('bursty', [0, 0, 0, 0, 0, 0, 0, 0.8, 0.8, 0.8]);
    await work('overloaded', [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
  });
  after(async () => {
    await mcp?.close();
    await t?.stop();
  });

  it('compare_me_to_similar: the twin is the most similar, over MCP and over HTTP (the X-Session-ID is "me")', async () => {
    const overMcp = await viaMcp('compare_me_to_similar', { agent_id: 'steady-a' });
    assert.equal(overMcp.similar_agents[0].agent_id, 'steady-b');
    assert.ok(overMcp.similar_agents[0].similarity_score > 0.99);
    assert.ok(overMcp.similar_agents.length <= 3);
    assert.ok(!overMcp.similar_agents.some((a: any) => a.agent_id === 'overloaded'), 'a paused agent is not compared');
    const overHttp = await ok('compare_me_to_similar', { similarity_threshold: 0.15 }, 'steady-b');
    assert.equal(overHttp.agent_id, 'steady-b');
    assert.equal(overHttp.similar_agents[0].agent_id, 'steady-a');
    assert.deepEqual(Object.keys(overHttp.eisv_labels), ['E', 'I', 'S', 'V']);
    const unknown = await http('compare_me_to_similar', { agent_id: 'nobody' });
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error!.message, /nobody/);
  });

  it('detect_anomalies finds the burst as a risk spike; the paused agent (scanned only when named) as a high one', async () => {
    const auto = await viaMcp('detect_anomalies', {});
    assert.deepEqual(auto.anomalies.map((a: any) => [a.agent_id, a.type, a.severity]), [['bursty', 'risk_spike', 'medium']]);
    assert.equal(auto.summary.total_anomalies, 1);
    assert.equal(auto.agents_scanned, 3, 'the active agents');
    const named = await ok('detect_anomalies', { agent_ids: ['overloaded', 'steady-a'], anomaly_types: ['risk_spike', 'coherence_drop', 'void_event'], min_severity: 'low' });
    assert.equal(named.agents_scanned, 2);
    assert.deepEqual(named.anomalies.map((a: any) => [a.agent_id, a.type, a.severity]), [['overloaded', 'risk_spike', 'high']]);
    const bad = await http('detect_anomalies', { min_severity: 'extreme' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error!.message, /min_severity/);
  });

  it('detect_anomalies reports a void event at its onset (V written through the server\'s own store)', async () => {
    // Ordinary work never drives |V| past its threshold with v1's parameters, so the void is written directly.
    const store = t.server.app.store;
    const at = Date.now();
    for (const [i, V] of [0.01, 0.02, 0.3, 0.28].entries()) {
      const metrics = { E: 0.9, I: 0.5, S: 0.2, V, coherence: 0.5, risk_score: 0.3, void_active: Math.abs(V) > 0.15, phi: 0 };
      await store.agents.recordUpdate({ agentId: 'void-agent', atMs: at + i, operation: 'x', complexity: 0.5, dynamics: initialDynamics(), metrics, decision: { action: 'PROCEED', reason: 'r' } });
    }
    const r = await viaMcp('detect_anomalies', { agent_ids: ['void-agent'], anomaly_types: ['void_event'] });
    assert.equal(r.anomalies.length, 1);
    assert.equal(r.anomalies[0].timestamp, new Date(at + 2).toISOString());
    assert.equal(r.anomalies[0].severity, 'high');
    assert.equal(r.anomalies[0].context.still_active, true);
    const observed = await viaMcp('observe_agent', { agent_id: 'void-agent' });
    assert.deepEqual(observed.anomalies.map((a: any) => a.type), ['void_event']);
  });

  it('compare_agents and aggregate_metrics over both transports', async () => {
    const cmp = await viaMcp('compare_agents', { agent_ids: ['steady-a', 'steady-b', 'bursty'] });
    assert.deepEqual(cmp.comparison.agents.map((a: any) => a.agent_id), ['steady-a', 'steady-b', 'bursty']);
    assert.deepEqual(cmp.metrics_compared, ['risk_score', 'coherence', 'E', 'I', 'S', 'V']);
    const one = await http('compare_agents', { agent_ids: ['steady-a'] });
    assert.equal(one.status, 400);
    assert.match(one.body.error!.message, /agent_ids/);
    const agg = await ok('aggregate_metrics', {});
    assert.ok(agg.aggregate.total_agents >= 4);
    assert.equal(agg.aggregate.by_status.paused, 1);
    assert.ok(agg.aggregate.by_decision.PAUSE >= 1);
    assert.equal(typeof agg.aggregate.medians.risk_score, 'number');
    const subset = await viaMcp('aggregate_metrics', { agent_ids: ['steady-a', 'steady-b'], include_health_breakdown: false });
    assert.equal(subset.aggregate.total_updates, 10);
    assert.equal(subset.aggregate.health_breakdown, undefined);
  });

  it('get_system_history pages across agents newest first, over both transports', async () => {
    const first = await ok('get_system_history', { limit: 3 });
    assert.equal(first.updates.length, 3);
    assert.ok(first.updates[0].id > first.updates[1].id && first.updates[1].id > first.updates[2].id);
    const second = await viaMcp('get_system_history', { limit: 3, cursor: first.next_cursor });
    assert.equal(second.updates[0].id, first.updates[2].id - 1);
    const mine = await ok('get_system_history', { agent_id: 'steady-a', format: 'csv' });
    assert.equal(mine.count, 5);
    assert.equal(mine.csv.trim().split('\r\n').length, 6);
  });

  it('list_agents keeps its fields and adds health, summary, grouped and status_filter', async () => {
    const all = await viaMcp('list_agents', { grouped: true });
    assert.ok(Array.isArray(all.agents) && all.agents.length === all.count);
    assert.equal(typeof all.total, 'number');
    assert.equal(all.summary.total, all.total);
    assert.equal(all.summary.by_status.paused, 1);
    assert.ok(all.agents.every((a: any) => ['healthy', 'moderate', 'critical', 'unknown'].includes(a.health_status)));
    assert.deepEqual(all.grouped.paused.map((a: any) => a.agent_id), ['overloaded']);
    const paused = await ok('list_agents', { status_filter: 'paused' });
    assert.deepEqual(paused.agents.map((a: any) => a.agent_id), ['overloaded']);
    assert.equal(paused.summary.total, 1);
    assert.equal(paused.grouped, undefined);
    assert.deepEqual((await ok('list_agents', { status: 'paused' })).agents.map((a: any) => a.agent_id), ['overloaded']);
    assert.equal((await ok('list_agents', { status_filter: 'all' })).count, all.count);
    const clash = await http('list_agents', { status: 'active', status_filter: 'paused' });
    assert.equal(clash.status, 400);
    assert.match(clash.body.error!.message, /status_filter/);
  });

  it('observe_agent keeps its fields and adds patterns and anomalies', async () => {
    const o = await ok('observe_agent', { agent_id: 'overloaded' });
    for (const k of ['agent_id', 'status', 'eisv', 'history', 'trend', 'metrics', 'last_decision']) assert.ok(k in o, `missing ${k}`);
    assert.deepEqual(Object.keys(o.patterns).sort(), ['E_trend', 'coherence_trend', 'risk_trend', 'trend']);
    assert.equal(o.patterns.risk_trend, 'increasing');
    assert.deepEqual(o.anomalies.map((a: any) => a.type), ['risk_spike']);
    const plain = await viaMcp('observe_agent', { agent_id: 'overloaded', analyze_patterns: false });
    assert.equal(plain.patterns, undefined);
  });

  it('find_similar_discoveries_graph ranks related discoveries and leaves the discovery itself out', async () => {
    const store = async (summary: string, tags: string[]) => (await ok('store_discovery_graph', { summary, tags, discovery_type: 'pattern' }, 'librarian')).discovery_id as string;
    const base = await store('SQLite WAL checkpoint stalls writers', ['sqlite', 'wal']);
    const related = await store('WAL checkpoint tuning for SQLite writers', ['sqlite']);
    await store('Rendering charts in webviews', ['ui']);
    const r = await viaMcp('find_similar_discoveries_graph', { discovery_id: base });
    assert.equal(r.similar_discoveries[0].id, related);
    assert.ok(!r.similar_discoveries.some((d: any) => d.id === base));
    assert.equal(r.count, r.similar_discoveries.length);
    assert.equal(r.similar_discoveries[0].details, undefined);
    const missing = await http('find_similar_discoveries_graph', { discovery_id: 'disc_nope' });
    assert.equal(missing.status, 404);
  });

  it("serves the seed's and the reference server's names: aliases listed as their own entries and callable on both transports", async () => {
    const listed = (await mcp.listTools()).tools;
    const alias = listed.find((x) => x.name === 'store_knowledge_graph')!;
    assert.match(alias.description!, /^Alias of store_discovery_graph\./);
    assert.deepEqual(alias.inputSchema, listed.find((x) => x.name === 'store_discovery_graph')!.inputSchema);
    assert.ok(listed.some((x) => x.name === 'update_discovery_status_graph'));
    const viaAlias = await viaMcp('store_knowledge_graph', { agent_id: 'alias-user', summary: 'Stored through the reference name' });
    const id = viaAlias.discovery_id as string;
    const status = await ok('update_discovery_status_graph', { discovery_id: id, status: 'resolved' });
    assert.equal(status.discovery.status, 'resolved');
    const wrong = await http('store_knowledge_graph', { summary: 's', related_files: [] });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.error!.message, /Invalid arguments for store_knowledge_graph.*related_files/);
    const unknown = await http('no_such_tool', {});
    assert.ok(unknown.body.error!.known_tools!.includes('store_knowledge_graph'));
  });

  it('POST /v1/tools/call strips an mcp_<server>_ prefix when the rest is a tool', async () => {
    assert.equal((await http('mcp_codex-governance_health_check', {})).status, 200);
    assert.equal((await http('mcp_governance_monitor_v1_list_agents', { limit: 1 })).body.result.count, 1);
    assert.equal((await http('mcp_x_store_knowledge_graph', { summary: 'via a prefixed alias' }, 'prefix-user')).status, 200);
    const unknown = await http('mcp_codex-governance_no_such_tool', {});
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error!.code, 'unknown_tool');
  });

  it('GET /v1/tools: the nested shape with count and note by default, the flat Responses shape with format=responses', async () => {
    const nested = (await (await fetch(`${t.url}/v1/tools`, { headers: t.auth })).json()) as any;
    assert.equal(nested.count, nested.tools.length);
    assert.match(nested.note, /aliases/);
    const names = nested.tools.map((x: any) => x.function.name);
    for (const n of ['compare_me_to_similar', 'compare_agents', 'detect_anomalies', 'aggregate_metrics', 'get_system_history', 'find_similar_discoveries_graph', 'store_knowledge_graph', 'update_discovery_status_graph']) {
      assert.ok(names.includes(n), `missing ${n}`);
    }
    const flat = (await (await fetch(`${t.url}/v1/tools?format=responses`, { headers: t.auth })).json()) as any;
    assert.equal(flat.count, nested.count);
    // ../shared/notes/openai-and-codex-clients.md: Responses wants {type: "function", name, description, parameters, strict}.
    for (const tool of flat.tools) {
      assert.deepEqual(Object.keys(tool).sort(), ['description', 'name', 'parameters', 'strict', 'type']);
      assert.equal(tool.type, 'function');
      assert.equal(tool.strict, false);
      assert.equal(tool.parameters.type, 'object');
    }
    assert.deepEqual(flat.tools.map((x: any) => x.name), names);
    const bad = await fetch(`${t.url}/v1/tools?format=xml`, { headers: t.auth });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as any).error.message, /"format"/);
  });
});
