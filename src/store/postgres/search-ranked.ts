/**
 * Ranked search of the PostgreSQL store over the same in-memory index as the SQLite store
 * (../search-index.ts, exact bm25 with FTS5's formula, see ../search-query.ts), fed from the
 * `discoveries` table, which stays the source of truth. Several governance servers share the table;
 * each holds its own index and brings it up to date before every indexed search.
 *
 * - Build: in the background once a search (or {@link PgIndexedRanking.ready}) asks for it, on a
 *   worker thread with its own connection (search-build.ts), so this thread stays responsive.
 *   Every term is kept (those in fewer than {@link MIN_HELD_DOCS} discoveries in search-rare.ts).
 * - Catch-up before each indexed search, one statement: the rows written by transactions at or
 *   above the watermark (`write_xid >= $watermark`, schema version 3), minus those already indexed,
 *   and, from the same snapshot, the next watermark `pg_snapshot_xmin(pg_current_snapshot())`
 *   (PostgreSQL docs, "Transaction ID and Snapshot Information": every transaction below it had
 *   ended, so its rows are visible to that statement or never will be). A bigserial `seq` is taken
 *   before the commit, so seq 10 can commit after seq 11: reading "seq > last seen" would lose it,
 *   reading by transaction id does not. Concurrent searches share one catch-up in flight only when
 *   it had not started when they asked, so each sees every row committed before its call.
 * - Only inserts are followed: a discovery's searchable text (summary, details, tags) never changes
 *   after insert (setStatus changes status and updated_at only) and discoveries are not deleted.
 *   If the table's largest seq falls below the index's (emptied, restored), or more than
 *   {@link CATCH_UP_MAX} rows arrived at once (a bulk import elsewhere), the index is rebuilt in the
 *   background; searches meanwhile use the tsvector query (discoveries.ts).
 */
import { MIN_HELD_DOCS } from '../search-ranked';
import { unpack } from '../search-build';
import type { SearchIndex } from '../search-index';
import { rankIndexed, type IndexedPage } from '../search-query';
import { DocTokenizer } from '../search-tokens';
import { buildInWorker, canBuildInWorker } from '../search-worker';
import type { PgPool } from './pool';
import { buildFromPostgres, type PgBuild } from './search-build';
import { RareTerms } from './search-rare';

/** More rows than this to catch up with (a bulk import by another server): rebuild instead. */
export const CATCH_UP_MAX = 20_000;

/** How long (ms) after a failed build the next one may start. */
const RETRY_MS = 30_000;

const CATCH_UP = `SELECT w.watermark, w.top, d.seq, d.write_xid::text AS xid, d.summary, d.details, d.tags
  FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS watermark, (SELECT coalesce(max(seq), 0) FROM discoveries) AS top) w
  LEFT JOIN LATERAL (
    SELECT seq, write_xid, summary, details, tags FROM discoveries d
    WHERE d.write_xid >= $1::xid8 AND NOT EXISTS (SELECT 1 FROM unnest($2::int8[], $3::int8[]) AS r(lo, hi) WHERE d.seq BETWEEN r.lo AND r.hi)
    ORDER BY seq LIMIT $4) d ON true`;

export interface PgIndexStats {
  /** Discoveries in the index (0 before it is built). */
  rows: number;
  /** Bytes of the index's typed arrays. */
  bytes: number;
  /** Wall time of the last build, ms (0 before one finished). */
  buildMs: number;
  /** Where the last build ran. */
  builtIn: 'worker' | 'main' | 'none';
}

export class PgIndexedRanking {
  private index: SearchIndex | undefined;
  private rare: RareTerms | undefined;
  /** xid8 as decimal text. */
  private watermark = '0';
  /** Indexed rows written at or above the watermark (the catch-up must not return them again). */
  private recent: Array<{ seq: number; xid: bigint }> = [];
  private building: Promise<void> | undefined;
  /** The catch-up that has not started yet (callers join it) and the last one queued. */
  private pending: Promise<boolean> | undefined;
  private last: Promise<boolean> = Promise.resolve(true);
  private readonly tokenizer = new DocTokenizer();
  private readonly stop = new AbortController();
  private closed = false;
  private retryAtMs = 0;
  private stats_: PgIndexStats = { rows: 0, bytes: 0, buildMs: 0, builtIn: 'none' };

  /**
   * @param url the database URL the worker connects to (the pool's own)
   * @param options.inWorker false builds on this thread (over a pooled connection)
   */
  constructor(
    private readonly pool: PgPool,
    private readonly url: string,
    private readonly options: { inWorker?: boolean; minDocs?: number } = {},
  ) {}

  /**
   * Starts building in the background (idempotent while a build runs or an index exists). A build
   * that failed (the database unreachable) is retried no sooner than {@link RETRY_MS} later.
   */
  start(): void {
    if (this.closed || this.index || this.building || Date.now() < this.retryAtMs) return;
    this.building = this.build()
      .catch(() => undefined)
      .then(() => {
        if (!this.index && !this.closed) this.retryAtMs = Date.now() + RETRY_MS;
      })
      .finally(() => (this.building = undefined));
  }

  /**
   * Resolves once the index is built and caught up with every committed row, or could not be
   * (never rejects: with the database unreachable, searches report that themselves).
   */
  async ready(): Promise<void> {
    for (let attempt = 0; attempt < 3 && !this.closed; attempt++) {
      this.start();
      await this.building;
      if (!this.index || (await this.catchUp().catch(() => true))) return;
    }
  }

  /**
   * The page of the bm25 ranking for `text`, after catching up with every row committed before
   * this call; undefined when the index cannot answer (not built yet, a rebuild running, a prefix
   * or non-ASCII word): then the tsvector query must.
   * @throws StoreUnavailableError when the catch-up statement cannot reach the database
   */
  async rank(text: string, limit: number, offset: number): Promise<IndexedPage | undefined> {
    this.start();
    if (!this.index || this.building) return undefined;
    if (!(await this.catchUp())) return undefined;
    const index = this.index;
    const rare = this.rare;
    if (!index || !rare) return undefined;
    return rankIndexed(index, text, limit, offset, (term) => index.held.get(term) ?? rare.postings(index, term), Math.log);
  }

  stats(): PgIndexStats {
    return { ...this.stats_, rows: this.index?.rows ?? 0, bytes: (this.index?.bytes() ?? 0) + (this.rare?.bytes() ?? 0) };
  }

  close(): void {
    this.closed = true;
    this.stop.abort();
    this.index = this.rare = undefined;
    this.tokenizer.close();
  }

  private async build(): Promise<void> {
    const started = performance.now();
    const minDocs = this.options.minDocs ?? MIN_HELD_DOCS;
    let built: PgBuild | undefined;
    let where: 'worker' | 'main' = 'worker';
    if (this.options.inWorker !== false && canBuildInWorker()) built = await buildInWorker<PgBuild>({ postgresUrl: this.url, minDocs }, this.stop.signal);
    if (!built && !this.closed) {
      where = 'main';
      const client = await this.pool.pool.connect();
      try {
        built = await buildFromPostgres(client, this.tokenizer, minDocs);
      } finally {
        client.release();
      }
    }
    if (!built || this.closed) return;
    const index = unpack(built.packed);
    this.rare = new RareTerms(built.packed.rare, minDocs);
    this.watermark = built.watermark;
    this.recent = built.recent.map(([seq, xid]) => ({ seq, xid: BigInt(xid) }));
    this.index = index;
    this.stats_ = { ...this.stats_, buildMs: performance.now() - started, builtIn: where };
    this.bitmapsInBackground(index);
  }

  /**
   * Starts the common terms' bitmaps (SearchIndex.refreshBitmaps) about 10 ms of work per
   * event-loop turn: at 1,000,000 discoveries all at once held this thread for about half a second.
   * They only speed up counting; the index is exact without them.
   */
  private bitmapsInBackground(index: SearchIndex): void {
    const terms = [...index.held.values()];
    let i = 0;
    const step = () => {
      if (this.index !== index) return;
      const until = performance.now() + 10;
      while (i < terms.length && performance.now() < until) {
        const p = terms[i++]!;
        if (!p.bits && p.length * 32 >= index.rows) p.keepBits(index.lastSeq);
      }
      if (i < terms.length) setImmediate(step);
    };
    setImmediate(step);
  }

  /** Catches up (see the file's comment); false when the index cannot answer now. */
  private catchUp(): Promise<boolean> {
    if (this.pending) return this.pending;
    const next: Promise<boolean> = this.last.then(() => {
      if (this.pending === next) this.pending = undefined;
      return this.follow();
    });
    this.pending = next;
    this.last = next.catch(() => false);
    return next;
  }

  private async follow(): Promise<boolean> {
    const index = this.index;
    const rare = this.rare;
    if (!index || !rare || this.closed) return false;
    const [lo, hi] = ranges(this.recent.map((r) => r.seq));
    const result = await this.pool.query(CATCH_UP, [this.watermark, lo, hi, CATCH_UP_MAX + 1]);
    if (this.index !== index) return false;
    const head = result.rows[0]!;
    const rows = result.rows.filter((r) => r.seq !== null);
    if (Number(head.top) < index.lastSeq || rows.length > CATCH_UP_MAX) {
      this.index = this.rare = undefined;
      this.start();
      return false;
    }
    for (const r of rows) {
      const seq = Number(r.seq);
      const doc = this.tokenizer.terms(String(r.summary), String(r.details), String(r.tags));
      index.add(seq, doc, (term) => rare.add(index, term, seq, doc.terms.get(term)!));
      this.recent.push({ seq, xid: BigInt(String(r.xid)) });
    }
    const watermark = BigInt(String(head.watermark));
    if (watermark > BigInt(this.watermark)) {
      this.watermark = watermark.toString();
      this.recent = this.recent.filter((r) => r.xid >= watermark);
    }
    return true;
  }
}

/** Sorted seqs as inclusive ranges of consecutive values: [lows, highs]. */
function ranges(seqs: number[]): [number[], number[]] {
  const lo: number[] = [];
  const hi: number[] = [];
  for (const s of [...seqs].sort((a, b) => a - b)) {
    if (hi.length && s <= hi[hi.length - 1]! + 1) hi[hi.length - 1] = Math.max(hi[hi.length - 1]!, s);
    else {
      lo.push(s);
      hi.push(s);
    }
  }
  return [lo, hi];
}
