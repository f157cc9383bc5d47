/**
 * One in-process measurement of knowledge search, in its own process so its RSS is its own:
 *
 *     node --expose-gc --import tsx bench/search-child.ts <dataDir> indexed|fts <queries> <rounds>
 *
 * Opens the corpus's governance.db, waits for the in-memory index (`indexed`) or keeps every
 * ranked search in FTS5 (`fts`, the code before the index), then runs `rounds` rounds of `queries`
 * sequential two-word searches through KnowledgeGraph.search (limit 10). Prints one JSON line:
 * per-round p50/p99 (ms), index build time (ms), RSS (bytes) after opening, after the rounds, and
 * after 10 s idle (V8's memory reducer runs about 8 s after the last GC and gives back pages the
 * process no longer uses: the steady state of a server between searches).
 */
import { GovernanceEvents } from '../src/core/events';
import { KnowledgeGraph } from '../src/knowledge/knowledge';
import { openStore } from '../src/store/store';
import { percentile } from './load';
import { corpusQuery } from './search-corpus';

const IDLE_MS = 10_000;

function rss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  if (process.env.BENCH_SEARCH_MEMORY) process.stderr.write(`${JSON.stringify(m)}\n`);
  return m.rss;
}

async function main(): Promise<void> {
  const [dir, mode, queriesArg, roundsArg] = process.argv.slice(2);
  if (!dir || (mode !== 'indexed' && mode !== 'fts')) throw new Error('usage: search-child.ts <dataDir> indexed|fts <queries> <rounds>');
  process.env.CODEX_GOVERNANCE_INDEXED_SEARCH = mode === 'indexed' ? 'on' : 'off';
  const queries = Number(queriesArg ?? 300);
  const rounds = Number(roundsArg ?? 3);
  const store = await openStore(dir);
  const knowledge = new KnowledgeGraph(store, new GovernanceEvents());
  const rssOpen = rss();
  const started = performance.now();
  await knowledge.search({ query: corpusQuery(0), limit: 10 });
  await store.discoveries.searchReady();
  const buildMs = performance.now() - started;
  for (let i = 0; i < 30; i++) await knowledge.search({ query: corpusQuery(900_000 + i), limit: 10 });
  const out: Array<{ p50: number; p99: number; max: number }> = [];
  for (let r = 0; r < rounds; r++) {
    const samples: number[] = [];
    for (let i = 0; i < queries; i++) {
      const q = corpusQuery(r * 100_000 + i);
      const t0 = performance.now();
      await knowledge.search({ query: q, limit: 10 });
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    out.push({ p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples[samples.length - 1]! });
  }
  const rssAfter = rss();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const rssIdle = rss();
  await store.close();
  process.stdout.write(JSON.stringify({ mode, rounds: out, buildMs, rssOpen, rssAfter, rssIdle }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
