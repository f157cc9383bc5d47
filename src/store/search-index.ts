/**
 * In-memory inverted index over the discoveries, used to answer ranked searches with exactly the
 * page that SQLite FTS5's `bm25(discoveries_fts, 3.0, 1.0, 2.0)` ranking gives (best first, newest
 * first among equal scores), at a cost that follows the page rather than the number of matches.
 *
 * Scores are computed with FTS5's own formula and operation order (sqlite ext/fts5/fts5_aux.c,
 * fts5Bm25Function: for each phrase in query order, score += idf * (f * (k1 + 1)) / (f + k1 * (1 -
 * b + b * D / avgdl)), k1 = 1.2, b = 0.75), so they are the same doubles. The page is found with
 * MaxScore (Turtle & Flood 1995) over block-max postings walked from the newest discovery down:
 * terms whose bound cannot lift a discovery into the page are only probed, and blocks whose bound
 * is at or below the page's last score are skipped. Totals count the union of the postings, with a
 * bitmap for common terms.
 *
 * Only terms held by at least `minDocs` discoveries are kept here; the caller supplies rarer ones
 * (from FTS5) when a query needs them, so the long tail of one-off words costs no memory.
 */
import { BLOCK_SHIFT, MAX_FREQ, Postings, popcount } from './search-postings';
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
  postings: Postings;
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
  readonly held = new Map<string, Postings>();
  /** Terms some discovery holds more often than a posting can record; queries with them fall back. */
  readonly oversized = new Set<string>();
  /** Row length in tokens by seq. */
  private lengths = new Uint32Array(1024);
  rows = 0;
  tokens = 0;
  lastSeq = 0;
  private scratch = new Uint32Array(0);
  /** While true (a bulk build), {@link add} starts no bitmaps; {@link refreshBitmaps} does afterwards. */
  bulk = false;

  constructor(readonly minDocs: number) {}

  /** FTS5's average row length (xColumnTotalSize(-1) / xRowCount). */
  avgdl(): number {
    return this.tokens / this.rows;
  }

  lengthOf(seq: number): number {
    return this.lengths[seq]!;
  }

  /**
   * Adds the discovery `seq` (larger than every seq added before).
   * @param loadRare postings of a term not held yet, from the database, covering seqs <= `seq`
   *        (this one included), or undefined while fewer than `minDocs` discoveries hold it
   */
  add(seq: number, doc: DocTerms, loadRare: (term: string, upTo: number) => Postings | undefined): void {
    if (seq >= this.lengths.length) {
      const grown = new Uint32Array(Math.max(seq + 1, this.lengths.length * 2));
      grown.set(this.lengths);
      this.lengths = grown;
    }
    this.lengths[seq] = doc.length;
    this.rows++;
    this.tokens += doc.length;
    this.lastSeq = seq;
    for (const [term, f] of doc.terms) {
      if (f > MAX_FREQ) this.oversized.add(term);
      let p = this.held.get(term);
      if (p) p.push(seq, Math.min(f, MAX_FREQ), doc.length);
      else {
        p = loadRare(term, seq);
        if (!p) continue;
        this.held.set(term, p);
      }
      if (!this.bulk && !p.bits && p.length * 32 >= this.rows) p.keepBits(seq);
    }
  }

  /** Builds postings of `entries` (ascending seq, all already added with {@link add}'s lengths). */
  postingsOf(entries: Iterable<[seq: number, freq: number]>, capacity = 4): Postings {
    const p = new Postings(capacity);
    for (const [seq, f] of entries) p.push(seq, Math.min(f, MAX_FREQ), this.lengths[seq]!);
    return p;
  }

  /** Starts bitmaps for common terms (after a bulk build). */
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
  count(terms: readonly Postings[]): number {
    if (terms.length === 1) return terms[0]!.length;
    const words = (this.lastSeq >> 5) + 1;
    if (this.scratch.length < words) this.scratch = new Uint32Array(words + (words >> 2));
    const scratch = this.scratch;
    const dense = terms.filter((p) => p.bits);
    const sparse = terms.filter((p) => !p.bits);
    let n = 0;
    for (const p of sparse) {
      const docs = p.docs;
      for (let i = 0; i < p.length; i++) {
        const d = docs[i]!;
        const w = d >> 5;
        const bit = 1 << (d & 31);
        if (!(scratch[w]! & bit)) {
          scratch[w] = scratch[w]! | bit;
          n++;
        }
      }
    }
    if (!dense.length) {
      for (const p of sparse) for (let i = 0; i < p.length; i++) scratch[p.docs[i]! >> 5] = 0;
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

  /** The best `k` discoveries (score desc, seq desc) and their exact bm25 scores. */
  topK(query: RankQuery, k: number): RankedPage {
    const avgdl = this.avgdl();
    const lengths = this.lengths;
    const { terms, phrases } = query;
    const m = terms.length;
    const mult = new Float64Array(m);
    for (const t of phrases) mult[t] = mult[t]! + 1;
    const bound = (t: number, f: number, len: number) => mult[t]! * summand(terms[t]!.idf, f, len, avgdl) * SLACK;
    const ub = terms.map((t, i) => (t.postings.length ? bound(i, t.postings.maxF, t.postings.minLen) : 0));
    // Terms by bound, ascending: the first ones are "non-essential" once their bounds sum <= threshold.
    const order = terms.map((_t, i) => i).sort((a, b) => ub[a]! - ub[b]!);
    const pos = terms.map((t) => t.postings.length - 1);
    const f = new Float64Array(m);
    const heap = new TopHeap(k);
    let threshold = -Infinity;
    let firstEssential = 0;
    let nonEssentialBound = 0;
    const repartition = () => {
      let sum = 0;
      let i = 0;
      while (i < m && sum + ub[order[i]!]! <= threshold) sum += ub[order[i++]!]!;
      firstEssential = i;
      nonEssentialBound = sum;
    };
    let cachedBlock = -1;
    let cachedBlockBound = 0;
    for (;;) {
      // Next candidate: the largest doc left in an essential list.
      let doc = -1;
      for (let i = firstEssential; i < m; i++) {
        const t = order[i]!;
        if (pos[t]! >= 0) {
          const d = terms[t]!.postings.docs[pos[t]!]!;
          if (d > doc) doc = d;
        }
      }
      if (doc < 0) break;
      // One essential list: skip its whole block when even the block's bound cannot reach the page.
      if (firstEssential === m - 1 && heap.full) {
        const t = order[m - 1]!;
        const p = terms[t]!.postings;
        const b = pos[t]! >> BLOCK_SHIFT;
        if (b !== cachedBlock) {
          cachedBlock = b;
          cachedBlockBound = bound(t, p.blockMaxF[b]!, p.blockMinLen[b]!);
        }
        if (cachedBlockBound + nonEssentialBound <= threshold) {
          pos[t] = (b << BLOCK_SHIFT) - 1;
          continue;
        }
      }
      const len = lengths[doc]!;
      let upper = nonEssentialBound;
      for (let i = firstEssential; i < m; i++) {
        const t = order[i]!;
        const p = terms[t]!.postings;
        const at = pos[t]!;
        if (at >= 0 && p.docs[at] === doc) {
          f[t] = p.freqs[at]!;
          upper += bound(t, f[t], len);
          pos[t] = at - 1;
        } else f[t] = 0;
      }
      if (heap.full && upper <= threshold) continue;
      // Probe the non-essential terms, most valuable first, while the discovery can still make it.
      let alive = true;
      for (let i = firstEssential - 1; i >= 0; i--) {
        const t = order[i]!;
        const p = terms[t]!.postings;
        const at = p.seekDown(pos[t]!, doc);
        pos[t] = at;
        f[t] = at >= 0 && p.docs[at] === doc ? p.freqs[at]! : 0;
        upper += (f[t] ? bound(t, f[t], len) : 0) - ub[t]!;
        if (heap.full && upper <= threshold) {
          alive = false;
          break;
        }
      }
      if (!alive) continue;
      let score = 0;
      for (const t of phrases) if (f[t]) score += summand(terms[t]!.idf, f[t], len, avgdl);
      if (!heap.full || score > threshold) {
        heap.push(score, doc);
        if (heap.full && heap.minScore() > threshold) {
          threshold = heap.minScore();
          repartition();
        }
      }
    }
    return heap.sorted();
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
    return this.scores[0]!;
  }

  /** Adds the entry, dropping the root when full (callers check that the entry beats the root). */
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
