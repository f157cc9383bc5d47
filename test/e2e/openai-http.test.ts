/**
 * The seed's (000) OpenAI function-calling recipe, sent exactly as its Python `requests` client
 * sends it: GET /v1/tools, POST /v1/tools/call {name, arguments} with X-Session-ID.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestServer, type TestServer } from '../helpers/governance-server';

interface CallResponse {
  success: boolean;
  result?: Record<string, any>;
  error?: { code: string; message: string; known_tools?: string[] };
}

describe('OpenAI function-calling HTTP API (seed recipe)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  // python-requests sends these headers with json=payload.
  const pythonHeaders = (sessionId?: string): Record<string, string> => ({
    'User-Agent': 'python-requests/2.32.3',
    'Accept-Encoding': 'gzip, deflate',
    Accept: '*/*',
    Connection: 'keep-alive',
    'Content-Type': 'application/json',
    Authorization: `Bearer ${t.token}`,
    ...(sessionId ? { 'X-Session-ID': sessionId } : {}),
  });

  async function call(name: string, args: unknown, sessionId?: string): Promise<{ status: number; body: CallResponse }> {
    const res = await fetch(`${t.url}/v1/tools/call`, { method: 'POST', headers: pythonHeaders(sessionId), body: JSON.stringify({ name, arguments: args }) });
    return { status: res.status, body: (await res.json()) as CallResponse };
  }

  it('GET /v1/tools lists every tool in OpenAI function format', async () => {
    const res = await fetch(`${t.url}/v1/tools`, { headers: pythonHeaders() });
    assert.equal(res.status, 200);
    const data = (await res.json()) as { tools: Array<{ type: string; function: { name: string; description: string; parameters: any } }> };
    const names = data.tools.map((x) => x.function.name);
    for (const n of ['process_agent_update', 'store_discovery_graph', 'search_knowledge_graph', 'list_knowledge_graph', 'get_discovery_details', 'get_governance_metrics', 'simulate_update', 'health_check', 'list_agents', 'observe_agent']) {
      assert.ok(names.includes(n), `missing ${n}`);
    }
    for (const tool of data.tools) {
      assert.equal(tool.type, 'function');
      assert.ok(tool.function.description.length > 10);
      assert.equal(tool.function.parameters.type, 'object');
    }
    const pau = data.tools.find((x) => x.function.name === 'process_agent_update')!;
    assert.deepEqual(pau.function.parameters.properties.complexity.minimum, 0);
    assert.deepEqual(pau.function.parameters.properties.complexity.maximum, 1);
  });

  it('process_agent_update returns a decision the seed client reads (arguments as an object)', async () => {
    const { status, body } = await call('process_agent_update', { agent_id: 'codex_refactor_agent', operation: 'Checking governance status', complexity: 0.1 }, 'codex_refactor_agent');
    assert.equal(status, 200);
    assert.equal(body.success, true);
    const decision = body.result!.governance_decision;
    assert.ok(['PROCEED', 'PAUSE'].includes(decision.action));
    assert.ok(typeof decision.reason === 'string' && decision.reason.length > 0);
    assert.equal(body.result!.agent_id, 'codex_refactor_agent');
    for (const k of ['E', 'I', 'S', 'V']) assert.equal(typeof body.result!.metrics[k], 'number');
  });

  it('accepts arguments as a JSON string, as OpenAI tool_call.function.arguments are', async () => {
    const { status, body } = await call('process_agent_update', JSON.stringify({ operation: 'Refactor', complexity: 0.3 }), 'codex_agent_001');
    assert.equal(status, 200);
    assert.equal(body.success, true);
    assert.equal(body.result!.agent_id, 'codex_agent_001', 'X-Session-ID names the agent when agent_id is absent');
  });

  it('a discovery stored under one session id is found by another', async () => {
    const stored = await call(
      'store_discovery_graph',
      {
        agent_id: 'codex_agent_001',
        discovery_type: 'pattern',
        summary: 'List comprehension pattern for filtering and mapping',
        details: 'Use [f(x) for x in items if condition(x)] instead of for-loop with append',
        tags: ['python', 'refactoring', 'comprehension'],
      },
      'codex_agent_001',
    );
    assert.equal(stored.status, 200);
    assert.equal(stored.body.success, true);

    const found = await call('search_knowledge_graph', JSON.stringify({ query: 'list comprehension' }), 'another_agent_002');
    assert.equal(found.status, 200);
    assert.equal(found.body.success, true);
    const discoveries = found.body.result!.discoveries as Array<Record<string, any>>;
    assert.ok(discoveries.length >= 1);
    const d = discoveries[0]!;
    assert.equal(d.summary, 'List comprehension pattern for filtering and mapping');
    assert.equal(d.agent_id, 'codex_agent_001');
    assert.equal(d.discovery_type, 'pattern');
    assert.deepEqual([...d.tags].sort(), ['comprehension', 'python', 'refactoring']);
    for (const k of ['id', 'details', 'created_at', 'score']) assert.ok(k in d, `discovery lacks ${k}`);
  });

  it('without X-Session-ID each request is a new anonymous agent', async () => {
    const a = await call('process_agent_update', { operation: 'one', complexity: 0.2 });
    const b = await call('process_agent_update', { operation: 'two', complexity: 0.2 });
    assert.notEqual(a.body.result!.agent_id, b.body.result!.agent_id);
  });

  it('unknown tool -> 404 with an error listing the known tools', async () => {
    const { status, body } = await call('no_such_tool', {});
    assert.equal(status, 404);
    assert.equal(body.success, false);
    assert.equal(body.error!.code, 'unknown_tool');
    assert.match(body.error!.message, /process_agent_update/);
    assert.ok(body.error!.known_tools!.includes('search_knowledge_graph'));
  });

  it('complexity outside 0..1 -> 400 naming the field, nothing stored', async () => {
    const { status, body } = await call('process_agent_update', { agent_id: 'bad_input_agent', operation: 'x', complexity: 1.5 });
    assert.equal(status, 400);
    assert.equal(body.error!.code, 'invalid_arguments');
    assert.match(body.error!.message, /complexity/);
    const metrics = await call('get_governance_metrics', { agent_id: 'bad_input_agent' });
    assert.equal(metrics.status, 404, 'the rejected update must not create the agent');
  });

  it('malformed JSON -> 400 JSON error', async () => {
    const res = await fetch(`${t.url}/v1/tools/call`, { method: 'POST', headers: pythonHeaders('x'), body: '{"name": "health_check", ' });
    assert.equal(res.status, 400);
    const body = (await res.json()) as CallResponse;
    assert.equal(body.success, false);
    assert.equal(body.error!.code, 'invalid_json');
  });

  it('arguments string that is not JSON -> 400 naming "arguments"', async () => {
    const { status, body } = await call('health_check', '{not json');
    assert.equal(status, 400);
    assert.match(body.error!.message, /arguments/);
  });

  it('no token or a wrong token -> 401 that reveals nothing', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong-token-value' }, { 'X-AGENT-TOKEN': 'nope' }]) {
      const res = await fetch(`${t.url}/v1/tools`, { headers });
      assert.equal(res.status, 401);
      const text = await res.text();
      assert.doesNotMatch(text, /process_agent_update|token-0123/);
      assert.deepEqual(JSON.parse(text), { success: false, error: { code: 'unauthorized', message: 'Unauthorized.' } });
    }
    const ok = await fetch(`${t.url}/v1/tools`, { headers: { 'X-AGENT-TOKEN': t.token } });
    assert.equal(ok.status, 200, 'X-AGENT-TOKEN is accepted too');
  });

  it('a foreign Host header -> 403 (DNS rebinding protection), also for a foreign Origin', async () => {
    const port = new URL(t.url).port;
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/health', headers: { Authorization: `Bearer ${t.token}`, ...headers } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await status({ Host: `evil.example.com:${port}` }), 403);
    assert.equal(await status({ Host: `127.0.0.1:${port}`, Origin: 'https://evil.example.com' }), 403);
    assert.equal(await status({ Host: `localhost:${port}` }), 200);
    assert.equal(await status({ Host: `127.0.0.1:${port}`, Origin: `http://localhost:3000` }), 200);
  });

  it('GET /health and GET /metrics answer with the token', async () => {
    const health = await fetch(`${t.url}/health`, { headers: pythonHeaders() });
    assert.equal(health.status, 200);
    const h = (await health.json()) as Record<string, unknown>;
    assert.equal(h.status, 'ok');
    const metrics = await fetch(`${t.url}/metrics`, { headers: pythonHeaders() });
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    assert.match(text, /governance_tool_calls_total\{tool="process_agent_update",outcome="ok"\} \d+/);
    assert.match(text, /codex_mcp_response_time_seconds_bucket/);
    assert.match(text, /governance_decisions_total\{action="(PROCEED|PAUSE)"\} \d+/);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-agent budget, other agents unaffected', async () => {
    const t = await startTestServer({ rateLimitPerMinute: 5 });
    try {
      const headers = (sid: string) => ({ Authorization: `Bearer ${t.token}`, 'X-Session-ID': sid });
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await fetch(`${t.url}/v1/tools`, { headers: headers('busy-agent') })).status);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
      const limited = await fetch(`${t.url}/v1/tools`, { headers: headers('busy-agent') });
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      assert.equal((await fetch(`${t.url}/v1/tools`, { headers: headers('calm-agent') })).status, 200);
    } finally {
      await t.stop();
    }
  });
});
