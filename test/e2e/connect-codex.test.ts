/**
 * `codex-governance connect codex` / `disconnect codex` with the real Codex (the pinned
 * `@openai/codex`) against the fake Responses API: Codex is configured only through `connect codex`,
 * calls a governance tool through the stdio bridge with no token in its environment, keeps working
 * after the server moved to another port, sees the hooks `--trust` installed as trusted, and
 * `disconnect` gives the file back byte for byte (or removes only our block after other edits).
 * Run `node esbuild.mjs` first (dist/cli.js).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundledCodex, startCodexAppServer } from '../fakes/codex-processes';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { functionCallOutput, replyExec, replyMessage, scriptMcpToolCall, startFakeModelServer, type FakeModelServer } from '../fakes/fake-model-server';

const CLI = resolve(__dirname, '../../dist/cli.js');

interface Run {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: Record<string, string>, cwd?: string): Run {
  const proc = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

async function waitFor(pred: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('connect codex: the real Codex through the bridge', function () {
  this.timeout(300_000);
  const codex = bundledCodex().current;
  let home: CodexHome;
  let fake: FakeModelServer;
  let dataDir: string;
  let server: Run | undefined;
  let original: string;

  /** The CLI with Codex's own environment (no token variable anywhere). */
  const cli = async (...args: string[]) => {
    const r = run(process.execPath, [CLI, ...args], home.env);
    const code = await r.exited;
    return { code, stdout: r.stdout(), stderr: r.stderr() };
  };

  async function startServer(): Promise<string> {
    const env = { ...home.env };
    const r = run(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir], env);
    server = r;
    await waitFor(() => /serving (http:\/\/127\.0\.0\.1:\d+)/.test(r.stdout()), `the server to listen (stderr: ${r.stderr()})`);
    return /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout())?.[1] as string;
  }

  /** The sessions the governance server saw through Codex hooks (`list_observed_sessions` over HTTP). */
  async function observedSessions(): Promise<{ session_id: string }[]> {
    return (await callTool<{ sessions: { session_id: string }[] }>('list_observed_sessions', {})).sessions;
  }

  /** A governance tool over `POST /v1/tools/call`, with the server and token found in the data dir. */
  async function callTool<T>(name: string, args: Record<string, unknown>): Promise<T> {
    const owner = JSON.parse(readFileSync(join(dataDir, 'owner.json'), 'utf8')) as { port: number };
    const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
    const res = await fetch(`http://127.0.0.1:${owner.port}/v1/tools/call`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, arguments: args }),
    });
    const body = (await res.json()) as { success: boolean; result: T };
    assert.equal(body.success, true, JSON.stringify(body));
    return body.result;
  }

  async function stopServer(): Promise<void> {
    if (!server || server.proc.exitCode !== null) return;
    server.proc.kill('SIGTERM');
    await server.exited;
  }

  /**
   * One `codex exec` turn whose model runs `sleep 2`, then calls `health_check` of the governance
   * server, then answers. Why the sleep: Codex builds the first tool list of a session after waiting
   * at most `mcp_optional_startup_grace_ms` (1 s by default) for stdio servers, and on this shared
   * test machine starting Node alone can take longer; later requests list servers that became ready.
   */
  async function execCallingHealthCheck(): Promise<{ code: number | null; output: string | undefined; stdout: string; stderr: string }> {
    const before = fake.responsesRequests().length;
    fake.enqueue(replyExec('sleep 2'), scriptMcpToolCall('codex-governance', 'health_check', {}), (req) => replyMessage(`seen: ${functionCallOutput(req) ?? 'nothing'}`));
    const r = run(codex.path, ['exec', '--skip-git-repo-check', '--json', '-C', home.workDir, 'check the governance server'], home.env, home.workDir);
    const code = await r.exited;
    const third = fake.responsesRequests()[before + 2];
    return { code, output: third ? functionCallOutput(third) : undefined, stdout: r.stdout(), stderr: r.stderr().slice(-3000) };
  }

  before(async () => {
    assert.ok(existsSync(CLI), 'dist/cli.js is missing: run node esbuild.mjs first');
    fake = await startFakeModelServer();
    home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
    // A comment and a key of the person's own, which every edit must keep.
    original = `# my own settings\n${readFileSync(home.configPath, 'utf8')}`;
    writeFileSync(home.configPath, original);
    dataDir = mkdtempSync(join(tmpdir(), 'cg-connect-data-'));
    await startServer();
  });

  after(async () => {
    await stopServer();
    await fake?.close();
    await home?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('--dry-run prints the unified diff and writes nothing', async () => {
    const r = await cli('connect', 'codex', '--config', home.configPath, '--data-dir', dataDir, '--hooks', '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Index: .*config\.toml\n=+\n--- .*\n\+\+\+ .*\n@@ /);
    assert.match(r.stdout, /^\+\[mcp_servers\.codex-governance\]$/m);
    assert.match(r.stdout, /^\+\[\[hooks\.PermissionRequest\.hooks\]\]$/m);
    assert.equal(readFileSync(home.configPath, 'utf8'), original);
    assert.ok(!existsSync(join(dataDir, 'connect')), 'no connect state recorded');
  });

  it('connects: codex exec calls a governance tool through the bridge, with no token in its config or environment', async () => {
    const r = await cli('connect', 'codex', '--config', home.configPath, '--data-dir', dataDir);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(home.configPath, 'utf8');
    assert.ok(text.startsWith(original), 'the person\'s text is kept as it was');
    const token = readFileSync(join(dataDir, 'token'), 'utf8').trim();
    const added = text.slice(original.length);
    assert.ok(!text.includes(token) && !/url\s*=|bearer_token|127\.0\.0\.1/.test(added), 'no URL, port or token in what connect added');
    assert.ok(!Object.keys(home.env).some((k) => /TOKEN/.test(k)), 'no token variable in the environment Codex runs with');

    const exec = await execCallingHealthCheck();
    assert.equal(exec.code, 0, exec.stderr);
    assert.match(exec.output ?? '', /"ok":\s*true/, `tool output: ${exec.output}`);

    // The MCP settings' "Test connection" (and `mcp test`) of the same entry: no variable needed either.
    const test = await cli('mcp', 'test', 'codex-governance', '--config', home.configPath);
    assert.equal(test.code, 0, test.stderr);
    assert.match(test.stdout, /connected in \d+ ms; \d+ tool\(s\): .*health_check/);
  });

  it('keeps working after the server moved to another port (the bridge reads the port again)', async () => {
    const firstPort = JSON.parse(readFileSync(join(dataDir, 'owner.json'), 'utf8')) as { port: number };
    await stopServer();
    let url = await startServer();
    // Port 0 may hand out the same port again; then move once more.
    if (url.endsWith(`:${firstPort.port}`)) {
      await stopServer();
      url = await startServer();
    }
    assert.ok(!url.endsWith(`:${firstPort.port}`), 'the server runs on another port now');
    const exec = await execCallingHealthCheck();
    assert.equal(exec.code, 0, exec.stderr);
    assert.match(exec.output ?? '', /"ok":\s*true/, `tool output: ${exec.output}`);
  });

  it('with no server running, the bridge fails at once with how to start it, and Codex goes on without its tools', async () => {
    await stopServer();
    try {
      const started = Date.now();
      const test = await cli('mcp', 'test', 'codex-governance', '--config', home.configPath);
      assert.equal(test.code, 1);
      assert.match(test.stderr, /not running for the data directory .*Start the governance server: .*codex-governance serve --data-dir/s);
      assert.ok(Date.now() - started < 20_000, `mcp test took ${Date.now() - started} ms`);
      // Codex does not offer the tools of a server that failed to start (the fake answers 400 naming what was offered).
      const exec = await execCallingHealthCheck();
      assert.notEqual(exec.code, 0);
      assert.match(exec.stdout, /did not offer mcp__codex_governance\/health_check/);
    } finally {
      await startServer();
    }
  });

  it('--hooks --trust: the app-server lists the five hooks as trusted (Codex computed the same key and hash)', async () => {
    const r = await cli('connect', 'codex', '--config', home.configPath, '--data-dir', dataDir, '--hooks', '--trust');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(home.configPath, 'utf8').startsWith(original));
    const app = await startCodexAppServer(codex.path, home);
    try {
      const listed = await app.rpc.request<{ data: { hooks: { key: string; eventName: string; trustStatus: string; command: string }[] }[] }>('hooks/list', { cwds: [home.workDir] });
      const hooks = listed.data.flatMap((d) => d.hooks);
      assert.deepEqual(hooks.map((h) => h.eventName).sort(), ['permissionRequest', 'postToolUse', 'preToolUse', 'sessionStart', 'stop']);
      for (const h of hooks) {
        assert.equal(h.trustStatus, 'trusted', `${h.key} is ${h.trustStatus}`);
        assert.match(h.command, /hook(\.js)? --data-dir /);
      }
    } finally {
      await app.close();
    }
  });

  it('--hooks --trust: codex exec runs the trusted hooks without asking, and the server records the session they report', async () => {
    const before = await observedSessions();
    const exec = await execCallingHealthCheck();
    assert.equal(exec.code, 0, exec.stderr);
    const threadId = /"thread_id":"([^"]+)"/.exec(exec.stdout)?.[1];
    assert.ok(threadId, 'exec printed its thread id');
    const after = await observedSessions();
    const seen = after.find((s) => s.session_id === threadId);
    assert.ok(seen, `the hooks reported thread ${threadId} (sessions before: ${before.length}, after: ${after.length})`);
    // Untrusted hooks are skipped silently: any event recorded proves Codex ran them without asking.
    const events = await callTool<{ events: { event: string }[] }>('get_observed_session', { session_id: threadId });
    const names = events.events.map((e) => e.event);
    assert.ok(names.includes('SessionStart'), `events: ${names.join(', ')}`);
  });

  it('disconnect restores the file byte for byte when nothing else changed it', async () => {
    const r = await cli('disconnect', 'codex', '--config', home.configPath);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /byte for byte/);
    assert.equal(readFileSync(home.configPath, 'utf8'), original);
  });

  it('after other edits, disconnect removes only what connect added', async () => {
    assert.equal((await cli('connect', 'codex', '--config', home.configPath, '--data-dir', dataDir, '--hooks')).code, 0);
    const connected = readFileSync(home.configPath, 'utf8');
    const edited = `# a line added later\n${connected}\n[mcp_servers.other]\ncommand = "other-server"\n`;
    writeFileSync(home.configPath, edited);
    const r = await cli('disconnect', 'codex', '--config', home.configPath);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /other changes are kept/);
    assert.equal(readFileSync(home.configPath, 'utf8'), `# a line added later\n${original}\n[mcp_servers.other]\ncommand = "other-server"\n`);
  });
});
