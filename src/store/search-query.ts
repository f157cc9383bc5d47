/**
 * One ranked search over the in-memory index (search-index.ts), shared by the SQLite store
 * (search-ranked.ts) and the PostgreSQL store (postgres/search-ranked.ts): the query's terms as
 * the SQLite store's FTS5 path chooses them (sqlite-discoveries.ts termsFor: words found in more
 * than half of the discoveries dropped unless every word is), FTS5's idf, the page of bm25 and
 * the number of matches. Undefined when the index cannot answer exactly: a prefix word, a word
 * that is not plain ASCII letters and digits, or a term some discovery holds more often than a
 * posting records; the caller then asks the database.
 */
import { isAsciiToken, toFtsTerms, type FtsTerm } from './fts-query';
import type { RankQuery, RankTerm, SearchIndex } from './search-index';
import type { TermPostings } from './search-postings';

export interface IndexedPage {
  /** seqs, best first (score desc, seq desc) */
  docs: number[];
  /** bm25 scores, positive, larger is better */
  scores: number[];
  /** discoveries holding at least one of the terms */
  total: number;
}

/**
 * FTS5's idf (fts5_aux.c fts5Bm25GetData): log((N - n + 0.5) / (n + 0.5)), 1e-6 when <= 0.
 * @param ln the natural logarithm to use (the SQLite store passes SQLite's own `ln()`)
 */
export function fts5Idf(rows: number, docs: number, ln: (x: number) => number): number {
  const idf = ln((rows - docs + 0.5) / (docs + 0.5));
  return idf > 0 ? idf : 1e-6;
}

/**
 * The page [offset, offset + limit) of the bm25 ranking of `text`.
 * @param postingsOf a term's postings (lower-cased spelling), empty when no discovery holds it
 * @param ln natural logarithm for the idf (see {@link fts5Idf})
 */
export function rankIndexed(
  index: SearchIndex,
  text: string,
  limit: number,
  offset: number,
  postingsOf: (term: string) => TermPostings,
  ln: (x: number) => number,
): IndexedPage | undefined {
  const memo = new Map<string, TermPostings>();
  const postings = (word: string) => {
    const term = word.toLowerCase();
    let p = memo.get(term);
    if (!p) {
      p = postingsOf(term);
      memo.set(term, p);
    }
    return p;
  };
  const common = (word: string) => index.rows >= 100 && isAsciiToken(word) && postings(word).length * 2 > index.rows;
  const kept = toFtsTerms(text, (w) => !common(w));
  const terms: FtsTerm[] = kept.length ? kept : toFtsTerms(text);
  if (!terms.length) return { docs: [], scores: [], total: 0 };
  if (terms.some((t) => t.prefix || !isAsciiToken(t.word) || index.oversized.has(t.word.toLowerCase()))) return undefined;
  const distinct = [...new Set(terms.map((t) => t.word.toLowerCase()))];
  const rankTerms: RankTerm[] = distinct.map((term) => ({ postings: postings(term), idf: fts5Idf(index.rows, postings(term).length, ln) }));
  const query: RankQuery = { terms: rankTerms, phrases: terms.map((t) => distinct.indexOf(t.word.toLowerCase())) };
  const page = index.topK(query, offset + limit);
  return {
    docs: page.docs.slice(offset),
    scores: page.scores.slice(offset),
    total: index.count(rankTerms.map((t) => t.postings).filter((p) => p.length > 0)),
  };
}
