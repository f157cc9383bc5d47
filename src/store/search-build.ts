/**
 * Builds a {@link SearchIndex} over every discovery up to a seq without growing anything it keeps:
 * a first pass counts the postings of each (term, impact layer) list, then the lists are cut out
 * of two pools allocated once at their exact sizes (seqs as Int32, frequencies as Uint16 for the
 * layers that hold more than one frequency), and a second pass fills them in seq order.
 *
 * Why two passes: growing each list as rows arrive left the V8 heap with the pages it grew to
 * (at 100,000 discoveries: 26 MB used of 169 MB reserved after a full GC, RSS +190 MB for 14 MB of
 * arrays). Here the only allocations that outlive a row are the pools, the per-list bookkeeping
 * (freed after the build) and one small object per list, so the process keeps about what the
 * index holds. The price is tokenizing each row twice.
 *
 * Rows are fed by the caller (search-ranked.ts), a chunk per event-loop turn, so a row can change
 * between the passes (another process writing the same file); the fill pass notices any count that
 * differs and {@link IndexBuilder.finish} then returns undefined, so nothing inexact is used.
 */
import { LAYERS, MAX_FREQ, Postings, SINGLE_FREQ_LAYERS, TermPostings, layerOf } from './search-postings';
import { SearchIndex } from './search-index';
import type { DocTerms } from './search-tokens';

export class IndexBuilder {
  /** term -> its number; list number = term number * LAYERS + layer. */
  private readonly ids = new Map<string, number>();
  private readonly terms: string[];
  /** Postings per list (counting pass), then postings written per list (fill pass). */
  private counts: Uint32Array;
  /** Row length in tokens by seq (kept by the index). */
  private readonly lengths: Uint32Array;
  private readonly oversized = new Set<string>();
  private filling = false;
  private failed = false;
  private rows = 0;
  private tokens = 0;
  private lastSeq = 0;
  private filled = 0;
  private lastFilled = 0;
  /** Set by {@link startFill}: first posting of each list in the seq pool and in the frequency pool. */
  private starts = new Uint32Array(0);
  private freqStarts = new Uint32Array(0);
  private minLen = new Uint32Array(0);
  private maxF = new Uint16Array(0);
  private docs = new Int32Array(0);
  private freqs = new Uint16Array(0);

  /**
   * @param held the terms to keep (those held by at least the index's minimum number of discoveries)
   * @param upTo the largest seq the build covers (rows are fed in seq order, none above it)
   */
  constructor(private readonly minDocs: number, held: Iterable<string>, readonly upTo: number) {
    this.terms = [...held];
    this.terms.forEach((t, i) => this.ids.set(t, i));
    this.counts = new Uint32Array(this.terms.length * LAYERS);
    this.lengths = new Uint32Array(upTo + 1);
  }

  /** Counting pass: one row (seqs ascending, at most `upTo`). */
  count(seq: number, doc: DocTerms): void {
    this.lengths[seq] = doc.length;
    this.rows++;
    this.tokens += doc.length;
    this.lastSeq = seq;
    for (const [term, f] of doc.terms) {
      if (f > MAX_FREQ) this.oversized.add(term);
      const id = this.ids.get(term);
      if (id !== undefined) this.counts[id * LAYERS + layerOf(Math.min(f, MAX_FREQ))]!++;
    }
  }

  /** Ends the counting pass: allocates the pools (bytes: 4 per posting, plus 2 per posting of frequency 4 or more). */
  startFill(): void {
    const lists = this.counts.length;
    this.starts = new Uint32Array(lists + 1);
    this.freqStarts = new Uint32Array(lists + 1);
    for (let i = 0; i < lists; i++) {
      const n = this.counts[i]!;
      this.starts[i + 1] = this.starts[i]! + n;
      this.freqStarts[i + 1] = this.freqStarts[i]! + (i % LAYERS < SINGLE_FREQ_LAYERS ? 0 : n);
    }
    this.docs = new Int32Array(this.starts[lists]!);
    this.freqs = new Uint16Array(this.freqStarts[lists]!);
    this.minLen = new Uint32Array(lists).fill(0xffffffff);
    this.maxF = new Uint16Array(lists);
    this.counts.fill(0);
    this.filling = true;
  }

  /**
   * Fill pass: the same row as counted. Returns false (and the build fails) when it differs from
   * what the counting pass saw.
   */
  fill(seq: number, doc: DocTerms): boolean {
    if (!this.filling || this.failed) return false;
    if (seq <= this.lastFilled || seq > this.upTo || this.lengths[seq] !== doc.length) return this.fail();
    this.lastFilled = seq;
    this.filled++;
    for (const [term, f] of doc.terms) {
      const id = this.ids.get(term);
      if (id === undefined) continue;
      const freq = Math.min(f, MAX_FREQ);
      const l = layerOf(freq);
      const list = id * LAYERS + l;
      const k = this.counts[list]!;
      const at = this.starts[list]! + k;
      if (at >= this.starts[list + 1]!) return this.fail();
      this.counts[list] = k + 1;
      this.docs[at] = seq;
      if (l >= SINGLE_FREQ_LAYERS) this.freqs[this.freqStarts[list]! + k] = freq;
      if (freq > this.maxF[list]!) this.maxF[list] = freq;
      if (doc.length < this.minLen[list]!) this.minLen[list] = doc.length;
    }
    return true;
  }

  /** The index (bitmaps not started yet), or undefined when the passes saw different rows. */
  finish(): SearchIndex | undefined {
    const packed = this.pack();
    return packed && unpack(packed);
  }

  /**
   * The finished build as plain arrays (what a worker thread posts back, see search-worker.ts), or
   * undefined when the passes saw different rows.
   */
  pack(): PackedIndex | undefined {
    if (!this.filling || this.failed || this.filled !== this.rows) return undefined;
    const lists = this.counts.length;
    for (let i = 0; i < lists; i++) if (this.counts[i] !== this.starts[i + 1]! - this.starts[i]!) return undefined;
    const packed: PackedIndex = {
      minDocs: this.minDocs,
      terms: this.terms,
      oversized: [...this.oversized],
      starts: this.starts,
      freqStarts: this.freqStarts,
      maxF: this.maxF,
      minLen: this.minLen,
      docs: this.docs,
      freqs: this.freqs,
      lengths: this.lengths,
      rows: this.rows,
      tokens: this.tokens,
      lastSeq: this.lastSeq,
    };
    this.release();
    return packed;
  }

  private fail(): false {
    this.failed = true;
    this.release();
    return false;
  }

  /** Drops the per-list bookkeeping (the pools live on in the index's views). */
  private release(): void {
    this.counts = this.starts = this.freqStarts = this.minLen = new Uint32Array(0);
    this.maxF = new Uint16Array(0);
    this.docs = new Int32Array(0);
    this.freqs = new Uint16Array(0);
  }
}

/** A finished build: the pools, the per-list bookkeeping (list = term number * LAYERS + layer) and the row totals. */
export interface PackedIndex {
  minDocs: number;
  terms: string[];
  oversized: string[];
  /** First posting of each list in `docs` (and the end, at the last index). */
  starts: Uint32Array;
  /** First frequency of each list in `freqs` (lists of one frequency have none). */
  freqStarts: Uint32Array;
  maxF: Uint16Array;
  minLen: Uint32Array;
  docs: Int32Array;
  freqs: Uint16Array;
  /** Row length in tokens by seq. */
  lengths: Uint32Array;
  rows: number;
  tokens: number;
  lastSeq: number;
}

/** The buffers of a packed build, to transfer (not copy) to another thread. */
export function transferList(p: PackedIndex): ArrayBuffer[] {
  return [p.starts, p.freqStarts, p.maxF, p.minLen, p.docs, p.freqs, p.lengths].map((a) => a.buffer as ArrayBuffer);
}

/** The index over a packed build (its lists are views into the pools; bitmaps not started yet). */
export function unpack(p: PackedIndex): SearchIndex {
  const index = new SearchIndex(p.minDocs);
  for (const term of p.oversized) index.oversized.add(term);
  p.terms.forEach((term, id) => {
    const postings = new TermPostings();
    for (let l = 0; l < LAYERS; l++) {
      const list = id * LAYERS + l;
      const from = p.starts[list]!;
      const to = p.starts[list + 1]!;
      if (from === to) continue;
      const freqs = l < SINGLE_FREQ_LAYERS ? undefined : p.freqs.subarray(p.freqStarts[list], p.freqStarts[list + 1]);
      postings.addPacked(Postings.packed(p.docs.subarray(from, to), freqs, p.maxF[list]!, p.minLen[list]!));
    }
    index.held.set(term, postings);
  });
  index.adopt(p.lengths, p.rows, p.tokens, p.lastSeq);
  return index;
}
