/**
 * The two-pass build (count, then fill exactly sized pools) must give the index that adding the
 * same rows one by one gives, and must refuse to finish when the rows it fills differ from the
 * rows it counted.
 */
import assert from 'node:assert/strict';
import { zipfSampler } from '../../../bench/corpus';
import { IndexBuilder, unpack } from '../../../src/store/search-build';
import { SearchIndex } from '../../../src/store/search-index';
import { TermPostings } from '../../../src/store/search-postings';
import { DocTokenizer, type DocTerms } from '../../../src/store/search-tokens';

const VOCABULARY = Array.from({ length: 300 }, (_, i) => `w${i.toString(36)}`);
const words = zipfSampler(VOCABULARY);
const MIN_DOCS = 8;

/** Rows with lengths from 3 to 80 words, some repeating one word many times, some non-ASCII. */
function rows(count: number): Array<{ seq: number; doc: DocTerms }> {
  const tokenizer = new DocTokenizer();
  try {
    return Array.from({ length: count }, (_, i) => {
      const w = words(i + 1, 3 + (i % 11) * 7);
      const summary = `${w.slice(0, 3).join(' ')}${i % 53 === 0 ? ' Ärger café' : ''}`;
      const details = `${w.slice(3).join(' ')}${i % 37 === 0 ? ` ${Array.from({ length: 40 }, () => w[0]).join(' ')}` : ''}`;
      // Every other seq, as after deletions or rows the index never saw.
      return { seq: 2 * i + 1, doc: tokenizer.terms(summary, details, JSON.stringify(w.slice(0, 2))) };
    });
  } finally {
    tokenizer.close();
  }
}

function heldTerms(all: Array<{ doc: DocTerms }>): string[] {
  const docs = new Map<string, number>();
  for (const { doc } of all) for (const term of doc.terms.keys()) docs.set(term, (docs.get(term) ?? 0) + 1);
  return [...docs].filter(([, n]) => n >= MIN_DOCS).map(([t]) => t);
}

function built(all: Array<{ seq: number; doc: DocTerms }>, held: string[]): SearchIndex | undefined {
  const builder = new IndexBuilder(MIN_DOCS, held, all.at(-1)!.seq);
  for (const r of all) builder.count(r.seq, r.doc);
  builder.startFill();
  for (const r of all) assert.ok(builder.fill(r.seq, r.doc));
  return builder.finish();
}

/** Every (seq, frequency) of a term, in seq order, whatever lists hold them. */
function entries(p: TermPostings): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const list of p.layers) for (let j = 0; j < list.length; j++) out.push([list.docs[j]!, list.freqAt(j)]);
  return out.sort((a, b) => a[0] - b[0]);
}

describe('store: two-pass search index build', () => {
  const all = rows(2500);
  const held = heldTerms(all);

  it('gives the same postings, bounds, lengths and totals as adding the rows one by one', () => {
    const index = built(all, held)!;
    const oneByOne = new SearchIndex(MIN_DOCS);
    for (const t of held) oneByOne.held.set(t, new TermPostings());
    for (const r of all) oneByOne.add(r.seq, r.doc, () => undefined);
    assert.ok(held.length > 50 && held.includes('arger'), 'the corpus has common and non-ASCII held terms');
    assert.equal(index.rows, oneByOne.rows);
    assert.equal(index.tokens, oneByOne.tokens);
    assert.equal(index.lastSeq, oneByOne.lastSeq);
    for (const r of all) assert.equal(index.lengthOf(r.seq), oneByOne.lengthOf(r.seq));
    assert.deepEqual([...index.held.keys()].sort(), [...oneByOne.held.keys()].sort());
    for (const [term, p] of index.held) {
      const q = oneByOne.held.get(term)!;
      assert.equal(p.length, q.length, term);
      assert.equal(p.last, q.last, term);
      assert.deepEqual(entries(p), entries(q), term);
      // The bound of each layer (largest frequency, shortest row) is the same list by list.
      const bounds = (x: TermPostings) => x.layers.map((l) => `${l.maxF}/${l.minLen}/${l.length}`).sort();
      assert.deepEqual(bounds(p), bounds(q), term);
      for (const r of all.slice(0, 200)) assert.equal(p.freqOf(r.seq), q.freqOf(r.seq), `${term} in ${r.seq}`);
    }
    // Lists of one frequency store none, so the pools are smaller than 6 bytes a posting.
    const postings = [...index.held.values()].reduce((n, p) => n + p.length, 0);
    assert.ok(index.bytes() < postings * 6, `${index.bytes()} bytes for ${postings} postings`);
  });

  it('keeps appending after the build (new rows go beside the packed lists)', () => {
    const first = all.slice(0, 2000);
    const index = built(first, held)!;
    const oneByOne = new SearchIndex(MIN_DOCS);
    for (const t of held) oneByOne.held.set(t, new TermPostings());
    for (const r of all) {
      oneByOne.add(r.seq, r.doc, () => undefined);
      if (r.seq > first.at(-1)!.seq) index.add(r.seq, r.doc, () => undefined);
    }
    for (const [term, p] of index.held) assert.deepEqual(entries(p), entries(oneByOne.held.get(term)!), term);
    assert.equal(index.tokens, oneByOne.tokens);
  });

  it('without a term list (PostgreSQL): the same held terms, and every rarer term in a sorted rare pool', () => {
    // Plus one-off words and words in a few rows (the corpus's rarest words are in several).
    const extra = Array.from({ length: 60 }, (_v, i) => ({
      seq: all.at(-1)!.seq + 1 + i,
      doc: { terms: new Map([[`solo${i}`, 1 + (i % 5)], [`few${i % 20}`, 2], [VOCABULARY[0]!, 1]]), length: 3 },
    }));
    const rows = [...all, ...extra];
    const builder = new IndexBuilder(MIN_DOCS, undefined, rows.at(-1)!.seq);
    for (const r of rows) builder.count(r.seq, r.doc);
    builder.startFill();
    for (const r of rows) assert.ok(builder.fill(r.seq, r.doc));
    const packed = builder.pack()!;
    const index = unpack(packed);
    const expected = built(rows, heldTerms(rows))!;
    assert.deepEqual([...index.held.keys()].sort(), [...expected.held.keys()].sort());
    for (const [term, p] of index.held) assert.deepEqual(entries(p), entries(expected.held.get(term)!), term);
    assert.equal(index.tokens, expected.tokens);
    // Every other term, with its postings, in the rare pool: terms sorted, postings in seq order.
    const rare = packed.rare!;
    const terms = Array.from({ length: rare.bounds.length - 1 }, (_v, i) => rare.text.slice(rare.bounds[i], rare.bounds[i + 1]));
    assert.deepEqual(terms, [...terms].sort());
    const want = new Map<string, Array<[number, number]>>();
    for (const r of rows) for (const [t, f] of r.doc.terms) if (!index.held.has(t)) want.set(t, [...(want.get(t) ?? []), [r.seq, f]]);
    assert.ok(want.size > 20 && [...want.values()].some((e) => e.length === 1) && [...want.values()].some((e) => e.length > 1), 'one-off and repeated rare terms');
    assert.deepEqual(new Set(terms), new Set(want.keys()));
    terms.forEach((t, i) => {
      const got = Array.from({ length: rare.starts[i + 1]! - rare.starts[i]! }, (_v, k) => [rare.docs[rare.starts[i]! + k]!, rare.freqs[rare.starts[i]! + k]!]);
      assert.deepEqual(got, want.get(t), t);
    });
  });

  it('does not finish when a row changed, vanished or appeared between the passes', () => {
    const changed = { ...all[10]!, doc: { terms: new Map([...all[10]!.doc.terms].map(([t, f]) => [t, f + 1])), length: all[10]!.doc.length } };
    const cases: Array<[string, Array<{ seq: number; doc: DocTerms }>]> = [
      ['a row with other frequencies', all.map((r, i) => (i === 10 ? changed : r))],
      ['a row with another length', all.map((r, i) => (i === 20 ? { ...r, doc: { ...r.doc, length: r.doc.length + 1 } } : r))],
      ['a row removed', all.filter((_r, i) => i !== 30)],
      ['a row added', [...all.slice(0, 40), { seq: all[40]!.seq - 1, doc: all[40]!.doc }, ...all.slice(40)]],
    ];
    for (const [label, second] of cases) {
      const builder = new IndexBuilder(MIN_DOCS, held, all.at(-1)!.seq);
      for (const r of all) builder.count(r.seq, r.doc);
      builder.startFill();
      for (const r of second) if (!builder.fill(r.seq, r.doc)) break;
      assert.equal(builder.finish(), undefined, label);
    }
    // And the unchanged rows do finish.
    assert.ok(built(all, held));
  });
});
