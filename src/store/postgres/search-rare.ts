/**
 * The postings of the terms held by fewer than the index's minimum number of discoveries, for the
 * PostgreSQL store's in-memory index (search-ranked.ts). The SQLite store leaves such terms in FTS5
 * and reads them when a query needs them; PostgreSQL's tsvector cannot give bm25's weighted
 * frequencies and row lengths, so they are kept here: the build's pool (../search-build.ts
 * PackedRare, one seq and one frequency per posting) and, for discoveries added since, a small
 * list per term. A term reaching the minimum moves to the index's held terms.
 */
import type { PackedRare } from '../search-build';
import type { SearchIndex } from '../search-index';
import type { TermPostings } from '../search-postings';

export class RareTerms {
  /** The build's rare terms, sorted and concatenated (search-build.ts PackedRare). */
  private readonly text: string;
  private readonly bounds: Uint32Array;
  /** Terms of the build's pool that moved to the index's held terms. */
  private readonly promoted = new Set<string>();
  private readonly starts: Uint32Array;
  private readonly docs: Int32Array;
  private readonly freqs: Uint16Array;
  /** term -> seq, frequency, seq, frequency, ... added since the build */
  private readonly added = new Map<string, number[]>();

  constructor(packed: PackedRare | undefined, private readonly minDocs: number) {
    this.text = packed?.text ?? '';
    this.bounds = packed?.bounds ?? new Uint32Array(1);
    this.starts = packed?.starts ?? new Uint32Array(1);
    this.docs = packed?.docs ?? new Int32Array(0);
    this.freqs = packed?.freqs ?? new Uint16Array(0);
  }

  /** The term's postings (empty when no discovery holds it). */
  postings(index: SearchIndex, term: string): TermPostings {
    return index.postingsOf(this.entries(term));
  }

  /**
   * Records that discovery `seq` (already given its length in `index`) holds `term` `freq` times.
   * @returns the term's postings, this one included, once `minDocs` discoveries hold it (the term
   *   then leaves this store: the caller holds it), else undefined
   */
  add(index: SearchIndex, term: string, seq: number, freq: number): TermPostings | undefined {
    let list = this.added.get(term);
    if (!list) this.added.set(term, (list = []));
    list.push(seq, freq);
    const entries = this.entries(term);
    if (entries.length < this.minDocs) return undefined;
    if (this.find(term) !== undefined) this.promoted.add(term);
    this.added.delete(term);
    return index.postingsOf(entries);
  }

  /** Bytes of the pool (terms counted as one byte a character; the small maps are not counted). */
  bytes(): number {
    return this.text.length + this.bounds.byteLength + this.starts.byteLength + this.docs.byteLength + this.freqs.byteLength;
  }

  /** The term's number in the build's pool (binary search), undefined when absent or promoted. */
  private find(term: string): number | undefined {
    let lo = 0;
    let hi = this.bounds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const t = this.text.slice(this.bounds[mid], this.bounds[mid + 1]);
      if (t === term) return this.promoted.has(term) ? undefined : mid;
      if (t < term) lo = mid + 1;
      else hi = mid;
    }
    return undefined;
  }

  /** The term's (seq, frequency) pairs in seq order. */
  private entries(term: string): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const id = this.find(term);
    if (id !== undefined) for (let i = this.starts[id]!; i < this.starts[id + 1]!; i++) out.push([this.docs[i]!, this.freqs[i]!]);
    const list = this.added.get(term);
    if (list) {
      for (let i = 0; i < list.length; i += 2) out.push([list[i]!, list[i + 1]!]);
      // A row committed late can be below seqs added before it.
      out.sort((a, b) => a[0] - b[0]);
    }
    return out;
  }
}
