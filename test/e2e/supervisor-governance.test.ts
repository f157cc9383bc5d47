/**
 * The `codex` tools served by the governance server over Streamable HTTP, compared with calling
 * Codex 0.153.4's own `codex mcp-server` directly against the same fake model; and the same tools
 * on the app-server backend (the current Codex). The server's supervisor is configured the way a
 * headless host configures it: through CODEX_GOVERNANCE_CODEX_* variables, with CODEX_HOME/HOME
 * pointing at a temp home.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { killAllSpawned, processAlive } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { bundledCodex, codexBinaries, startCodexMcpServer } from '../fakes/codex-processes';
import { delayed, functionCallOutput, replyExec, replyMessage, startFakeModelServer, userTexts, type FakeModelServer } from '../fakes/fake-model-server';
import { TEST_TOKEN } from '../helpers/governance-server';
import type { RunningGovernanceServer } from '../../src/server/api';
import { startGovernanceServer } from '../../src/server/server';
import { liveTreePids } from '../../src/supervisor/process';

const bins = codexBinaries();
// Echoes the last prompt; "slow" is answered after 1.5 s so a turn stays running; "exec: CMD" runs CMD.
const echo = () => (req: Parameters<typeof userTexts>[0]) => {
  const last = userTexts(req).at(-1) ?? '';
  if (last.startsWith('exec: ') && functionCallOutput(req) === undefined) return replyExec(last.slice(6), { yieldTimeMs: 30_000 });
  const reply = replyMessage(`echo: ${last}`, { input_tokens: 50, output_tokens: 5 });
  return last === 'slow' ? delayed(1500, reply) : reply;
};

function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

describe('codex tools on the governance server (Streamable HTTP)', function () {
  this.timeout(60_000);
  let fake: FakeModelServer;
  let home: CodexHome;
  let dataDir: string;
  const savedEnv: Record<string, string | undefined> = {};
  const cleanups: Array<() => Promise<void>> = [];

  function setEnv(vars: Record<string, string>): void {
    for (const [k, v] of Object.entries(vars)) {
      if (!(k in savedEnv)) savedEnv[k] = process.env[k];
      process.env[k] = v;
    }
  }

  beforeEach(async () => {
    fake = await startFakeModelServer({ script: Array.from({ length: 8 }, echo) });
    home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
    dataDir = mkdtempSync(join(tmpdir(), 'cg-codex-'));
    // The children inherit the server's environment: keep Codex inside the temp home.
    setEnv({ CODEX_HOME: home.codexHome, HOME: home.home });
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
      delete savedEnv[k];
    }
    await fake.close();
    await home.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });
  after(() => killAllSpawned());

  async function governance(binary: string, extraEnv: Record<string, string> = {}): Promise<{ server: RunningGovernanceServer; client: Client }> {
    setEnv({ CODEX_GOVERNANCE_CODEX_PATH: binary, ...extraEnv });
    // The sessions run in the temp home's work folder: that is the workspace here (the session gate).
    const server = await startGovernanceServer({ port: 0, dataDir, token: TEST_TOKEN, rateLimitPerMinute: 100_000, hostKind: 'test', workspaceRoots: [home.workDir] });
    cleanups.push(() => server.close());
    const client = new Client({ name: 'supervisor-e2e', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${TEST_TOKEN}` } } }));
    cleanups.push(() => client.close());
    return { server, client };
  }

  it('answers codex exactly like codex mcp-server does, and codex-reply continues the thread', async () => {
    const direct = await startCodexMcpServer(bins.legacy, home);
    cleanups.push(() => direct.close());
    const args = { prompt: 'same question', cwd: home.workDir, sandbox: 'read-only', 'approval-policy': 'never' };
    const viaCodex = (await direct.client.callTool({ name: 'codex', arguments: args })) as CallToolResult;

    const { server, client } = await governance(bins.legacy);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    for (const name of ['codex', 'codex-reply', 'codex-session-info', 'codex-cleanup']) assert.ok(tools.includes(name), `missing ${name}`);
    const viaGov = (await client.callTool({ name: 'codex', arguments: args })) as CallToolResult;

    assert.ok(!viaGov.isError, textOf(viaGov));
    assert.equal(textOf(viaGov), textOf(viaCodex));
    assert.equal(textOf(viaGov), 'echo: same question');
    const sc = viaGov.structuredContent as { threadId: string; content: string; session_id: string };
    const scDirect = viaCodex.structuredContent as { threadId: string; content: string };
    assert.deepEqual(Object.keys(scDirect).sort(), ['content', 'threadId']);
    assert.equal(sc.content, scDirect.content);
    assert.match(sc.threadId, /^[0-9a-f-]{36}$/);
    assert.match(sc.session_id, /^[0-9a-f-]{36}$/);

    const reply = (await client.callTool({ name: 'codex-reply', arguments: { conversationId: sc.threadId, prompt: 'follow-up' } })) as CallToolResult;
    assert.equal(textOf(reply), 'echo: follow-up');
    assert.equal((reply.structuredContent as { threadId: string }).threadId, sc.threadId);

    const info = (await client.callTool({ name: 'codex-session-info', arguments: { session_id: sc.session_id } })) as CallToolResult;
    const session = (info.structuredContent as { session: { status: string; backend: string; turns: number; sandbox: string; approvalPolicy: string } }).session;
    assert.deepEqual([session.status, session.backend, session.turns, session.sandbox, session.approvalPolicy], ['idle', 'mcp-server', 2, 'read-only', 'never']);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${TEST_TOKEN}` } })).text();
    assert.match(metrics, /codex_mcp_tokens_consumed_total\{kind="input",backend="mcp-server"\} (\d+)/);
    assert.match(metrics, /codex_mcp_active_sessions_total 1/);
    assert.match(metrics, /codex_mcp_response_time_seconds_count\{tool="codex"\} 1/);

    const prompts = (await client.listPrompts()).prompts.map((p) => p.name).sort();
    assert.deepEqual(prompts, ['code-review', 'debug-helper', 'refactor-code']);
    const review = await client.getPrompt({ name: 'code-review', arguments: { code: 'def f(n): return n', language: 'python' } });
    const reviewText = (review.messages[0]?.content as { text: string }).text;
    assert.match(reviewText, /Review this python code/);
    assert.ok(reviewText.includes('```python\ndef f(n): return n\n```'));
    const resources = (await client.listResources()).resources.map((r) => r.uri).sort();
    assert.deepEqual(resources, ['audit://log', 'codex://config/current', 'codex://logs/recent', 'codex://sessions/active', 'codex://stats/performance']);
    const read = async (uri: string) => JSON.parse(((await client.readResource({ uri })).contents[0] as { text: string }).text) as Record<string, any>;
    const active = await read('codex://sessions/active');
    assert.deepEqual(active.sessions.map((x: { session_id: string }) => x.session_id), [sc.session_id]);
    const config = await read('codex://config/current');
    assert.deepEqual([config.codex.version, config.codex.backend, config.maxSessions], ['0.153.4', 'mcp-server', 10]);
    const logs = await read('codex://logs/recent');
    assert.ok(logs.events.some((e: { type: string; summary: string }) => e.type === 'agent_message' && e.summary === 'echo: follow-up'), JSON.stringify(logs.events));
    const stats = await read('codex://stats/performance');
    assert.deepEqual([stats.turns, stats.ok, stats.success_rate], [2, 2, 1]);
    assert.ok(stats.tokens.input >= 100 && stats.child_ready_ms['mcp-server'] > 0, JSON.stringify(stats));

    const cleanup = (await client.callTool({ name: 'codex-cleanup', arguments: { force: true } })) as CallToolResult;
    assert.deepEqual((cleanup.structuredContent as { closed: string[] }).closed, [sc.session_id]);
    assert.deepEqual(server.app.codex.childPids(), []);
  });

  it(`serves the same tools on the app-server backend (Codex ${bundledCodex().current.version}), with the seed aliases`, async () => {
    const { client } = await governance(bins.current);
    const r = (await client.callTool({ name: 'codex', arguments: { prompt: 'hello', sandbox: 'isolated', full_auto: true, mode: 'ci', reasoning_effort: 'low', cwd: home.workDir } })) as CallToolResult;
    assert.ok(!r.isError, textOf(r));
    assert.equal(textOf(r), 'echo: hello');
    const sc = r.structuredContent as { threadId: string; session_id: string };
    const reply = (await client.callTool({ name: 'codex-reply', arguments: { session_id: sc.session_id, prompt: 'again' } })) as CallToolResult;
    assert.equal(textOf(reply), 'echo: again');
    const info = (await client.callTool({ name: 'codex-session-info', arguments: { list_active: true } })) as CallToolResult;
    const list = (info.structuredContent as { sessions: Array<{ session_id: string; backend: string; sandbox: string; approvalPolicy: string; mode: string }> }).sessions;
    assert.equal(list.length, 1);
    assert.deepEqual([list[0]?.backend, list[0]?.sandbox, list[0]?.approvalPolicy, list[0]?.mode], ['app-server', 'workspace-write', 'never', 'ci']);
    assert.equal((fake.responsesRequests()[0]?.body?.reasoning as { effort?: string } | undefined)?.effort, 'low');
  });

  it('an MCP cancellation of the codex call interrupts the turn and ends the session\'s processes, command included', async () => {
    const { server, client } = await governance(bins.legacy);
    // danger-full-access runs only after a yes (issue 4): a person allows it here.
    server.app.approvals.setPrompter({ prompt: () => Promise.resolve({ decision: 'allow_once' }) });
    const marker = join(home.root, 'started.txt');
    const ac = new AbortController();
    const call = client.callTool({ name: 'codex', arguments: { prompt: `exec: touch ${marker}; sleep 30`, cwd: home.workDir, sandbox: 'danger-full-access', 'approval-policy': 'never' } }, undefined, { signal: ac.signal });
    call.catch(() => undefined);
    const end = Date.now() + 20_000;
    while (!existsSync(marker) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(marker), 'the command started');
    const [pid] = server.app.codex.childPids();
    const tree = await liveTreePids(pid!);
    assert.ok(tree.length >= 2, `codex and its command: ${tree.join(',')}`);
    ac.abort();
    await assert.rejects(call);
    const gone = Date.now() + 10_000;
    while ((await Promise.all(tree.map(processAlive))).some(Boolean) && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual((await Promise.all(tree.map(processAlive))).filter(Boolean), []);
    assert.equal(server.app.codex.list()[0]?.status, 'closed');
    assert.match(server.app.codex.list()[0]?.lastError ?? '', /cancelled/);
  });

  it('keeps sessions across a restart of the server; an app-server thread continues with codex-reply', async () => {
    const first = await governance(bins.current);
    const r = (await first.client.callTool({ name: 'codex', arguments: { prompt: 'before restart', cwd: home.workDir } })) as CallToolResult;
    const sc = r.structuredContent as { threadId: string; session_id: string };
    await first.client.close();
    await first.server.close();

    const { client } = await governance(bins.current);
    const info = (await client.callTool({ name: 'codex-session-info', arguments: { session_id: sc.threadId } })) as CallToolResult;
    const session = (info.structuredContent as { session: { session_id: string; status: string; transcript: Array<{ summary: string }> } }).session;
    assert.equal(session.session_id, sc.session_id);
    assert.equal(session.status, 'closed');
    assert.ok(session.transcript.some((e) => e.summary === 'echo: before restart'));
    const reply = (await client.callTool({ name: 'codex-reply', arguments: { threadId: sc.threadId, prompt: 'after restart' } })) as CallToolResult;
    assert.ok(!reply.isError, textOf(reply));
    assert.equal(textOf(reply), 'echo: after restart');
    const texts = userTexts(fake.responsesRequests().at(-1)!);
    assert.ok(texts.includes('before restart'), 'the resumed thread kept its history');
  });

  it('refuses codex-reply without a thread, and an unknown thread, with errors naming the fix', async () => {
    const { client } = await governance(bins.current);
    const none = (await client.callTool({ name: 'codex-reply', arguments: { prompt: 'x' } })) as CallToolResult;
    assert.equal(none.isError, true);
    assert.match(textOf(none), /threadId: required/);
    const unknown = (await client.callTool({ name: 'codex-reply', arguments: { threadId: 'nope', prompt: 'x' } })) as CallToolResult;
    assert.equal(unknown.isError, true);
    assert.match(textOf(unknown), /not_found: No Codex session for threadId nope/);
  });

  it('says busy when every session slot is running a turn', async () => {
    const { client } = await governance(bins.current, { CODEX_GOVERNANCE_CODEX_MAX_SESSIONS: '1' });
    const first = client.callTool({ name: 'codex', arguments: { prompt: 'slow', cwd: home.workDir } }) as Promise<CallToolResult>;
    await fake.waitForRequests(1, 20_000);
    const second = (await client.callTool({ name: 'codex', arguments: { prompt: 'second', cwd: home.workDir } })) as CallToolResult;
    assert.equal(second.isError, true);
    assert.match(textOf(second), /rate_limited: Codex is busy: all 1 sessions are running turns/);
    assert.equal(textOf(await first), 'echo: slow');
  });
});
