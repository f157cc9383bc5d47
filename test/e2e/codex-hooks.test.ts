/**
 * Codex sessions this project did not start, governed through Codex's hooks (issue 14), with the
 * real Codex (the pinned `@openai/codex`) against the fake Responses API. Codex is configured only
 * by `codex-governance connect codex --hooks --trust`; the hooks it installs run
 * `codex-governance hook`, which finds the governance server through the data directory.
 * - `codex exec` (approval policy forced to never): tool calls are recorded, the session is
 *   observed as "Codex CLI (exec)", nothing is asked.
 * - an app-server session (on-request, read-only sandbox): an escalated command allowed, an
 *   apply_patch denied and an escalated command timed out, all through the approval broker; the
 *   app-server client is never asked.
 * - a PAUSEd agent's tool call is blocked with the reason.
 * - with the server stopped, Codex falls back to its own approvals and nothing is allowed by the hook.
 * Run `node esbuild.mjs` first (dist/cli.js, dist/hook.js).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseApprovalPolicy } from '../../src/approvals/policy';
import { ScriptedPrompter } from '../../src/approvals/prompters';
import { agentIdForSession } from '../../src/hooks/events';
import type { RunningGovernanceServer } from '../../src/server/api';
import { startGovernanceServer } from '../../src/server/server';
import { bundledCodex, startCodexAppServer, type CodexAppServer } from '../fakes/codex-processes';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { replyExec, replyMessage, startFakeModelServer, type FakeModelServer, type RecordedRequest, type Turn } from '../fakes/fake-model-server';

const CLI = resolve(__dirname, '../../dist/cli.js');
const TOKEN = 'codex-hooks-e2e-token-0123456789';
/** A model slug Codex knows, so it offers apply_patch (it does not for the fake's own name). */
const MODEL = 'gpt-5.5';

function run(command: string, args: string[], env: Record<string, string>, cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const proc = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

/** The output the model got for its latest tool call (the request's last function or custom tool call output; Codex may add items after it). */
function lastToolOutput(req: RecordedRequest): string {
  const items = (req.body?.input ?? []) as Array<{ type?: unknown; output?: unknown }>;
  const last = items.findLast((i) => typeof i.type === 'string' && i.type.endsWith('call_output'));
  if (!last) return '';
  return typeof last.output === 'string' ? last.output : JSON.stringify(last.output);
}

/** How the test calls the server's tools in process (as the VS Code client does). */
const CALL_CTX = { caller: { agentId: 'codex-hooks-e2e', anonymous: false, transport: 'in-process' as const }, signal: new AbortController().signal };

const patchAdding = (file: string) => `*** Begin Patch\n*** Add File: ${file}\n+governed\n*** End Patch\n`;

describe('Codex hooks: sessions we did not start, governed through the hooks', function () {
  this.timeout(600_000);
  const codex = bundledCodex().current;
  let fake: FakeModelServer;
  let home: CodexHome;
  let dataDir: string;
  let server: RunningGovernanceServer | undefined;
  let prompter: ScriptedPrompter;
  const apps: CodexAppServer[] = [];

  async function startServer(): Promise<void> {
    server = await startGovernanceServer({ port: 0, dataDir, token: TOKEN, hostKind: 'test', rateLimitPerMinute: 100_000, approvals: { policy: parseApprovalPolicy({ timeoutSeconds: 4 }) } });
    prompter = new ScriptedPrompter();
    server.app.approvals.setPrompter(prompter);
  }

  /** One app-server turn on a new thread; `beforeTurn` runs with the thread id. Returns the client's approval requests. */
  async function appServerTurn(turns: Turn[], sandbox: string, beforeTurn?: (threadId: string) => Promise<void>, clientAnswer = 'decline'): Promise<{ threadId: string; clientAsked: string[]; outputs: string[] }> {
    const app = await startCodexAppServer(codex.path, home);
    apps.push(app);
    const clientAsked: string[] = [];
    for (const m of ['item/commandExecution/requestApproval', 'item/fileChange/requestApproval', 'item/permissions/requestApproval']) {
      app.rpc.onRequest(m, () => {
        clientAsked.push(m);
        return Promise.resolve({ decision: clientAnswer });
      });
    }
    const started = await app.rpc.request<{ thread: { id: string } }>('thread/start', { cwd: home.workDir, approvalPolicy: 'on-request', sandbox, model: MODEL });
    const threadId = started.thread.id;
    await beforeTurn?.(threadId);
    const before = fake.responsesRequests().length;
    fake.enqueue(...turns);
    await app.rpc.request('turn/start', { threadId, input: [{ type: 'text', text: 'do the work' }] });
    await app.rpc.waitForNotification((n) => n.method === 'turn/completed', 300_000);
    const outputs = fake.responsesRequests().slice(before + 1).map(lastToolOutput);
    await app.close();
    return { threadId, clientAsked, outputs };
  }

  before(async function () {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run node esbuild.mjs first');
    fake = await startFakeModelServer();
    home = await createCodexHome({ modelBaseUrl: fake.baseUrl, extraConfig: { model: MODEL } });
    dataDir = mkdtempSync(join(tmpdir(), 'cg-hooks-e2e-'));
    // The hook reads the token where the CLI keeps it; Codex's environment carries none.
    writeFileSync(join(dataDir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
    await startServer();
    const connected = await run(process.execPath, [CLI, 'connect', 'codex', '--config', home.configPath, '--data-dir', dataDir, '--hooks', '--trust'], home.env);
    assert.equal(connected.code, 0, connected.stderr);
    const config = readFileSync(home.configPath, 'utf8');
    for (const e of ['SessionStart', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop']) assert.match(config, new RegExp(`\\[\\[hooks\\.${e}\\]\\]`));
    assert.match(config, /trusted_hash = "sha256:/);
  });

  after(async () => {
    for (const a of apps) await a.close().catch(() => undefined);
    await server?.close();
    await fake?.close();
    await home?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('codex exec: the session is observed as Codex CLI (exec), its tool calls recorded and audited', async () => {
    fake.enqueue(replyExec('echo governed-exec'), replyMessage('done'));
    const r = await run(codex.path, ['exec', '--skip-git-repo-check', '-C', home.workDir, 'run it'], home.env, home.workDir);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const list = await server!.app.registry.call('list_observed_sessions', { source: 'codex-exec' }, CALL_CTX);
    const sessions = (list as { sessions: Array<{ session_id: string; tool_calls: number; turns: number; agent_id: string; codex_version: string }> }).sessions;
    assert.equal(sessions.length, 1);
    const s = sessions[0]!;
    assert.equal(s.tool_calls, 1);
    assert.equal(s.turns, 1);
    assert.equal(s.codex_version, codex.version);
    assert.equal(s.agent_id, agentIdForSession(s.session_id));
    const metrics = await server!.app.governance.getMetrics(s.agent_id, { historyLimit: 5 });
    assert.deepEqual(metrics.history.map((h) => h.operation), ['Bash: echo governed-exec', 'Turn ended: done']);
    const audit = (await server!.app.audit.read({ limit: 1000 })).entries.filter((e) => e.session === s.session_id);
    assert.deepEqual(audit.map((e) => e.type), ['hook.session_start', 'hook.tool_used', 'hook.turn_ended']);
  });

  it('app-server session: approvals answered through the broker (allow, deny, timeout); the client is never asked', async () => {
    const outA = join(home.workDir, 'allowed.txt');
    prompter = new ScriptedPrompter([{ decision: 'allow_once' }, { decision: 'deny', reason: 'No patches today.' }, 'hang']);
    server!.app.approvals.setPrompter(prompter);
    const r = await appServerTurn(
      [
        replyExec(`echo allowed > ${outA}`, { escalateWithJustification: 'write the result' }),
        { kind: 'items', items: [{ type: 'custom_tool_call', id: 'ctc_1', call_id: 'call_patch_1', name: 'apply_patch', input: patchAdding('denied.txt') }] },
        replyExec(`echo late > ${join(home.workDir, 'late.txt')}`, { escalateWithJustification: 'one more' }),
        replyMessage('finished'),
      ],
      'read-only',
    );
    assert.deepEqual(r.clientAsked, [], 'the hook answered every approval');
    assert.equal(readFileSync(outA, 'utf8').trim(), 'allowed');
    assert.ok(!existsSync(join(home.workDir, 'denied.txt')), 'the denied patch was not applied');
    assert.ok(!existsSync(join(home.workDir, 'late.txt')), 'the timed-out command did not run');
    assert.match(r.outputs[1]!, /No patches today\./);
    assert.match(r.outputs[2]!, /No answer within 4 s/);
    assert.deepEqual(prompter.seen.map((p) => [p.source, p.command?.slice(0, 20)]), [
      ['codex-hook', `echo allowed > ${outA}`.slice(0, 20)],
      ['codex-hook', '*** Begin Patch\n*** '],
      ['codex-hook', `echo late > ${join(home.workDir, 'late.txt')}`.slice(0, 20)],
    ]);
    const answered = (await server!.app.audit.read({ limit: 1000 })).entries.filter((e) => e.type === 'approval.answered' && e.session === r.threadId);
    assert.deepEqual(answered.map((e) => [e.decision, e.decided_by]), [['allow_once', 'person'], ['deny', 'person'], ['deny', 'timeout']]);
    const got = (await server!.app.registry.call('get_observed_session', { session_id: r.threadId }, CALL_CTX)) as { session: { source: string; approvals: number; approvals_denied: number }; events: Array<{ event: string; decision: string | null }> };
    assert.equal(got.session.source, 'app-server');
    assert.equal(got.session.approvals, 3);
    assert.equal(got.session.approvals_denied, 2);
    assert.deepEqual(got.events.filter((e) => e.event === 'PermissionRequest').map((e) => e.decision), ['allow', 'deny', 'deny']);
  });

  it("a PAUSEd agent's tool call is blocked with the reason", async () => {
    const r = await appServerTurn([replyExec('echo should-not-run'), replyMessage('ok')], 'workspace-write', async (threadId) => {
      const agent = agentIdForSession(threadId);
      for (let i = 0; i < 40; i++) {
        if ((await server!.app.governance.processUpdate({ agentId: agent, operation: `risky ${i}`, complexity: 1, confidence: 0.05 })).governance_decision.action === 'PAUSE') return;
      }
      assert.fail('the agent never got PAUSE');
    });
    assert.match(r.outputs[0]!, /Command blocked by PreToolUse hook: Codex Governance paused agent codex-[0-9a-f]{8}/);
    const denied = (await server!.app.audit.read({ limit: 1000 })).entries.filter((e) => e.type === 'hook.tool_denied' && e.session === r.threadId);
    assert.equal(denied.length, 1);
  });

  it('with the server stopped, Codex falls back to its own approvals and the hook allows nothing', async () => {
    await server!.close();
    server = undefined;
    const out = join(home.workDir, 'offline.txt');
    const r = await appServerTurn([replyExec(`echo offline > ${out}`, { escalateWithJustification: 'needs it' }), replyMessage('ok')], 'read-only', undefined, 'decline');
    assert.deepEqual(r.clientAsked, ['item/commandExecution/requestApproval'], "Codex's own approval flow asked the client");
    assert.ok(!existsSync(out), 'declined by the client: nothing ran');
    // And a plain exec session still works without the server (defer).
    fake.enqueue(replyExec('echo still-works'), replyMessage('done'));
    const e = await run(codex.path, ['exec', '--skip-git-repo-check', '-C', home.workDir, 'run it'], home.env, home.workDir);
    assert.equal(e.code, 0, e.stderr.slice(-2000));
    assert.match(lastToolOutput(fake.responsesRequests().at(-1)!), /still-works/);
  });
});
