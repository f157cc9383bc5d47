/**
 * One strictness everywhere (issue 10): MCP and `POST /v1/tools/call` refuse the same arguments
 * with the same `invalid_arguments` message, and the `codex` tool offers only the approval
 * policies the detected Codex accepts; a refused value is a 400, never a 500, and starts no Codex.
 * Real server, real MCP SDK Client, real Codex binaries of both backends, fake model.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { RunningGovernanceServer } from '../../src/server/api';
import { startGovernanceServer } from '../../src/server/server';
import type { CodexSupervisorOptions } from '../../src/supervisor/api';
import { killAllSpawned } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { codexBinaries, codexPerBackend } from '../fakes/codex-processes';
import { replyMessage, startFakeModelServer, type FakeModelServer } from '../fakes/fake-model-server';
import { connectMcp } from '../helpers/governance-server';

const TOKEN = 'strict-arguments-token-0123456789';
const bins = codexBinaries();
/** Observed with the binaries: 0.153.4 mcp-server's own `codex` tool schema; app-server `thread/start` AskForApproval. */
const ACCEPTED = { 'mcp-server': ['on-request', 'never'], 'app-server': ['untrusted', 'on-request', 'never'] } as const;

interface CallResponse {
  success: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string; [k: string]: unknown };
}

interface Harness {
  fake: FakeModelServer;
  home: CodexHome;
  dataDir: string;
  server: RunningGovernanceServer;
  client: Client;
  childStarts: number;
}

async function startHarness(codex: (home: CodexHome) => CodexSupervisorOptions): Promise<Harness> {
  const fake = await startFakeModelServer({});
  const home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-strict-args-'));
  const server = await startGovernanceServer({
    port: 0,
    dataDir,
    token: TOKEN,
    rateLimitPerMinute: 100_000,
    hostKind: 'test',
    codex: { env: home.env, defaultCwd: home.workDir, warmSpares: 0, ...codex(home) },
  });
  const client = await connectMcp(server.url, TOKEN, 'strict-arguments');
  const h: Harness = { fake, home, dataDir, server, client, childStarts: 0 };
  server.app.codex.events.on('child-started', () => h.childStarts++);
  return h;
}

async function stopHarness(h: Harness | undefined): Promise<void> {
  if (!h) return;
  await h.client.close();
  await h.server.close();
  await h.fake.close();
  await h.home.cleanup();
  rmSync(h.dataDir, { recursive: true, force: true });
}

function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

/** Codex processes among this test process's descendants (Linux /proc; others' tests on the machine do not count). */
function codexDescendants(): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...parentOf.keys()].filter((pid) => {
    if (!isDescendant(pid)) return false;
    try {
      return /(^|\/)codex$/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '');
    } catch {
      return false;
    }
  });
}

async function adapterCall(h: Harness, name: string, args: Record<string, unknown>): Promise<{ status: number; body: CallResponse }> {
  const res = await fetch(`${h.server.url}/v1/tools/call`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, arguments: args }),
  });
  return { status: res.status, body: (await res.json()) as CallResponse };
}

async function mcpCall(h: Harness, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await h.client.callTool({ name, arguments: args })) as CallToolResult;
}

/** Both transports refuse `args` as invalid_arguments with the same message, and no Codex started; returns the message. */
async function refusedAlike(h: Harness, name: string, args: Record<string, unknown>): Promise<string> {
  const before = h.childStarts;
  const { status, body } = await adapterCall(h, name, args);
  assert.equal(status, 400, JSON.stringify(body));
  assert.equal(body.success, false);
  assert.equal(body.error?.code, 'invalid_arguments');
  const message = body.error.message;
  const r = await mcpCall(h, name, args);
  assert.equal(r.isError, true, textOf(r));
  assert.equal(textOf(r), `invalid_arguments: ${message}`, 'MCP says exactly what the adapter says');
  assert.equal(h.childStarts, before, 'no Codex child was started');
  assert.deepEqual(codexDescendants(), [], 'no Codex process is running');
  assert.equal(h.server.app.codex.list().length, 0, 'no Codex session was created');
  return message;
}

async function publishedSchemas(h: Harness): Promise<{ mcp: Map<string, Record<string, any>>; adapter: Map<string, Record<string, any>> }> {
  const listed = await h.client.listTools();
  const res = await fetch(`${h.server.url}/v1/tools`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  const data = (await res.json()) as { tools: Array<{ function: { name: string; parameters: Record<string, any> } }> };
  return {
    mcp: new Map(listed.tools.map((t) => [t.name, t.inputSchema as Record<string, any>])),
    adapter: new Map(data.tools.map((t) => [t.function.name, t.function.parameters])),
  };
}

for (const { backend, located, title } of codexPerBackend()) {
  describe(`strict arguments with real Codex (${title})`, function () {
    this.timeout(90_000);
    let h: Harness;
    const accepted = ACCEPTED[backend];

    before(async () => {
      h = await startHarness(() => ({ located }));
    });
    after(async () => {
      await stopHarness(h);
      await killAllSpawned();
    });

    it('tools/list and GET /v1/tools publish the same strict schemas; codex offers only what this Codex accepts', async () => {
      const { mcp, adapter } = await publishedSchemas(h);
      assert.deepEqual([...mcp.keys()].sort(), [...adapter.keys()].sort());
      for (const [name, schema] of mcp) {
        assert.deepEqual(schema, adapter.get(name), `${name}: same schema on both protocols`);
        assert.equal(schema.additionalProperties, false, `${name}: unknown arguments are not allowed`);
      }
      const codex = mcp.get('codex')!;
      assert.deepEqual(codex.properties['approval-policy'].enum, [...accepted]);
      assert.match(codex.properties['approval-policy'].description, new RegExp(`Codex ${located.version} on the ${backend} backend`));
      assert.deepEqual(codex.properties.sandbox.enum, ['read-only', 'workspace-write', 'danger-full-access', 'isolated', 'full-access']);
    });

    it('an unknown argument is refused identically over MCP and /v1/tools/call, naming it and the accepted ones, and starts no Codex', async () => {
      const codexMessage = await refusedAlike(h, 'codex', { prompt: 'hi', cwd: h.home.workDir, profile: 'x' });
      assert.match(codexMessage, /^Invalid arguments for codex: profile: unknown argument\. Accepted arguments: prompt, approval-policy, sandbox, /);
      const pauMessage = await refusedAlike(h, 'process_agent_update', { operation: 'work', complexity: 0.2, made_up_flag: true, other: 1 });
      assert.equal(pauMessage, 'Invalid arguments for process_agent_update: made_up_flag: unknown argument; other: unknown argument. Accepted arguments: agent_id, operation, complexity, confidence.');
      const { body } = await adapterCall(h, 'process_agent_update', { operation: 'work', made_up_flag: true });
      assert.equal(body.error?.field, 'made_up_flag');
      assert.deepEqual(body.error?.accepted_arguments, ['agent_id', 'operation', 'complexity', 'confidence']);
    });

    it('approval-policy on-failure is invalid_arguments naming the accepted values (HTTP 400, not 500)', async () => {
      const message = await refusedAlike(h, 'codex', { prompt: 'hi', cwd: h.home.workDir, 'approval-policy': 'on-failure' });
      assert.equal(message, `Invalid arguments for codex: approval-policy: "on-failure" is not accepted by Codex ${located.version} (${backend} backend); use one of ${accepted.join(', ')}.`);
    });

    if (backend === 'mcp-server') {
      it('approval-policy untrusted, refused by 0.153.4 mcp-server, is invalid_arguments naming on-request and never', async () => {
        const message = await refusedAlike(h, 'codex', { prompt: 'hi', cwd: h.home.workDir, 'approval-policy': 'untrusted' });
        assert.equal(message, 'Invalid arguments for codex: approval-policy: "untrusted" is not accepted by Codex 0.153.4 (mcp-server backend); use one of on-request, never.');
      });
    }

    it('every offered approval policy runs a real turn', async () => {
      for (const policy of accepted) {
        h.fake.enqueue(replyMessage(`ran with ${policy}`));
        const { status, body } = await adapterCall(h, 'codex', { prompt: 'hi', cwd: h.home.workDir, sandbox: 'read-only', 'approval-policy': policy });
        assert.equal(status, 200, JSON.stringify(body));
        assert.equal(body.result?.content, `ran with ${policy}`);
      }
    });

    it("the codex tools' documented aliases still pass", async () => {
      h.fake.enqueue(replyMessage('alias turn'), replyMessage('reply by conversation_id'), replyMessage('reply by conversationId'), replyMessage('reply by session_id'));
      const first = await mcpCall(h, 'codex', {
        prompt: 'hi',
        cwd: h.home.workDir,
        sandbox: 'isolated',
        full_auto: true,
        reasoning_effort: 'low',
        verbosity: 'low',
        mode: 'ci',
        agent_id: 'alias-agent',
      });
      assert.ok(!first.isError, textOf(first));
      assert.equal(textOf(first), 'alias turn');
      const { threadId, session_id } = first.structuredContent as { threadId: string; session_id: string };
      const byConversation = await adapterCall(h, 'codex-reply', { prompt: 'more', conversation_id: threadId });
      assert.equal(byConversation.status, 200, JSON.stringify(byConversation.body));
      assert.equal(byConversation.body.result?.content, 'reply by conversation_id');
      const byOldName = await mcpCall(h, 'codex-reply', { prompt: 'more', conversationId: threadId });
      assert.equal(textOf(byOldName), 'reply by conversationId');
      const bySession = await mcpCall(h, 'codex-reply', { prompt: 'more', session_id });
      assert.equal(textOf(bySession), 'reply by session_id');
      const record = h.server.app.codex.info(session_id);
      assert.equal(record.sandbox, 'workspace-write', 'isolated = workspace-write');
      assert.equal(record.approvalPolicy, 'never', 'full_auto = never');
      // full-access passes validation (what happens next is the approval gate's business).
      const full = await adapterCall(h, 'codex', { prompt: 'hi', cwd: h.home.workDir, sandbox: 'full-access' });
      assert.notEqual(full.body.error?.code, 'invalid_arguments', JSON.stringify(full.body));
    });
  });
}

describe('strict arguments when Codex is not found at server start', function () {
  this.timeout(60_000);
  let h: Harness | undefined;
  let root: string;
  let later: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'cg-strict-later-'));
    later = join(root, 'codex');
    h = await startHarness(() => ({ codexPath: later }));
  });
  after(async () => {
    await stopHarness(h);
    rmSync(root, { recursive: true, force: true });
    await killAllSpawned();
  });

  it("offers every backend's approval policies, then refuses what the Codex located at call time does not accept", async () => {
    const { mcp } = await publishedSchemas(h!);
    const policy = mcp.get('codex')!.properties['approval-policy'];
    assert.deepEqual(policy.enum, ['untrusted', 'on-request', 'never']);
    assert.match(policy.description, /on-request, never on the mcp-server backend \(Codex 0\.153\.x and older\); untrusted, on-request, never on the app-server backend/);
    const noneAccepts = await refusedAlike(h!, 'codex', { prompt: 'hi', 'approval-policy': 'on-failure' });
    assert.equal(
      noneAccepts,
      'Invalid arguments for codex: approval-policy: "on-failure" is not an approval policy Codex accepts; use on-request, never on the mcp-server backend (Codex 0.153.x and older); untrusted, on-request, never on the app-server backend.',
    );
    // Codex 0.153.4 appears at the configured path after the server started.
    symlinkSync(bins.legacy, later);
    const message = await refusedAlike(h!, 'codex', { prompt: 'hi', 'approval-policy': 'untrusted' });
    assert.equal(message, 'Invalid arguments for codex: approval-policy: "untrusted" is not accepted by Codex 0.153.4 (mcp-server backend); use one of on-request, never.');
  });
});
