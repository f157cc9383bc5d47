/**
 * Knowledge search at scale (issue 17): two-word Zipf queries (limit 10) over the generated corpus
 * of bench/search-corpus.ts (built once per size under bench/results/, git-ignored).
 *
 * - In process (bench/search-child.ts, one process per measurement so RSS is its own): the
 *   in-memory index against FTS5 alone (the code before the index) on the same file, 3 rounds of
 *   300 queries; medians over rounds. Targets: p50 <= 1 ms and p99 <= 10 ms at 100,000;
 *   p50 <= 5 ms and p99 <= 50 ms at 1,000,000; RSS at 1,000,000 at most 150 MB above FTS5 alone
 *   right after the queries (also printed: after 10 s idle).
 * - Over MCP (stdio, SDK Client) at 100,000: search_knowledge_graph against
 *   @modelcontextprotocol/server-memory's search_nodes on the same discoveries (one entity each,
 *   observations = summary, details, tags). Target: our p50 >= 50x faster.
 *
 *     node --import tsx bench/search.ts   # BENCH_SEARCH_SIZES=100000,1000000 BENCH_SEARCH_MCP=100000
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { percentile } from './load';
import { corpusQuery, ensureCorpus, ensureMemoryGraph } from './search-corpus';

const SIZES = (process.env.BENCH_SEARCH_SIZES ?? '100000,1000000').split(',').map(Number).filter((n) => n > 0);
const MCP_SIZE = Number(process.env.BENCH_SEARCH_MCP ?? 100_000);
const QUERIES = Number(process.env.BENCH_SEARCH_QUERIES ?? 300);
const ROUNDS = 3;
const MB = 2 ** 20;

interface ChildResult {
  mode: 'indexed' | 'fts';
  rounds: Array<{ p50: number; p99: number; max: number }>;
  buildMs: number;
  rssOpen: number;
  rssAfter: number;
  rssIdle: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));

function runChild(dir: string, mode: 'indexed' | 'fts', queries: number, rounds: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'search-child.ts'), dir, mode, String(queries), String(rounds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult) : reject(new Error(`search-child ${mode} exited with ${code}`))));
  });
}

async function stdioClient(command: string, args: string[], env: Record<string, string>, ready?: string): Promise<Client> {
  const transport = new StdioClientTransport({ command, args, env: { ...(process.env as Record<string, string>), ...env }, stderr: 'pipe' });
  const client = new Client({ name: 'search-bench', version: '1.0.0' });
  const readyLine = ready
    ? new Promise<void>((resolve) => {
        let seen = '';
        transport.stderr?.on('data', (b: Buffer) => {
          seen += b.toString();
          if (seen.includes(ready)) resolve();
        });
      })
    : Promise.resolve();
  await client.connect(transport);
  await readyLine;
  return client;
}

async function timeCalls(client: Client, tool: string, args: (i: number) => Record<string, unknown>, warmup: number, calls: number): Promise<number[]> {
  const call = async (i: number) => {
    const r = (await client.callTool({ name: tool, arguments: args(i) })) as CallToolResult;
    if (r.isError) throw new Error(`${tool} failed: ${JSON.stringify(r.content).slice(0, 300)}`);
  };
  for (let i = 0; i < warmup; i++) await call(900_000 + i);
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await call(i);
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
}

/** Runs the benchmark; `ok` is false when a target is missed. */
export async function benchSearch(): Promise<{ lines: string[]; ok: boolean }> {
  const lines: string[] = [];
  let ok = true;
  const dirs = new Map<number, string>();
  for (const n of new Set([...SIZES, MCP_SIZE])) {
    const { dir, buildSeconds } = await ensureCorpus(n, (l) => console.log(l));
    dirs.set(n, dir);
    if (buildSeconds) lines.push(`  corpus of ${n.toLocaleString('en-US')} discoveries imported in ${buildSeconds.toFixed(0)} s (cached under bench/results/)`);
  }

  for (const n of SIZES) {
    const dir = dirs.get(n)!;
    const indexed = await runChild(dir, 'indexed', QUERIES, ROUNDS);
    const fts = await runChild(dir, 'fts', n >= 1_000_000 ? 100 : QUERIES, 1);
    const p50 = median(indexed.rounds.map((r) => r.p50));
    const p99 = median(indexed.rounds.map((r) => r.p99));
    const [p50Target, p99Target] = n >= 1_000_000 ? [5, 50] : [1, 10];
    const growth = (indexed.rssAfter - fts.rssAfter) / MB;
    lines.push(`  ${n.toLocaleString('en-US')} discoveries, in process (KnowledgeGraph.search, limit 10), ${ROUNDS} x ${QUERIES} queries:`);
    lines.push(`    index: p50 ${ms(p50)} ms (target <= ${p50Target}: ${(p50 / p50Target).toFixed(2)}x of it, ${verdict(p50 <= p50Target)}), p99 ${ms(p99)} ms (target <= ${p99Target}: ${(p99 / p99Target).toFixed(2)}x, ${verdict(p99 <= p99Target)}); rounds p50 ${indexed.rounds.map((r) => ms(r.p50)).join(' / ')}, p99 ${indexed.rounds.map((r) => ms(r.p99)).join(' / ')} ms`);
    lines.push(`    FTS5 alone (before): p50 ${ms(fts.rounds[0]!.p50)} ms, p99 ${ms(fts.rounds[0]!.p99)} ms -> index ${(fts.rounds[0]!.p50 / p50).toFixed(1)}x faster at p50, ${(fts.rounds[0]!.p99 / p99).toFixed(1)}x at p99`);
    const idleGrowth = (indexed.rssIdle - fts.rssIdle) / MB;
    const memLine = `    RSS after the queries: ${(indexed.rssAfter / MB).toFixed(0)} MB with the index vs ${(fts.rssAfter / MB).toFixed(0)} MB FTS5 alone (+${growth.toFixed(0)} MB; after 10 s idle ${(indexed.rssIdle / MB).toFixed(0)} vs ${(fts.rssIdle / MB).toFixed(0)} MB, +${idleGrowth.toFixed(0)} MB); index built in ${(indexed.buildMs / 1000).toFixed(1)} s in the background`;
    if (n >= 1_000_000) {
      lines.push(`${memLine} (target <= +150 MB: ${verdict(growth <= 150)})`);
      ok &&= growth <= 150;
    } else lines.push(memLine);
    ok &&= p50 <= p50Target && p99 <= p99Target;
  }

  if (MCP_SIZE > 0) {
    const dir = dirs.get(MCP_SIZE)!;
    const graph = ensureMemoryGraph(MCP_SIZE);
    const ours = await stdioClient(process.execPath, ['--import', 'tsx', join(__dirname, 'search-stdio.ts'), dir], {}, 'search-ready');
    const oursMs = await timeCalls(ours, 'search_knowledge_graph', (i) => ({ query: corpusQuery(i), limit: 10 }), 50, QUERIES);
    await ours.close();
    const memoryServer = join(__dirname, '..', 'node_modules', '@modelcontextprotocol', 'server-memory', 'dist', 'index.js');
    const theirs = await stdioClient(process.execPath, [memoryServer], { MEMORY_FILE_PATH: graph });
    const theirsMs = await timeCalls(theirs, 'search_nodes', (i) => ({ query: corpusQuery(i) }), 3, 30);
    await theirs.close();
    const ratio = percentile(theirsMs, 50) / percentile(oursMs, 50);
    lines.push(`  over MCP (stdio, SDK Client), ${MCP_SIZE.toLocaleString('en-US')} discoveries/entities:`);
    lines.push(`    search_knowledge_graph p50 ${ms(percentile(oursMs, 50))} ms, p99 ${ms(percentile(oursMs, 99))} ms (${QUERIES} calls); server-memory search_nodes p50 ${ms(percentile(theirsMs, 50))} ms, p99 ${ms(percentile(theirsMs, 99))} ms (30 calls)`);
    lines.push(`    -> ${ratio.toFixed(0)}x faster at p50 (target >= 50x: ${verdict(ratio >= 50)})`);
    ok &&= ratio >= 50;
  }
  return { lines, ok };
}

if (require.main === module) {
  const started = performance.now();
  void benchSearch().then((r) => {
    console.log(r.lines.join('\n'));
    console.log(`  (search bench took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
    process.exitCode = r.ok ? 0 : 1;
  });
}
