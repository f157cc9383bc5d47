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
 *
 * Without a list of terms to keep (the PostgreSQL store, which has no FTS5 vocabulary to read them
 * from, nor to read rarer terms from later), the counting pass counts every term and the fill pass
 * also writes the postings of the terms in fewer than `minDocs` discoveries into a third pool,
 * sized exactly as well ({@link PackedRare}): one small object per term would cost hundreds of MB
 * for a million one-off words.
 */
import { LAYERS, MAX_FREQ, Postings, SINGLE_FREQ_LAYERS, TermPostings, layerOf } from './search-postings';
import { SearchIndex } from './search-index';
import type { DocTerms } from './search-tokens';

export class IndexBuilder {
  /** term -> its number; list number = term number * LAYERS + layer. */
  private ids = new Map<string, number>();
  private terms: string[];
  /** True when every term is counted and the rare ones are split off at {@link startFill}. */
  private readonly discover: boolean;
  /** Discover mode, counting pass: per term, its discoveries, its first posting's layer and its row of counts (from the second). */
  private docFreq = new Uint32Array(0);
  private firstLayer = new Uint8Array(0);
  private slot = new Uint32Array(0);
  private slots = 0;
  /** Rare term -> its number in the rare pool (discover mode). */
  private rareIds = new Map<string, number>();
  /** First posting of each rare term in the rare pool (and the end), and postings written so far. */
  private rareStarts = new Uint32Array(0);
  private rareFilled = new Uint32Array(0);
  private rareDocs = new Int32Array(0);
  private rareFreqs = new Uint16Array(0);
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
   * @param held the terms to keep (those held by at least the index's minimum number of discoveries),
   *        or undefined to keep the terms found in at least `minDocs` rows and pack the others apart
   * @param upTo the largest seq the build covers (rows are fed in seq order, none above it)
   */
  constructor(private readonly minDocs: number, held: Iterable<string> | undefined, readonly upTo: number) {
    this.discover = held === undefined;
    this.terms = held ? [...held] : [];
    this.terms.forEach((t, i) => this.ids.set(t, i));
    this.counts = new Uint32Array((held ? this.terms.length : 1024) * LAYERS);
    // In discover mode `counts` holds rows by slot (see countFound) until startFill.
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
      const layer = layerOf(Math.min(f, MAX_FREQ));
      if (this.discover) {
        this.countFound(term, layer);
        continue;
      }
      const id = this.ids.get(term);
      if (id !== undefined) this.counts[id * LAYERS + layer]!++;
    }
  }

  /**
   * Discover mode: counts one posting of `term`. A term's first posting costs its layer (a byte);
   * from the second on it gets a row of per-layer counts: most terms of a large table are one-offs
   * (1,000,000 of them in the bench's corpus), and a row each would be 124 MB.
   */
  private countFound(term: string, layer: number): void {
    let id = this.ids.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.terms.push(term);
      this.ids.set(term, id);
      if (id === this.docFreq.length) {
        this.docFreq = grow(this.docFreq, new Uint32Array(id * 2 + 1024));
        this.firstLayer = grow(this.firstLayer, new Uint8Array(id * 2 + 1024));
        this.slot = grow(this.slot, new Uint32Array(id * 2 + 1024));
      }
    }
    const n = this.docFreq[id]!;
    this.docFreq[id] = n + 1;
    if (n === 0) {
      this.firstLayer[id] = layer;
      return;
    }
    if (n === 1) {
      const s = this.slots++;
      if (this.slots * LAYERS > this.counts.length) this.counts = grow(this.counts, new Uint32Array(this.counts.length * 2 + 1024 * LAYERS));
      this.slot[id] = s;
      this.counts[s * LAYERS + this.firstLayer[id]!]!++;
    }
    this.counts[this.slot[id]! * LAYERS + layer]!++;
  }

  /**
   * Discover mode, end of the counting pass: renumbers the terms in at least `minDocs` rows (each
   * row holding a term counts once, in one layer) and gives the others their part of the rare pool.
   */
  private splitRare(): void {
    const kept: string[] = [];
    const keptIds = new Map<string, number>();
    const df = this.docFreq;
    let rare = 0;
    let rarePostings = 0;
    this.terms.forEach((term, id) => {
      const n = df[id]!;
      if (n >= this.minDocs) {
        keptIds.set(term, kept.length);
        kept.push(term);
      } else {
        rare++;
        rarePostings += n;
      }
    });
    const counts = new Uint32Array(kept.length * LAYERS);
    const rareTerms: number[] = [];
    this.terms.forEach((term, id) => {
      const k = keptIds.get(term);
      if (k === undefined) rareTerms.push(id);
      else if (df[id] === 1) counts[k * LAYERS + this.firstLayer[id]!] = 1;
      else counts.set(this.counts.subarray(this.slot[id]! * LAYERS, (this.slot[id]! + 1) * LAYERS), k * LAYERS);
    });
    // Sorted (JavaScript string order), so the reader finds a term by binary search, without a map.
    rareTerms.sort((a, b) => (this.terms[a]! < this.terms[b]! ? -1 : 1));
    this.rareStarts = new Uint32Array(rare + 1);
    rareTerms.forEach((id, r) => {
      this.rareIds.set(this.terms[id]!, r);
      this.rareStarts[r + 1] = this.rareStarts[r]! + df[id]!;
    });
    this.rareFilled = new Uint32Array(rare);
    this.rareDocs = new Int32Array(rarePostings);
    this.rareFreqs = new Uint16Array(rarePostings);
    this.docFreq = this.slot = new Uint32Array(0);
    this.firstLayer = new Uint8Array(0);
    this.terms = kept;
    this.ids = keptIds;
    this.counts = counts;
  }

  /** Ends the counting pass: allocates the pools (bytes: 4 per posting, plus 2 per posting of frequency 4 or more). */
  startFill(): void {
    if (this.discover) this.splitRare();
    const lists = this.terms.length * LAYERS;
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
    this.counts = new Uint32Array(lists);
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
      const freq = Math.min(f, MAX_FREQ);
      const id = this.ids.get(term);
      if (id === undefined) {
        if (this.discover && !this.fillRare(term, seq, freq)) return this.fail();
        continue;
      }
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

  /** Writes a rare term's posting; false when the counting pass did not see it there. */
  private fillRare(term: string, seq: number, freq: number): boolean {
    const r = this.rareIds.get(term);
    if (r === undefined) return false;
    const at = this.rareStarts[r]! + this.rareFilled[r]!;
    if (at >= this.rareStarts[r + 1]!) return false;
    this.rareFilled[r]!++;
    this.rareDocs[at] = seq;
    this.rareFreqs[at] = freq;
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
    for (let r = 0; r < this.rareFilled.length; r++) if (this.rareFilled[r] !== this.rareStarts[r + 1]! - this.rareStarts[r]!) return undefined;
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
      ...(this.discover ? { rare: this.packRare() } : {}),
    };
    this.release();
    return packed;
  }

  /** The rare terms as one string with bounds (one string, not a million, to post and to keep). */
  private packRare(): PackedRare {
    const terms = [...this.rareIds.keys()];
    const bounds = new Uint32Array(terms.length + 1);
    terms.forEach((t, i) => (bounds[i + 1] = bounds[i]! + t.length));
    return { text: terms.join(''), bounds, starts: this.rareStarts, docs: this.rareDocs, freqs: this.rareFreqs };
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
    this.rareIds = new Map();
    this.rareStarts = this.rareFilled = new Uint32Array(0);
    this.rareDocs = new Int32Array(0);
    this.rareFreqs = new Uint16Array(0);
  }
}

/** `to` (larger) with `from` copied into its start. */
function grow<T extends Uint8Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Postings of the terms in fewer than the index's minimum number of discoveries (discover mode). */
export interface PackedRare {
  /** The rare terms in JavaScript string order, concatenated; term i is text.slice(bounds[i], bounds[i + 1]). */
  text: string;
  bounds: Uint32Array;
  /** First posting of each rare term in `docs` and `freqs` (and the end, at the last index). */
  starts: Uint32Array;
  /** seqs ascending per term */
  docs: Int32Array;
  /** weighted frequencies (capped at MAX_FREQ) */
  freqs: Uint16Array;
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
  /** Only from a build without a list of terms to keep. */
  rare?: PackedRare;
}

/** The buffers of a packed build, to transfer (not copy) to another thread. */
export function transferList(p: PackedIndex): ArrayBuffer[] {
  const rare = p.rare ? [p.rare.bounds, p.rare.starts, p.rare.docs, p.rare.freqs] : [];
  return [p.starts, p.freqStarts, p.maxF, p.minLen, p.docs, p.freqs, p.lengths, ...rare].map((a) => a.buffer as ArrayBuffer);
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
