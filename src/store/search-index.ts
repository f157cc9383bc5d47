/**
 * In-memory inverted index over the discoveries, used to answer ranked searches with exactly the
 * page that SQLite FTS5's `bm25(discoveries_fts, 3.0, 1.0, 2.0)` ranking gives (best first, newest
 * first among equal scores), at a cost that follows the page rather than the number of matches.
 *
 * Scores are computed with FTS5's own formula and operation order (sqlite ext/fts5/fts5_aux.c,
 * fts5Bm25Function: for each phrase in query order, score += idf * (f * (k1 + 1)) / (f + k1 * (1 -
 * b + b * D / avgdl)), k1 = 1.2, b = 0.75), so they are the same doubles. The page is found
 * score-at-a-time over impact-layered postings (see topK and search-postings.ts). Totals count the
 * union of the postings, with a bitmap for common terms.
 *
 * Only terms held by at least `minDocs` discoveries are kept here; the caller supplies rarer ones
 * when a query needs them (the SQLite store from FTS5, so the long tail of one-off words costs no
 * memory; the PostgreSQL store from its compact rare pool, postgres/search-rare.ts).
 */
import { MAX_FREQ, Postings, TermPostings, popcount } from './search-postings';
import type { DocTerms } from './search-tokens';

const K1 = 1.2;
const B = 0.75;
/** Relative slack on bounds so rounding in the doubles can never make a bound too small. */
const SLACK = 1 + 1e-7;

/** FTS5's bm25 summand for one phrase, with the same operations in the same order as fts5_aux.c. */
export function summand(idf: number, f: number, len: number, avgdl: number): number {
  return idf * ((f * (K1 + 1.0)) / (f + K1 * (1 - B + (B * len) / avgdl)));
}

export interface RankTerm {
  postings: TermPostings;
  /** FTS5's idf of the term for this query. */
  idf: number;
}

export interface RankQuery {
  /** Distinct terms. */
  terms: RankTerm[];
  /** The query's phrases in order, as indices into `terms` (a repeated word is a phrase each time). */
  phrases: number[];
}

export interface RankedPage {
  /** seqs, best first */
  docs: number[];
  scores: number[];
}

export class SearchIndex {
  /** Terms with at least `minDocs` discoveries. */
  readonly held = new Map<string, TermPostings>();
  /** Terms some discovery holds more often than a posting can record; queries with them fall back. */
  readonly oversized = new Set<string>();
  /** Row length in tokens by seq. */
  private lengths: Uint32Array = new Uint32Array(1024);
  rows = 0;
  tokens = 0;
  lastSeq = 0;
  private scratch = new Uint32Array(0);

  constructor(readonly minDocs: number) {}

  /**
   * Takes the row statistics of a finished build (search-build.ts); its postings go into {@link held}.
   * @param lengths row length in tokens by seq (kept, not copied)
   */
  adopt(lengths: Uint32Array, rows: number, tokens: number, lastSeq: number): void {
    this.lengths = lengths;
    this.rows = rows;
    this.tokens = tokens;
    this.lastSeq = lastSeq;
  }

  /** FTS5's average row length (xColumnTotalSize(-1) / xRowCount). */
  avgdl(): number {
    return this.tokens / this.rows;
  }

  lengthOf(seq: number): number {
    return this.lengths[seq]!;
  }

  /**
   * Adds the discovery `seq`, not added before: larger than every seq added before (SQLite), or
   * below one when its row committed late (PostgreSQL, where every term is held: `loadRare` then
   * never reads the database).
   * @param loadRare postings of a term not held yet, from the database, covering seqs <= `seq`
   *        (this one included), or undefined while fewer than `minDocs` discoveries hold it
   */
  add(seq: number, doc: DocTerms, loadRare: (term: string, upTo: number) => TermPostings | undefined): void {
    if (seq >= this.lengths.length) {
      // Grows by an eighth: after a build the array is exact, and a few new rows should not double it.
      const grown = new Uint32Array(Math.max(seq + 1, this.lengths.length + (this.lengths.length >> 3) + 1024));
      grown.set(this.lengths);
      this.lengths = grown;
    }
    this.lengths[seq] = doc.length;
    this.rows++;
    this.tokens += doc.length;
    if (seq > this.lastSeq) this.lastSeq = seq;
    for (const [term, f] of doc.terms) {
      if (f > MAX_FREQ) this.oversized.add(term);
      let p = this.held.get(term);
      if (p) p.push(seq, Math.min(f, MAX_FREQ), doc.length);
      else {
        p = loadRare(term, seq);
        if (!p) continue;
        this.held.set(term, p);
      }
      if (!p.bits && p.length * 32 >= this.rows) p.keepBits(this.lastSeq);
    }
  }

  /** Builds postings of `entries` (ascending seq, all already added with {@link add}'s lengths). */
  postingsOf(entries: Iterable<[seq: number, freq: number]>): TermPostings {
    const p = new TermPostings();
    for (const [seq, f] of entries) p.push(seq, Math.min(f, MAX_FREQ), this.lengths[seq]!);
    return p;
  }

  /** Starts bitmaps for common terms (after a build). */
  refreshBitmaps(): void {
    for (const p of this.held.values()) if (!p.bits && p.length * 32 >= this.rows) p.keepBits(this.lastSeq);
  }

  /** Bytes held by postings and lengths (typed arrays only). */
  bytes(): number {
    let n = this.lengths.byteLength + this.scratch.byteLength;
    for (const p of this.held.values()) n += p.bytes();
    return n;
  }

  /** How many discoveries hold at least one of the terms. */
  count(terms: readonly TermPostings[]): number {
    if (terms.length === 1) return terms[0]!.length;
    const words = (this.lastSeq >> 5) + 1;
    const scratch = this.scratchFor(this.lastSeq);
    const dense = terms.filter((p) => p.bits);
    const sparse = terms.filter((p) => !p.bits);
    let n = 0;
    for (const p of sparse) {
      p.forEachDoc((d) => {
        const w = d >> 5;
        const bit = 1 << (d & 31);
        if (!(scratch[w]! & bit)) {
          scratch[w] = scratch[w]! | bit;
          n++;
        }
      });
    }
    if (!dense.length) {
      for (const p of sparse) p.forEachDoc((d) => (scratch[d >> 5] = 0));
      return n;
    }
    n = 0;
    const maps = dense.map((p) => p.bits!);
    for (let w = 0; w < words; w++) {
      let v = scratch[w]!;
      for (const m of maps) if (w < m.length) v |= m[w]!;
      if (v) n += popcount(v);
      scratch[w] = 0;
    }
    return n;
  }

  /**
   * The best `k` discoveries (score desc, seq desc) and their exact bm25 scores, score-at-a-time:
   * every impact layer of every term is a list with a bound (its largest frequency in its shortest
   * row); lists are taken highest bound first, and the walk stops once no discovery outside the
   * lists taken can beat the page's last entry (the sum over terms of their largest bound left).
   * Within a list, a discovery whose bound cannot beat that entry is passed over unscored.
   */
  topK(query: RankQuery, k: number): RankedPage {
    const avgdl = this.avgdl();
    const lengths = this.lengths;
    const { terms, phrases } = query;
    const m = terms.length;
    const mult = new Float64Array(m);
    for (const t of phrases) mult[t] = mult[t]! + 1;
    const bound = (t: number, f: number, len: number) => mult[t]! * summand(terms[t]!.idf, f, len, avgdl) * SLACK;
    const lists: Array<{ term: number; p: Postings; ub: number }> = [];
    terms.forEach((t, term) => {
      for (const p of t.postings.layers) if (p.length) lists.push({ term, p, ub: bound(term, p.maxF, p.minLen) });
    });
    lists.sort((a, b) => b.ub - a.ub);
    // Per term: the largest bound among its lists not walked yet (lists go in descending bound).
    const left = new Float64Array(m);
    for (const l of lists) if (left[l.term] === 0) left[l.term] = l.ub;
    let leftSum = left.reduce((a, b) => a + b, 0);
    const f = new Float64Array(m);
    const heap = new TopHeap(k);
    const seen = this.scratchFor(this.lastSeq);
    let walked = 0;
    for (; walked < lists.length; walked++) {
      if (heap.full && leftSum < heap.minScore()) break;
      const { term, p } = lists[walked]!;
      // The term's next list bounds what it adds from now on; other terms keep theirs.
      const next = lists.slice(walked + 1).find((l) => l.term === term)?.ub ?? 0;
      const others = leftSum - left[term]!;
      leftSum = others + next;
      left[term] = next;
      const docs = p.docs;
      const freqs = p.freqs;
      for (let j = p.length - 1; j >= 0; j--) {
        const doc = docs[j]!;
        const w = doc >> 5;
        const bit = 1 << (doc & 31);
        if (seen[w]! & bit) continue;
        seen[w] = seen[w]! | bit;
        const len = lengths[doc]!;
        const fa = freqs ? freqs[j]! : p.maxF;
        if (heap.full && !heap.beats(bound(term, fa, len) + others, doc)) continue;
        for (let t = 0; t < m; t++) f[t] = t === term ? fa : terms[t]!.postings.freqOf(doc);
        let score = 0;
        for (const t of phrases) if (f[t]) score += summand(terms[t]!.idf, f[t], len, avgdl);
        if (heap.beats(score, doc)) heap.push(score, doc);
      }
    }
    for (let i = 0; i < walked; i++) {
      const { p } = lists[i]!;
      for (let j = 0; j < p.length; j++) seen[p.docs[j]! >> 5] = 0;
    }
    return heap.sorted();
  }

  /** A zeroed bitmap with a bit per seq up to `maxSeq` (shared; callers zero what they set). */
  private scratchFor(maxSeq: number): Uint32Array {
    const words = (maxSeq >> 5) + 1;
    if (this.scratch.length < words) this.scratch = new Uint32Array(words + (words >> 2));
    return this.scratch;
  }
}

/** Fixed-size min-heap of (score, seq); the root is the entry that leaves first (lowest score, then lowest seq). */
class TopHeap {
  private readonly scores: Float64Array;
  private readonly docs: Int32Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.scores = new Float64Array(k);
    this.docs = new Int32Array(k);
  }

  get full(): boolean {
    return this.size === this.k;
  }

  minScore(): number {
    return this.size ? this.scores[0]! : -Infinity;
  }

  /** True when (score, doc) would enter: not full yet, or better than the root (ties: larger doc). */
  beats(score: number, doc: number): boolean {
    return this.size < this.k || score > this.scores[0]! || (score === this.scores[0]! && doc > this.docs[0]!);
  }

  /** Adds the entry, dropping the root when full (callers check {@link beats} first). */
  push(score: number, doc: number): void {
    let i: number;
    if (this.size < this.k) {
      i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.less(score, doc, parent)) break;
        this.scores[i] = this.scores[parent]!;
        this.docs[i] = this.docs[parent]!;
        i = parent;
      }
    } else {
      i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= this.size) break;
        const r = l + 1;
        const c = r < this.size && this.lessAt(r, l) ? r : l;
        if (!this.lessAt2(c, score, doc)) break;
        this.scores[i] = this.scores[c]!;
        this.docs[i] = this.docs[c]!;
        i = c;
      }
    }
    this.scores[i] = score;
    this.docs[i] = doc;
  }

  /** Entries best first. */
  sorted(): RankedPage {
    const idx = Array.from({ length: this.size }, (_v, i) => i);
    idx.sort((a, b) => this.scores[b]! - this.scores[a]! || this.docs[b]! - this.docs[a]!);
    return { docs: idx.map((i) => this.docs[i]!), scores: idx.map((i) => this.scores[i]!) };
  }

  /** (score, doc) leaves before entry j. */
  private less(score: number, doc: number, j: number): boolean {
    return score < this.scores[j]! || (score === this.scores[j]! && doc < this.docs[j]!);
  }

  private lessAt(a: number, b: number): boolean {
    return this.less(this.scores[a]!, this.docs[a]!, b);
  }

  /** Entry j leaves before (score, doc). */
  private lessAt2(j: number, score: number, doc: number): boolean {
    return this.scores[j]! < score || (this.scores[j] === score && this.docs[j]! < doc);
  }
}
