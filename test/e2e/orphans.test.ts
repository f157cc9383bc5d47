/**
 * No orphans, however the governance server ends (issue 10 part 6). A real server runs in a
 * process of its own (test/fakes/governance-server-process.ts) with the real Codex binaries on
 * both backends; the fake model makes Codex run `sleep 300` (writing its PID to a file first). Then
 * the server is SIGKILLed (no cleanup code of ours runs) or closed normally, and every process of
 * its tree seen while the command ran (Codex, the command, the spare Codex, the watchdogs) must be
 * gone within a bounded time. Linux only: it reads /proc.
 *
 * The supervisor's own close paths (cancel, close) are checked in-process: they must leave no
 * watchdog behind either.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { liveChildren, liveTreePids, WATCHDOG_NAME, type ChildHandle } from '../../src/supervisor/process';
import { CodexSupervisor } from '../../src/supervisor/supervisor';
import { killAllSpawned, processAlive, spawnDetached } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { codexPerBackend } from '../fakes/codex-processes';
import { replyExec, replyMessage, startFakeModelServer, type FakeModelServer } from '../fakes/fake-model-server';
import type { ServerProcessConfig, ServerProcessReady } from '../fakes/governance-server-process';

const ROOT = join(__dirname, '..', '..');
const SERVER_SCRIPT = join(ROOT, 'test', 'fakes', 'governance-server-process.ts');
/** How long everything may take to go once its parent is gone (ms). */
const GONE_WITHIN_MS = 10_000;

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** `comm` and argv of a live process, or undefined once it is gone (Linux /proc). */
function procInfo(pid: number): { comm: string; argv: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return { comm, argv };
  } catch {
    return undefined;
  }
}

/** The PID a watchdog watches (its last argument), or undefined when `pid` is no watchdog. */
function watchedBy(pid: number): number | undefined {
  const argv = procInfo(pid)?.argv;
  return argv?.includes(WATCHDOG_NAME) ? Number(argv.at(-1)) : undefined;
}

/** Live watchdogs started by this test process for any of `pids`. */
async function ourWatchdogsOf(pids: readonly number[]): Promise<number[]> {
  return (await childrenOf(process.pid)).filter((w) => pids.includes(watchedBy(w) ?? -1));
}

/** Live processes whose parent is `ppid` (Linux /proc). */
async function childrenOf(ppid: number): Promise<number[]> {
  const out: number[] = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid && (await processAlive(Number(e)))) out.push(Number(e));
    } catch {
      // Gone while we looked.
    }
  }
  return out;
}

/** What was running in the server's tree while the command ran. */
interface Snapshot {
  all: number[];
  codex: number[];
  command: number;
  watchdogs: number[];
}

async function snapshot(serverPid: number, commandPid: number): Promise<Snapshot> {
  const all = (await liveTreePids(serverPid)).filter((p) => p !== serverPid);
  const codex = await childrenOf(serverPid).then((kids) => kids.filter((p) => procInfo(p)?.comm === 'codex'));
  const watchdogs = all.filter((p) => watchedBy(p) !== undefined);
  const listing = all.map((p) => `${p} ${procInfo(p)?.argv.join(' ').slice(0, 80)}`).join(' | ');
  assert.ok(all.includes(commandPid), `the command ${commandPid} is in the server's tree: ${listing}`);
  assert.ok(codex.length >= 1, `a Codex child runs: ${listing}`);
  // The session's child and the warm spare each have theirs.
  for (const c of codex) assert.ok(watchdogs.some((w) => watchedBy(w) === c), `Codex ${c} has a watchdog: ${listing}`);
  return { all, codex, command: commandPid, watchdogs };
}

async function assertAllGone(snap: Snapshot): Promise<void> {
  const alive = async () => (await Promise.all(snap.all.map(async (p) => ((await processAlive(p)) ? p : 0)))).filter(Boolean);
  const started = Date.now();
  try {
    await waitFor('every process of the tree to end', async () => (await alive()).length === 0, GONE_WITHIN_MS);
  } catch {
    const left = await alive();
    assert.fail(`still running ${Date.now() - started} ms later: ${left.map((p) => `${p} ${procInfo(p)?.argv.join(' ')}`).join(' | ')}`);
  }
}

for (const { backend, located, title } of codexPerBackend()) {
  describe(`no orphans when the governance server ends (${title})`, function () {
    this.timeout(90_000);
    let fake: FakeModelServer;
    let home: CodexHome;
    let dataDir: string;
    let server: ChildHandle | undefined;
    let client: Client | undefined;
    // Killed after a failed test so that a regression leaves no `sleep 300` or Codex behind.
    let seen: number[] = [];

    beforeEach(async () => {
      fake = await startFakeModelServer({});
      home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
      dataDir = mkdtempSync(join(tmpdir(), 'cg-orphans-'));
    });
    afterEach(async () => {
      await client?.close().catch(() => undefined);
      client = undefined;
      await server?.kill(0);
      server = undefined;
      for (const pid of seen.splice(0)) {
        if (await processAlive(pid)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Gone meanwhile.
          }
        }
      }
      await fake.close();
      await home.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });
    after(() => killAllSpawned());

    /** Starts the server process and a `codex` call whose command is running; returns the snapshot. */
    async function serverRunningACommand(): Promise<{ ready: ServerProcessReady; snap: Snapshot; call: Promise<unknown> }> {
      const cfg: ServerProcessConfig = { backend, binary: located.path, version: located.version, dataDir, env: home.env, cwd: home.workDir };
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
      server = await spawnDetached(process.execPath, ['--import', 'tsx', SERVER_SCRIPT, JSON.stringify(cfg)], { env, cwd: ROOT });
      const proc = server;
      const ready = await new Promise<ServerProcessReady>((resolve, reject) => {
        let out = '';
        proc.child.stdout.setEncoding('utf8');
        proc.child.stdout.on('data', (d: string) => {
          out += d;
          const nl = out.indexOf('\n');
          if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as ServerProcessReady);
        });
        void proc.exited.then((e) => reject(new Error(`the server exited (${JSON.stringify(e)}): ${proc.stderrTail()}`)));
      });
      client = new Client({ name: 'orphans-test', version: '0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${ready.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${ready.token}` } } }));

      const pidFile = join(home.root, 'command.pid');
      // `exec` makes the PID in the file the sleep itself (no shell left in between).
      fake.enqueue(replyExec(`echo $$ > ${pidFile}; exec sleep 300`, { yieldTimeMs: 30_000 }), replyMessage('done'));
      const call = client.callTool({ name: 'codex', arguments: { prompt: 'run it', cwd: home.workDir, sandbox: 'danger-full-access', 'approval-policy': 'never' } }, undefined, { timeout: 120_000 });
      call.catch(() => undefined);
      await waitFor('the command to write its PID', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 30_000);
      const commandPid = Number(readFileSync(pidFile, 'utf8').trim());
      await waitFor('the command to exec sleep', () => procInfo(commandPid)?.comm === 'sleep', 5000);
      seen = [commandPid];
      const snap = await snapshot(ready.pid, commandPid);
      seen = snap.all;
      return { ready, snap, call };
    }

    it('SIGKILL of the server mid-command ends Codex, the command and the watchdogs', async () => {
      const { ready, snap } = await serverRunningACommand();
      process.kill(ready.pid, 'SIGKILL');
      await server!.exited;
      await assertAllGone(snap);
    });

    it('a normal close mid-command (SIGTERM, the server closes itself) ends everything too', async () => {
      const { ready, snap } = await serverRunningACommand();
      process.kill(ready.pid, 'SIGTERM');
      assert.deepEqual(await server!.exited, { code: 0, signal: null }, server!.stderrTail());
      await assertAllGone(snap);
    });
  });

  describe(`the supervisor's own close paths leave no watchdog (${title})`, function () {
    this.timeout(60_000);
    let fake: FakeModelServer;
    let home: CodexHome;
    let sup: CodexSupervisor | undefined;

    beforeEach(async () => {
      fake = await startFakeModelServer({});
      home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
    });
    afterEach(async () => {
      await sup?.close();
      sup = undefined;
      await fake.close();
      await home.cleanup();
    });

    it('cancel mid-command, then close: no Codex, command or watchdog is left', async () => {
      sup = new CodexSupervisor({
        located,
        env: home.env,
        defaultCwd: home.workDir,
        interruptGraceMs: 1000,
        approvals: { request: () => Promise.resolve({ decision: 'allow_once' }) },
      });
      const pidFile = join(home.root, 'command.pid');
      fake.enqueue(replyExec(`echo $$ > ${pidFile}; exec sleep 300`, { yieldTimeMs: 30_000 }), replyMessage('after'), replyMessage('second'));
      const ac = new AbortController();
      const call = sup.run({ prompt: 'x', settings: { sandbox: 'danger-full-access', approvalPolicy: 'never' } }, ac.signal);
      call.catch(() => undefined);
      await waitFor('the command to write its PID', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 30_000);
      const commandPid = Number(readFileSync(pidFile, 'utf8').trim());
      const codexPid = sup.childPids()[0]!;
      assert.equal((await ourWatchdogsOf([codexPid])).length, 1, 'the session has a watchdog');
      ac.abort();
      const err = await call.then(() => undefined, (e: unknown) => e);
      // A CodexTurnError of kind "cancelled" (checked by shape, wherever that class lives).
      assert.equal((err as { kind?: unknown } | undefined)?.kind, 'cancelled', String(err));
      await waitFor('the cancelled session to be gone', async () => !(await processAlive(codexPid)) && !(await processAlive(commandPid)), GONE_WITHIN_MS);
      await waitFor('its watchdog to be gone', async () => (await ourWatchdogsOf([codexPid])).length === 0, GONE_WITHIN_MS);
      // Another session (it may take the spare), then close everything, spare included.
      const second = await sup.run({ prompt: 'y', settings: {} });
      assert.ok(['after', 'second'].includes(second.content), second.content);
      const spare = await sup.sparePid();
      const codexNow = [...sup.childPids(), ...(spare ? [spare] : [])];
      assert.equal((await ourWatchdogsOf(codexNow)).length, codexNow.length, 'each child has a watchdog');
      await sup.close();
      sup = undefined;
      await waitFor('the children to end', async () => (await Promise.all(codexNow.map(processAlive))).every((a) => !a), GONE_WITHIN_MS);
      await waitFor('their watchdogs to end', async () => (await ourWatchdogsOf(codexNow)).length === 0, GONE_WITHIN_MS);
      assert.deepEqual(liveChildren().filter((c) => codexNow.includes(c.pid)), []);
    });
  });
}
