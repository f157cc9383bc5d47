/**
 * Team mode (issue 16, Performance): the PostgreSQL store beside SQLite, measured in one run on one
 * machine, against a throwaway cluster of Debian's PostgreSQL binaries (test/helpers/postgres.ts:
 * `initdb` in a temp directory, fsync on, shared_buffers 1GB unless BENCH_TEAM_SHARED_BUFFERS says
 * otherwise, deleted at exit).
 *
 * - `process_agent_update`, 16 MCP clients over Streamable HTTP (bench/load.ts) against two real
 *   `codex-governance serve` processes (src/cli/cli.ts through tsx), one with
 *   `--database postgres://...`, one on its SQLite file; each pinned to CPU 0 when `taskset` exists,
 *   the load generator on CPU 1, PostgreSQL's own processes unpinned. Rounds alternate SQLite and
 *   PostgreSQL (the machine's speed drifts), after a warm-up round not counted; per round the
 *   ratio PostgreSQL/SQLite of calls/s.
 *   Target: median ratio >= 0.7. Also CPU ms per call (Linux /proc): the serve process, plus for
 *   PostgreSQL every process of the cluster, which a loaded machine's throughput can hide.
 * - `search_knowledge_graph`'s search, in process (KnowledgeGraph.search over the PostgreSQL store,
 *   limit 10, no HTTP) over the corpus of bench/search-corpus.ts (the same generated discoveries
 *   and two-word Zipf queries as the SQLite search bench), imported through the store's own
 *   bulkInsert (its schema, migrations and tsvector column), then VACUUM ANALYZE, then waits for
 *   the store's in-memory bm25 index (its build time, bytes, RSS growth and the longest event-loop
 *   stall meanwhile are reported). p50/p99 (ms) and `pg_database_size`. Target at 1,000,000:
 *   p50 <= 20 ms, p99 <= 100 ms.
 *
 *     node --import tsx bench/team-postgres.ts   # BENCH_TEAM_SIZES=100000,1000000 (none: no search) BENCH_TEAM_ROUNDS=5 BENCH_TEAM_WARMUP_ROUNDS=1
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { GovernanceEvents } from '../src/core/events';
import { KnowledgeGraph } from '../src/knowledge/knowledge';
import { openPostgresStore, type PgStore } from '../src/store/postgres/store';
import { stopPostgres, testCluster, testDatabase } from '../test/helpers/postgres';
import { stopServe } from '../test/helpers/serve-process';
import { measure, percentile, type LoadResult } from './load';
import { corpusDiscovery, corpusQuery } from './search-corpus';

const SIZES = (process.env.BENCH_TEAM_SIZES ?? '100000,1000000').split(',').map(Number).filter((n) => n > 0).sort((a, b) => a - b);
const ROUNDS = Number(process.env.BENCH_TEAM_ROUNDS ?? 5);
/** Rounds run first and not counted: both servers' JIT warms over the first ones (SQLite's calls/s rose ~30% from round 1 to 3). */
const WARMUP_ROUNDS = Number(process.env.BENCH_TEAM_WARMUP_ROUNDS ?? 1);
const PER_CLIENT = Number(process.env.BENCH_PER_CLIENT ?? 300);
const QUERIES = Number(process.env.BENCH_SEARCH_QUERIES ?? 300);
/** The bench cluster's shared_buffers (the test helper's 32MB would measure the OS page cache, not a team's server). */
const SHARED_BUFFERS = process.env.BENCH_TEAM_SHARED_BUFFERS ?? '1GB';
const CLIENTS = 16;
const BATCH = 20_000;
const TOKEN = 'bench-team-token-0123456789abcdef';
const CLI = join(__dirname, '..', 'src', 'cli', 'cli.ts');
const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

interface Served {
  url: string;
  proc: ChildProcess;
  dataDir: string;
}

/** `codex-governance serve` in its own process; resolves with its URL once it prints "serving". */
async function serve(database?: string): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-bench-team-'));
  const cmd = [process.execPath, '--import', 'tsx', CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--rate-limit', '100000000', ...(database ? ['--database', database] : [])];
  const env = { ...process.env, CODEX_GOVERNANCE_TOKEN: TOKEN, CODEX_GOVERNANCE_AUTO_DIALECTIC: 'off' };
  const argv: [string, string[]] = hasTaskset ? ['taskset', ['-c', '0', ...cmd]] : [cmd[0]!, cmd.slice(1)];
  const proc = spawn(argv[0], argv[1], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const seen = (b: Buffer) => {
      out += b.toString();
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    proc.stdout.on('data', seen);
    proc.stderr.on('data', seen);
    proc.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out.slice(0, 2000)}`)));
  });
  return { url, proc, dataDir };
}

async function stop(s: Served): Promise<void> {
  await stopServe(s.proc);
  rmSync(s.dataDir, { recursive: true, force: true });
}

const TICKS_PER_S = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

/** CPU time (ms) used so far by `pids` and their child processes (Linux /proc; NaN elsewhere). */
function cpuMs(pids: number[]): number {
  if (!existsSync('/proc/self/stat')) return NaN;
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the parenthesised command name: state ppid ... utime(14) stime(15), counted from pid = 1.
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // The process ended while listed.
    }
  }
  const wanted = new Set(pids);
  let ticks = 0;
  for (const [pid, st] of stats) if (wanted.has(pid) || wanted.has(st.ppid)) ticks += st.ticks;
  return (ticks * 1000) / TICKS_PER_S;
}

/** The cluster's postmaster pid (first line of postmaster.pid): its children are the backends. */
function postmasterPid(dir: string): number {
  return Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/**
 * One load run; `cpuMsPerCall` counts the server process and, when given, PostgreSQL's processes
 * (`serverCpuMsPerCall` the server alone).
 */
async function updates(s: Served, postmaster?: number): Promise<LoadResult & { cpuMsPerCall: number; serverCpuMsPerCall: number }> {
  const opts = { sequential: 200, clients: CLIENTS, perClient: PER_CLIENT, warmup: 100 };
  const pids = [s.proc.pid!, ...(postmaster ? [postmaster] : [])];
  const before = cpuMs(pids);
  const serverBefore = cpuMs([s.proc.pid!]);
  const r = await measure(
    { url: s.url, headers: { Authorization: `Bearer ${TOKEN}` }, tool: 'process_agent_update', args: (i) => ({ agent_id: `bench-${i % 16}`, operation: `step ${i}`, complexity: (i % 10) / 10 }) },
    opts,
  );
  const calls = opts.warmup + opts.sequential + opts.clients * (20 + opts.perClient);
  return { ...r, cpuMsPerCall: (cpuMs(pids) - before) / calls, serverCpuMsPerCall: (cpuMs([s.proc.pid!]) - serverBefore) / calls };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
const MB = 2 ** 20;

async function benchUpdates(say: (line: string) => void): Promise<boolean> {
  const database = await testDatabase('bench_team_updates');
  const postmaster = postmasterPid((await testCluster()).dir);
  const pg = await serve(database);
  const sqlite = await serve();
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const fmt = (r: LoadResult & { cpuMsPerCall: number; serverCpuMsPerCall: number }) =>
    `${Math.round(r.callsPerSecond)} calls/s, p50 ${ms(r.loadedP50Ms)} / p99 ${ms(r.loadedP99Ms)} ms (sequential p50 ${ms(r.p50Ms)} ms), ${r.cpuMsPerCall.toFixed(2)} CPU ms/call` +
    (r.cpuMsPerCall > r.serverCpuMsPerCall ? ` (server ${r.serverCpuMsPerCall.toFixed(2)})` : '');
  try {
    for (let round = 1 - WARMUP_ROUNDS; round <= ROUNDS; round++) {
      const s = await updates(sqlite);
      const p = await updates(pg, postmaster);
      const ratio = p.callsPerSecond / s.callsPerSecond;
      if (round < 1) {
        say(`  warm-up round (not counted): SQLite ${fmt(s)}; PostgreSQL ${fmt(p)} -> ${ratio.toFixed(2)}x`);
        continue;
      }
      ratios.push(ratio);
      cpuRatios.push(p.cpuMsPerCall / s.cpuMsPerCall);
      say(`  round ${round}: SQLite ${fmt(s)}; PostgreSQL ${fmt(p)} -> ${ratio.toFixed(2)}x`);
    }
  } finally {
    await stop(pg);
    await stop(sqlite);
  }
  const r = median(ratios);
  say(`  -> process_agent_update throughput PostgreSQL/SQLite, median of ${ROUNDS} rounds: ${r.toFixed(2)}x (target >= 0.7: ${verdict(r >= 0.7)}); CPU per call (server + PostgreSQL's processes vs server) ${median(cpuRatios).toFixed(2)}x`);
  return r >= 0.7;
}

/** Imports corpus discoveries [from, to) through the store's bulkInsert, then VACUUM ANALYZE. */
async function load(store: PgStore, from: number, to: number): Promise<number> {
  const started = performance.now();
  for (let i = from; i < to; i += BATCH) {
    await store.discoveries.bulkInsert(Array.from({ length: Math.min(BATCH, to - i) }, (_v, k) => corpusDiscovery(i + k)));
  }
  // What autovacuum would do shortly after an import (statistics, visibility map, GIN pending list), done now so it does not run during the queries.
  await store.pool.query('VACUUM ANALYZE discoveries');
  return (performance.now() - started) / 1000;
}

/** Latencies (ms, sorted) of QUERIES searches; their match counts (`total`) go to `matches`. */
async function searchRound(knowledge: KnowledgeGraph, offset: number, matches: number[]): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t0 = performance.now();
    const page = await knowledge.search({ query: corpusQuery(offset + i), limit: 10 });
    samples.push(performance.now() - t0);
    matches.push(page.total);
  }
  return samples.sort((a, b) => a - b);
}

/**
 * Waits for the store's in-memory search index (built in the background, on a worker thread, or
 * rebuilt after the import) and describes it: wall time, where it was built, the typed arrays'
 * bytes, this process's RSS before and after, and the longest event-loop stall meanwhile (how
 * responsive the server's thread stayed).
 */
async function waitForIndex(store: PgStore): Promise<string> {
  const rssBefore = process.memoryUsage().rss;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  await store.discoveries.searchReady();
  const waited = performance.now() - started;
  delay.disable();
  const stats = store.discoveries.indexStats();
  const rssAfter = process.memoryUsage().rss;
  return (
    `${stats.rows.toLocaleString('en-US')} rows, ready after ${(waited / 1000).toFixed(1)} s (build ${(stats.buildMs / 1000).toFixed(1)} s on the ${stats.builtIn} thread), ` +
    `${(stats.bytes / MB).toFixed(0)} MB of arrays, RSS ${(rssBefore / MB).toFixed(0)} -> ${(rssAfter / MB).toFixed(0)} MB (+${((rssAfter - rssBefore) / MB).toFixed(0)} MB), ` +
    `longest event-loop stall meanwhile ${(delay.max / 1e6).toFixed(0)} ms`
  );
}

/** The search part alone (also run by {@link benchTeamPostgres}); the cluster must be started. */
export async function benchPgSearch(say: (line: string) => void): Promise<boolean> {
  let ok = true;
  const store = await openPostgresStore(await testDatabase('bench_team_search'));
  try {
    const knowledge = new KnowledgeGraph(store, new GovernanceEvents());
    let loaded = 0;
    for (const n of SIZES) {
      const seconds = await load(store, loaded, n);
      loaded = n;
      const index = await waitForIndex(store);
      for (let i = 0; i < 30; i++) await knowledge.search({ query: corpusQuery(900_000 + i), limit: 10 });
      const matches: number[] = [];
      const rounds = [await searchRound(knowledge, 0, matches), await searchRound(knowledge, 100_000, matches)];
      matches.sort((a, b) => a - b);
      const p50 = median(rounds.map((r) => percentile(r, 50)));
      const p99 = median(rounds.map((r) => percentile(r, 99)));
      const size = Number((await store.pool.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b')).rows[0]!.b);
      say(`  ${n.toLocaleString('en-US')} discoveries (imported in ${seconds.toFixed(0)} s, database ${(size / MB).toFixed(0)} MB), ${rounds.length} x ${QUERIES} queries:`);
      say(`    in-memory bm25 index: ${index}`);
      const [p50Target, p99Target] = [20, 100];
      const line = `    p50 ${ms(p50)} ms, p99 ${ms(p99)} ms; rounds p50 ${rounds.map((r) => ms(percentile(r, 50))).join(' / ')}, p99 ${rounds.map((r) => ms(percentile(r, 99))).join(' / ')} ms, max ${ms(Math.max(...rounds.map((r) => r[r.length - 1]!)))} ms; matches per query p50 ${percentile(matches, 50).toLocaleString('en-US')}, p99 ${percentile(matches, 99).toLocaleString('en-US')}`;
      if (n >= 1_000_000) {
        say(`${line}\n    -> target p50 <= ${p50Target} ms: ${verdict(p50 <= p50Target)}; p99 <= ${p99Target} ms: ${verdict(p99 <= p99Target)}`);
        ok &&= p50 <= p50Target && p99 <= p99Target;
      } else say(line);
    }
  } finally {
    await store.close();
  }
  return ok;
}

/**
 * Runs the benchmark; `ok` is false when a target is missed. Stops the throwaway cluster at the end.
 * @param progress called with each line as soon as it is measured (the whole run takes minutes)
 */
export async function benchTeamPostgres(progress: (line: string) => void = () => {}): Promise<{ lines: string[]; ok: boolean }> {
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    progress(line);
  };
  try {
    await testCluster({ shared_buffers: SHARED_BUFFERS });
    say(`  throwaway PostgreSQL cluster (Debian's binaries, fsync on, shared_buffers ${SHARED_BUFFERS}):`);
    say(`  process_agent_update, ${CLIENTS} MCP clients x ${PER_CLIENT} calls, serve --database postgres://... vs serve on SQLite:`);
    const updatesOk = await benchUpdates(say);
    if (!SIZES.length) return { lines, ok: updatesOk };
    say(`  search_knowledge_graph's search on PostgreSQL, in process (KnowledgeGraph.search, limit 10), two-word Zipf queries:`);
    const searchOk = await benchPgSearch(say);
    return { lines, ok: updatesOk && searchOk };
  } finally {
    await stopPostgres();
  }
}

if (require.main === module) {
  // Exit (and so the test helper's exit hook, which deletes the cluster) on Ctrl-C or kill too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  if (hasTaskset) spawnSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const started = performance.now();
  benchTeamPostgres((line) => console.log(line)).then(
    (r) => {
      console.log(`  (team bench took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
      process.exitCode = r.ok ? 0 : 1;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
