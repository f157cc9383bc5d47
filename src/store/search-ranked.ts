/**
 * Ranked search over the in-memory index (search-index.ts), kept in step with the `discoveries`
 * table, which stays the source of truth: the index is built from it in the background after the
 * store opens (a few thousand rows per event-loop turn, see search-build.ts), follows every
 * committed write, and is used only when it provably describes the same rows as FTS5: its row and
 * token counts must equal FTS5's own totals (the averages record of `discoveries_fts_data`). Otherwise, and for queries it
 * does not cover (prefix words, words that are not plain ASCII letters and digits, filters), the
 * caller falls back to FTS5.
 *
 * The ranking is the FTS5 one: the same terms (words found in more than half of the discoveries
 * dropped, see sqlite-discoveries.ts), FTS5's idf computed with SQLite's own `ln()` (the same libm
 * `log` FTS5 calls), and bm25 with the same column weights.
 */
import type { DatabaseSync } from 'node:sqlite';
import { IndexBuilder, unpack } from './search-build';
import type { SearchIndex } from './search-index';
import { TermPostings } from './search-postings';
import { DocTokenizer } from './search-tokens';
import { buildInWorker } from './search-worker';
import { rankIndexed, type IndexedPage } from './search-query';
import { StatementCache } from './sqlite';
import { num, str, type Row } from './rows';

/** Terms held by fewer discoveries stay in FTS5 and are read from it when a query needs them. */
export const MIN_HELD_DOCS = 32;
/** Rows indexed per event-loop turn while building or catching up in the background. */
const CHUNK = 2000;
/** A search catches up this many new rows itself before falling back to FTS5. */
const INLINE_CATCH_UP = 2000;

export class IndexedRanking {
  private index: SearchIndex | undefined;
  private readonly sql: StatementCache;
  private readonly tokenizer = new DocTokenizer();
  private building = false;
  private closed = false;
  /** Set when the index disagreed with FTS5 for a reason other than lag; searches then use FTS5. */
  private broken = false;
  private readonly waiters: Array<() => void> = [];

  /**
   * @param minDocs terms held by fewer discoveries stay in FTS5
   * @param chunk rows indexed per event-loop turn while building here or catching up
   * @param inWorker build on a worker thread (search-worker.ts) when the database is a file; this
   *        thread builds when it cannot
   */
  constructor(
    private readonly db: DatabaseSync,
    private readonly minDocs = MIN_HELD_DOCS,
    private readonly chunk = CHUNK,
    private readonly inWorker = true,
  ) {
    this.sql = new StatementCache(db);
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.discoveries_vocab USING fts5vocab('main', 'discoveries_fts', 'row');
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.discoveries_instance USING fts5vocab('main', 'discoveries_fts', 'instance');`);
  }

  /** Starts building the index in the background (idempotent). */
  start(): void {
    if (this.building || this.index || this.closed) return;
    this.building = true;
    setImmediate(() => this.build());
  }

  /** Resolves once the index has caught up with the table (or was found unusable). */
  ready(): Promise<void> {
    this.start();
    if (!this.building && this.index) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.index = undefined;
    this.tokenizer.close();
    for (const w of this.waiters.splice(0)) w();
  }

  /** Memory held by the index's arrays, bytes (0 before it is built). */
  bytes(): number {
    return this.index?.bytes() ?? 0;
  }

  /** Indexes rows committed since the last call (after a write; skipped inside a transaction). */
  catchUp(): void {
    if (this.index && !this.building && this.db.isOpen && !this.db.isTransaction && !this.follow(INLINE_CATCH_UP)) this.pump();
  }

  /**
   * The page of the bm25 ranking for `text`, or undefined when the index cannot answer exactly
   * (not built yet, lagging, a prefix or non-ASCII word, filters): then FTS5 must.
   */
  rank(text: string, limit: number, offset: number): IndexedPage | undefined {
    const index = this.index;
    if (!index || this.building || this.broken || this.db.isTransaction) return undefined;
    if (!this.follow(INLINE_CATCH_UP)) {
      this.pump();
      return undefined;
    }
    if (!this.matchesFts(index)) return undefined;
    const ln = (x: number) => num((this.sql.get('SELECT ln(?) AS v').get(x) as Row).v);
    return rankIndexed(index, text, limit, offset, (term) => index.held.get(term) ?? this.fetch(index, term, index.lastSeq), ln);
  }

  /** True when the index holds exactly FTS5's rows and tokens (the totals bm25 reads). */
  private matchesFts(index: SearchIndex): boolean {
    const row = this.sql.get('SELECT block FROM discoveries_fts_data WHERE id = 1').get() as { block?: Uint8Array } | undefined;
    const totals = row?.block ? varints(row.block) : [0];
    const tokens = totals.slice(1).reduce((a, b) => a + b, 0);
    if (totals[0] === index.rows && tokens === index.tokens) return true;
    // Caught up with max(seq) and still different: rows were changed or removed behind our back.
    this.broken = true;
    return false;
  }

  /** Indexes up to `max` rows past the last one; true when the index then holds every row. */
  private follow(max: number): boolean {
    const index = this.index!;
    const top = num((this.sql.get('SELECT coalesce(max(seq), 0) AS n FROM discoveries').get() as Row).n);
    if (top <= index.lastSeq) return true;
    const rows = this.sql.get('SELECT seq, summary, details, tags FROM discoveries WHERE seq > ? ORDER BY seq LIMIT ?').all(index.lastSeq, max) as Row[];
    for (const r of rows) {
      const seq = num(r.seq);
      index.add(seq, this.tokenizer.terms(str(r.summary), str(r.details), str(r.tags)), (term, upTo) => this.loadIfCommon(index, term, upTo));
    }
    return index.lastSeq >= top;
  }

  /** A term's postings from FTS5 once at least `minDocs` discoveries hold it, else undefined. */
  private loadIfCommon(index: SearchIndex, term: string, upTo: number): TermPostings | undefined {
    const docs = this.sql.get('SELECT doc FROM temp.discoveries_vocab WHERE term = ?').get(term) as { doc?: number } | undefined;
    if (!docs?.doc || docs.doc < this.minDocs) return undefined;
    return this.fetch(index, term, upTo);
  }

  /** A term's postings read from FTS5's index (discoveries up to `upTo`). */
  private fetch(index: SearchIndex, term: string, upTo: number): TermPostings {
    const rows = this.sql
      .get('SELECT doc, col, count(*) AS n FROM temp.discoveries_instance WHERE term = ? GROUP BY doc, col ORDER BY doc')
      .all(term) as Array<{ doc: number; col: string; n: number }>;
    const freq = new Map<number, number>();
    for (const r of rows) {
      if (r.doc > upTo) continue;
      const weight = r.col === 'summary' ? 3 : r.col === 'details' ? 1 : 2;
      freq.set(r.doc, (freq.get(r.doc) ?? 0) + weight * r.n);
    }
    return index.postingsOf(freq.entries());
  }

  /** Background build: on a worker thread when possible, else on this one. */
  private build(): void {
    if (this.closed || !this.db.isOpen) return this.close();
    const file = this.inWorker ? this.db.location() : null;
    if (!file) return this.buildHere();
    void buildInWorker({ file, minDocs: this.minDocs }).then((packed) => {
      if (this.closed || !this.db.isOpen) return this.close();
      if (!packed) return this.buildHere();
      this.use(unpack(packed));
    });
  }

  /** Starts using a finished build, after catching up with rows committed since it began. */
  private use(index: SearchIndex): void {
    index.refreshBitmaps();
    this.index = index;
    this.catchUpInBackground();
  }

  /**
   * Background build on this thread (search-build.ts): held terms from FTS5's vocabulary, then every row up to
   * today's last one twice (count, then fill), a chunk per turn; rows committed meanwhile are
   * caught up afterwards. If a row changed between the passes the build starts over (once; then
   * searches stay with FTS5 until the next {@link start}).
   */
  private buildHere(attempt = 1): void {
    if (this.closed || !this.db.isOpen) return this.close();
    if (this.db.isTransaction) {
      setTimeout(() => this.buildHere(attempt), 1);
      return;
    }
    const upTo = num((this.sql.get('SELECT coalesce(max(seq), 0) AS n FROM discoveries').get() as Row).n);
    const held: string[] = [];
    for (const r of this.sql.get('SELECT term, doc FROM temp.discoveries_vocab').iterate() as Iterable<{ term: string; doc: number }>) {
      if (r.doc >= this.minDocs) held.push(r.term);
    }
    // Terms outside `held` were rarer than minDocs when the vocabulary was read: not kept.
    const builder = new IndexBuilder(this.minDocs, held, upTo);
    const read = this.sql.get('SELECT seq, summary, details, tags FROM discoveries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?');
    let filling = false;
    let after = 0;
    const step = () => {
      if (this.closed || !this.db.isOpen) return this.close();
      if (this.db.isTransaction) {
        setTimeout(step, 1);
        return;
      }
      let n = 0;
      let same = true;
      for (const r of read.iterate(after, upTo, this.chunk) as Iterable<Row>) {
        const seq = num(r.seq);
        const doc = this.tokenizer.terms(str(r.summary), str(r.details), str(r.tags));
        if (filling) same = builder.fill(seq, doc);
        else builder.count(seq, doc);
        after = seq;
        n++;
        if (!same) break;
      }
      if (same && n === this.chunk) {
        setImmediate(step);
        return;
      }
      if (same && !filling) {
        builder.startFill();
        filling = true;
        after = 0;
        setImmediate(step);
        return;
      }
      const index = same ? builder.finish() : undefined;
      if (!index) {
        if (attempt < 2) setImmediate(() => this.buildHere(attempt + 1));
        else this.giveUp();
        return;
      }
      this.use(index);
    };
    step();
  }

  /** Rows kept changing under the build: searches stay with FTS5 and the waiters are released. */
  private giveUp(): void {
    this.building = false;
    for (const w of this.waiters.splice(0)) w();
  }

  /** Continues indexing in the background (after a large import). */
  private pump(): void {
    this.building = true;
    setImmediate(() => this.catchUpInBackground());
  }

  /** Indexes rows written since the build started, a chunk per turn, then wakes the waiters. */
  private catchUpInBackground(): void {
    if (this.closed || !this.db.isOpen) return this.close();
    if (this.db.isTransaction) {
      setTimeout(() => this.catchUpInBackground(), 1);
      return;
    }
    if (!this.follow(this.chunk)) {
      setImmediate(() => this.catchUpInBackground());
      return;
    }
    this.building = false;
    for (const w of this.waiters.splice(0)) w();
  }
}

/** SQLite varints (sqlite3GetVarint: 7 bits a byte, big-endian; a 9th byte carries 8). */
function varints(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    let v = 0;
    for (let n = 0; n < 9 && i < bytes.length; n++) {
      const b = bytes[i++]!;
      if (n === 8) {
        v = v * 256 + b;
        break;
      }
      v = v * 128 + (b & 0x7f);
      if (!(b & 0x80)) break;
    }
    out.push(v);
  }
  return out;
}
