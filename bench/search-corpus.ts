/**
 * The search benchmark's corpus: N generated discoveries (the same shape as serve-child.ts seeds:
 * 24 Zipf-distributed words each, 6 in the summary plus a unique `#i`, 18 in the details, the first
 * two as tags), imported in one transaction per 20,000 into a real governance.db. Built once per
 * size and kept under bench/results/ (git-ignored): 1,000,000 takes minutes to import.
 *
 *     node --import tsx bench/search-corpus.ts 1000000   # prints the data directory
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NewDiscovery } from '../src/knowledge/repository';
import { openStore } from '../src/store/store';
import { zipfWords } from './corpus';

const T0 = Date.UTC(2026, 10, 1);
const VERSION = 1;
const BATCH = 20_000;

/** Discovery number i of the corpus (deterministic). */
export function corpusDiscovery(i: number): NewDiscovery {
  const words = zipfWords(i + 1, 24);
  return {
    id: `disc_bench_${i}`,
    agentId: `seed-agent-${i % 50}`,
    discoveryType: ['insight', 'pattern', 'bug_found', 'note'][i % 4]!,
    summary: `${words.slice(0, 6).join(' ')} #${i}`,
    details: words.slice(6).join(' '),
    tags: [...new Set(words.slice(0, 2))],
    status: 'open',
    severity: null,
    createdAtMs: T0 + i * 1000,
  };
}

/** The corpus query number i: two words drawn like the text (as bench/run.ts). */
export function corpusQuery(i: number): string {
  return zipfWords(1_000_003 + i, 2).join(' ');
}

export const RESULTS_DIR = join(__dirname, 'results');

/**
 * The data directory holding governance.db with `n` corpus discoveries, built if missing.
 * @returns the directory and the seconds spent building (0 when cached)
 */
export async function ensureCorpus(n: number, log: (line: string) => void = () => {}): Promise<{ dir: string; buildSeconds: number }> {
  const dir = join(RESULTS_DIR, `search-corpus-v${VERSION}-${n}`);
  if (existsSync(join(dir, 'complete'))) return { dir, buildSeconds: 0 };
  const building = `${dir}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const started = performance.now();
  const store = await openStore(building);
  try {
    for (let from = 0; from < n; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, n - from) }, (_v, k) => corpusDiscovery(from + k));
      await store.discoveries.bulkInsert(batch);
      if ((from / BATCH) % 10 === 9) log(`  corpus ${n}: ${from + batch.length} imported (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await store.close();
  }
  writeFileSync(join(building, 'complete'), `${n}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  return { dir, buildSeconds: (performance.now() - started) / 1000 };
}

/** The same corpus as server-memory's JSONL graph (entity per discovery), built if missing. */
export function ensureMemoryGraph(n: number): string {
  const file = join(RESULTS_DIR, `search-memory-v${VERSION}-${n}.jsonl`);
  if (existsSync(file)) return file;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const d = corpusDiscovery(i);
    lines.push(JSON.stringify({ type: 'entity', name: d.id, entityType: d.discoveryType, observations: [d.summary, d.details, ...d.tags] }));
  }
  writeFileSync(`${file}.tmp`, lines.join('\n') + '\n');
  renameSync(`${file}.tmp`, file);
  return file;
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 100_000);
  void ensureCorpus(n, (l) => console.log(l)).then((r) => console.log(`${r.dir} (${r.buildSeconds.toFixed(0)} s)`));
}
