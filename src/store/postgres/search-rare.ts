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
  /** term -> its number in the build's pool */
  private readonly ids = new Map<string, number>();
  private readonly starts: Uint32Array;
  private readonly docs: Int32Array;
  private readonly freqs: Uint16Array;
  /** term -> seq, frequency, seq, frequency, ... added since the build */
  private readonly added = new Map<string, number[]>();

  constructor(packed: PackedRare | undefined, private readonly minDocs: number) {
    packed?.terms.forEach((t, i) => this.ids.set(t, i));
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
    this.ids.delete(term);
    this.added.delete(term);
    return index.postingsOf(entries);
  }

  /** Bytes of the typed arrays (the maps' strings and entries are not counted). */
  bytes(): number {
    return this.starts.byteLength + this.docs.byteLength + this.freqs.byteLength;
  }

  /** The term's (seq, frequency) pairs in seq order. */
  private entries(term: string): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const id = this.ids.get(term);
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
