/**
 * Postings of the in-memory ranked search (search-index.ts): per term, the discoveries holding it
 * with bm25's weighted frequency of the term, split into impact layers by frequency. Each layer
 * remembers its largest frequency and its shortest row, which bound the term's bm25 summand for
 * every discovery in it, so a search can take the layers that matter first and stop early.
 *
 * In SQLite, discoveries only ever get larger `seq`s (AUTOINCREMENT), so postings are only appended.
 * A built index holds each layer as a view into two shared pools (search-build.ts), sized exactly;
 * later discoveries go to small growable lists beside them, so the pools are never copied. In
 * PostgreSQL a row can commit after rows with larger seqs (a bigserial value is taken before the
 * commit): such a late row is inserted in order into its layer's growable list ({@link Postings.insert}).
 */

/** Largest weighted frequency a posting stores (Uint16); a term exceeding it is not indexed. */
export const MAX_FREQ = 0xffff;

/**
 * One list of postings: seqs ascending with their frequencies. A list whose layer has a single
 * frequency (1, 2 or 3, see {@link layerOf}) stores none: each of its postings has frequency `maxF`.
 */
export class Postings {
  docs: Int32Array;
  /** Frequency by position, or undefined when every posting has frequency {@link maxF}. */
  freqs: Uint16Array | undefined;
  length = 0;
  /** Largest frequency and shortest row in this list (its bound). */
  maxF = 0;
  minLen = 0xffffffff;

  /** @param single true when every posting will have the same frequency (no freqs array) */
  constructor(capacity = 4, single = false) {
    this.docs = new Int32Array(capacity);
    this.freqs = single ? undefined : new Uint16Array(capacity);
  }

  /**
   * A full list over arrays filled elsewhere (views into a build's pools; they are not copied).
   * @param freqs undefined when every posting has frequency `maxF`
   */
  static packed(docs: Int32Array, freqs: Uint16Array | undefined, maxF: number, minLen: number): Postings {
    const p = new Postings(0, true);
    p.docs = docs;
    p.freqs = freqs;
    p.length = docs.length;
    p.maxF = maxF;
    p.minLen = minLen;
    return p;
  }

  get last(): number {
    return this.length ? this.docs[this.length - 1]! : -1;
  }

  /** Frequency of the posting at position `j`. */
  freqAt(j: number): number {
    return this.freqs ? this.freqs[j]! : this.maxF;
  }

  /**
   * Appends one discovery. `doc` must exceed every seq already held (a repeat is ignored).
   * @param freq 1..MAX_FREQ (the same for every posting of a list built `single`); @param len the row's length in tokens
   */
  push(doc: number, freq: number, len: number): void {
    if (doc <= this.last) return;
    if (this.length === this.docs.length) this.grow(this.length + (this.length >> 1) + 8);
    const i = this.length++;
    this.docs[i] = doc;
    if (this.freqs) this.freqs[i] = freq;
    if (freq > this.maxF) this.maxF = freq;
    if (len < this.minLen) this.minLen = len;
  }

  /**
   * Adds one discovery at its place in seq order (a seq already held is ignored): a row that
   * committed after larger seqs were added. Moves the postings after it (rare, and near the end).
   */
  insert(doc: number, freq: number, len: number): void {
    if (doc > this.last) return this.push(doc, freq, len);
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.docs[mid]! < doc) lo = mid + 1;
      else hi = mid;
    }
    if (this.docs[lo] === doc && lo < this.length) return;
    if (this.length === this.docs.length) this.grow(this.length + (this.length >> 1) + 8);
    this.docs.copyWithin(lo + 1, lo, this.length);
    this.docs[lo] = doc;
    if (this.freqs) {
      this.freqs.copyWithin(lo + 1, lo, this.length);
      this.freqs[lo] = freq;
    }
    this.length++;
    if (freq > this.maxF) this.maxF = freq;
    if (len < this.minLen) this.minLen = len;
  }

  /** Bytes held by the typed arrays (a view counts its own part of a pool). */
  bytes(): number {
    return this.docs.byteLength + (this.freqs?.byteLength ?? 0);
  }

  private grow(capacity: number): void {
    const docs = new Int32Array(capacity);
    docs.set(this.docs.subarray(0, this.length));
    this.docs = docs;
    if (this.freqs) {
      const freqs = new Uint16Array(capacity);
      freqs.set(this.freqs.subarray(0, this.length));
      this.freqs = freqs;
    }
  }
}

/** Number of set bits in a 32-bit word. */
export function popcount(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Impact layers: frequencies 1, 2, 3, then ranges growing by about 1.4x (4-5, 6-7, 8-11, 12-15, ...). */
export function layerOf(freq: number): number {
  return freq < 4 ? freq - 1 : 3 + Math.floor(2 * Math.log2(freq / 4));
}

/** Layers holding a single frequency (1, 2, 3): their lists store no frequencies. */
export const SINGLE_FREQ_LAYERS = 3;
/** Number of layers ({@link layerOf} of MAX_FREQ, plus one). */
export const LAYERS = layerOf(MAX_FREQ) + 1;

/**
 * All postings of one term, split into impact layers by frequency ({@link layerOf}), each layer
 * one or two lists in seq order (a packed one from the build, and one for discoveries added since).
 * A search treats each list as its own (bounded by the list's largest frequency), so the few
 * high-frequency postings of a common word are scored first and its long tail of single
 * occurrences can be skipped (impact-layered postings, as in Anh & Moffat, "Pruned query evaluation
 * using pre-computed impacts", SIGIR 2006).
 */
export class TermPostings {
  /** Every list, packed ones first. */
  readonly layers: Postings[] = [];
  /** The growable list of each layer, where {@link push} appends. */
  private readonly tails: Array<Postings | undefined> = [];
  /** Number of discoveries holding the term. */
  length = 0;
  /** Largest seq held. */
  last = -1;
  /** One bit per seq, set for the discoveries holding the term; kept for common terms only (counts). */
  bits: Uint32Array | undefined;

  /** Adds a packed list (before any {@link push}; lists of one term hold different seqs). */
  addPacked(list: Postings): void {
    this.layers.push(list);
    this.length += list.length;
    if (list.last > this.last) this.last = list.last;
  }

  /**
   * Adds one discovery (a repeat is ignored). A seq below the largest held goes in order into its
   * layer's growable list (a row committed late, see the file's comment). @param freq 1..MAX_FREQ
   */
  push(doc: number, freq: number, len: number): void {
    if (doc === this.last || (doc < this.last && this.freqOf(doc) > 0)) return;
    const l = layerOf(freq);
    let tail = this.tails[l];
    if (!tail) {
      tail = this.tails[l] = new Postings(4, l < SINGLE_FREQ_LAYERS);
      this.layers.push(tail);
    }
    if (doc > this.last) {
      this.last = doc;
      tail.push(doc, freq, len);
    } else tail.insert(doc, freq, len);
    this.length++;
    if (this.bits) {
      const w = doc >> 5;
      if (w >= this.bits.length) {
        const grown = new Uint32Array(Math.max(w + 1, this.bits.length + (this.bits.length >> 1)));
        grown.set(this.bits);
        this.bits = grown;
      }
      this.bits[w] = this.bits[w]! | (1 << (doc & 31));
    }
  }

  /** Starts keeping {@link bits} (sized for seqs up to `maxSeq`). */
  keepBits(maxSeq: number): void {
    if (this.bits) return;
    const bits = new Uint32Array((maxSeq >> 5) + 1);
    this.forEachDoc((d) => (bits[d >> 5] = bits[d >> 5]! | (1 << (d & 31))));
    this.bits = bits;
  }

  /** The weighted frequency of the term in `doc`, 0 when the discovery does not hold it. */
  freqOf(doc: number): number {
    if (doc > this.last) return 0;
    if (this.bits && !((this.bits[doc >> 5] ?? 0) & (1 << (doc & 31)))) return 0;
    for (const layer of this.layers) {
      if (!layer.length) continue;
      const docs = layer.docs;
      let lo = 0;
      let hi = layer.length - 1;
      if (doc < docs[0]! || doc > docs[hi]!) continue;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (docs[mid]! < doc) lo = mid + 1;
        else hi = mid;
      }
      if (docs[lo] === doc) return layer.freqAt(lo);
    }
    return 0;
  }

  forEachDoc(fn: (doc: number) => void): void {
    for (const layer of this.layers) {
      const docs = layer.docs;
      for (let i = 0; i < layer.length; i++) fn(docs[i]!);
    }
  }

  bytes(): number {
    let n = this.bits?.byteLength ?? 0;
    for (const layer of this.layers) n += layer.bytes();
    return n;
  }
}
