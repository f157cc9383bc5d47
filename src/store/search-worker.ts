/**
 * The search index build on a worker thread (search-build-worker.ts is its entry): the worker
 * opens the same database file read-only (or, for the PostgreSQL store, a connection of its own:
 * postgres/search-build.ts), runs both passes of search-build.ts and posts the
 * packed arrays back in a transfer list (their buffers move, nothing is copied). Everything else
 * the build allocates (rows, tokens, per-row maps) lives and dies in the worker's own V8 heap,
 * which goes away with the worker. On the main thread the same garbage grew V8's young
 * generation to 64 MB while building 1,000,000 discoveries, pages V8 then keeps.
 *
 * Rows committed while the worker runs are past its last seq; the caller catches up with them
 * (search-ranked.ts) before the index answers.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { num, str, type Row } from './rows';
import { IndexBuilder, type PackedIndex } from './search-build';
import type { DocTokenizer } from './search-tokens';

/**
 * What the main thread sends: the SQLite database file, or the PostgreSQL URL (the worker opens its
 * own connection, see postgres/search-build.ts), and the index's minimum documents per held term.
 */
export type BuildRequest = { file: string; minDocs: number } | { postgresUrl: string; minDocs: number };

/** Rows read per statement (each statement is one short read snapshot, so checkpoints can proceed). */
const READ_CHUNK = 5000;

/** Both passes over every row up to today's last one, on this thread. Undefined when a row changed between them. */
export function buildPacked(db: DatabaseSync, tokenizer: DocTokenizer, minDocs: number): PackedIndex | undefined {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.discoveries_vocab USING fts5vocab('main', 'discoveries_fts', 'row')");
  const upTo = Number((db.prepare('SELECT coalesce(max(seq), 0) AS n FROM discoveries').get() as { n: number }).n);
  const held: string[] = [];
  for (const r of db.prepare('SELECT term, doc FROM temp.discoveries_vocab').iterate() as Iterable<{ term: string; doc: number }>) {
    if (r.doc >= minDocs) held.push(r.term);
  }
  const builder = new IndexBuilder(minDocs, held, upTo);
  const read = db.prepare('SELECT seq, summary, details, tags FROM discoveries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?');
  for (const filling of [false, true]) {
    if (filling) builder.startFill();
    let after = 0;
    for (let n = READ_CHUNK; n === READ_CHUNK; ) {
      n = 0;
      for (const r of read.iterate(after, upTo, READ_CHUNK) as Iterable<Row>) {
        const seq = num(r.seq);
        const doc = tokenizer.terms(str(r.summary), str(r.details), str(r.tags));
        if (filling && !builder.fill(seq, doc)) return undefined;
        if (!filling) builder.count(seq, doc);
        after = seq;
        n++;
      }
    }
  }
  return builder.pack();
}

/**
 * The worker's entry script beside this code: the bundle's dist/search-build-worker.js, or under
 * a TypeScript loader (tests, benchmarks) the .ts source run through tsx. Undefined when missing.
 */
function workerEntry(): { script: string; eval: boolean } | undefined {
  if (__filename.endsWith('.ts')) {
    const source = join(__dirname, 'search-build-worker.ts');
    // Resolved here, not from the worker's working directory (only in the TypeScript sources: the bundle has its own entry).
    const tsx = createRequire(__filename).resolve('tsx/cjs');
    return { script: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, eval: true };
  }
  const bundled = join(__dirname, 'search-build-worker.js');
  return existsSync(bundled) ? { script: bundled, eval: false } : undefined;
}

/** True when a worker can be started here (the entry script exists). */
export function canBuildInWorker(): boolean {
  return workerEntry() !== undefined;
}

/**
 * Builds on a worker thread. Resolves undefined (never rejects) when the worker cannot start,
 * fails, saw rows change between its passes, or was stopped by `signal`: the caller then builds on
 * its own thread (or not at all once stopped). The result is a {@link PackedIndex} for a `file`
 * request, a PgBuild (postgres/search-build.ts) for a `postgresUrl` one.
 */
export function buildInWorker<T = PackedIndex>(request: BuildRequest, signal?: AbortSignal): Promise<T | undefined> {
  const entry = workerEntry();
  if (!entry || signal?.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      // A small young generation for the PostgreSQL build: its garbage (rows as JS strings from
      // the wire) grew the worker's heap, and RSS kept the pages after the worker ended (100,000
      // discoveries: +154 MB with V8's default, +16 MB with 4 MB).
      const resourceLimits = 'postgresUrl' in request ? { maxYoungGenerationSizeMb: 4 } : undefined;
      worker = new Worker(entry.script, { eval: entry.eval, workerData: request, resourceLimits });
    } catch {
      resolve(undefined);
      return;
    }
    let result: T | undefined;
    const stop = () => void worker.terminate();
    signal?.addEventListener('abort', stop, { once: true });
    worker.once('exit', () => signal?.removeEventListener('abort', stop));
    worker.once('message', (m: T | null) => (result = signal?.aborted ? undefined : (m ?? undefined)));
    worker.once('error', () => resolve(undefined));
    worker.once('exit', () => resolve(result));
  });
}
