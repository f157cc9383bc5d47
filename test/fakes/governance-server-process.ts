/**
 * A real governance server in a process of its own, so a test can kill it the way an OS, a crash
 * or a user does (SIGKILL included) and look at what it leaves behind. Run as
 * `node --import tsx test/fakes/governance-server-process.ts '<json>'` where the JSON is a
 * {@link ServerProcessConfig}; once listening it prints one line `{"url", "pid", "token"}` to stdout.
 * SIGTERM (or a line `close` on stdin) closes the server normally and exits with code 0.
 *
 * Every approval is allowed (the test's own server, no person to ask), so `danger-full-access`
 * sessions run commands without asking.
 */
import { createInterface } from 'node:readline';
import { startGovernanceServer } from '../../src/server/server';
import type { CodexBackend } from '../../src/supervisor/locate';

/** What the parent test passes as the only argument (JSON). */
export interface ServerProcessConfig {
  backend: CodexBackend;
  /** Native Codex binary speaking `backend`. */
  binary: string;
  /** Its version, e.g. `0.153.4` (reported in session records only). */
  version: string;
  /** The server's data directory (governance.db, audit log, lock). */
  dataDir: string;
  /** Environment of the Codex children (the test's temp CODEX_HOME/HOME). */
  env: Record<string, string>;
  /** Working directory of sessions that give none. */
  cwd: string;
}

/** The line printed once the server listens. */
export interface ServerProcessReady {
  url: string;
  pid: number;
  token: string;
}

const TOKEN = 'orphans-test-token-0123456789';

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: governance-server-process.ts <json config>');
  const cfg = JSON.parse(raw) as ServerProcessConfig;
  const server = await startGovernanceServer({
    port: 0,
    dataDir: cfg.dataDir,
    token: TOKEN,
    rateLimitPerMinute: 100_000,
    hostKind: 'test',
    codex: {
      located: { path: cfg.binary, version: cfg.version, backend: cfg.backend, source: 'bundled' },
      env: cfg.env,
      defaultCwd: cfg.cwd,
      interruptGraceMs: 1500,
      approvals: { request: () => Promise.resolve({ decision: 'allow_once' }) },
    },
  });
  let closing = false;
  const close = (): void => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`close failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', close);
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'close') close();
  });
  const ready: ServerProcessReady = { url: server.url, pid: process.pid, token: TOKEN };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
