/**
 * Turns free text typed by a user or an agent into an SQLite FTS5 MATCH expression that cannot
 * be a syntax error: every word becomes a double-quoted FTS5 string (embedded `"` doubled, per
 * https://www.sqlite.org/fts5.html section 3.1), so `OR`, `(`, `:`, `-`, `NEAR` and quotes are
 * plain text. Words are OR-ed: natural-language queries ("fix the sqlite lock error") still find
 * documents that match only some words, and bm25 ranks documents matching more (and rarer) words
 * first. A trailing `*` keeps its FTS5 meaning of a prefix search (`sqli*`).
 */

/** Upper bound on words per query, so a pasted document cannot make one search arbitrarily slow. */
export const MAX_QUERY_TERMS = 32;

const HAS_TOKEN_CHAR = /[\p{L}\p{N}]/u;

/** One OR-ed term of a MATCH expression. */
export interface FtsTerm {
  /** The word as typed, without a trailing `*`. */
  word: string;
  /** True for `word*` (prefix search). */
  prefix: boolean;
  /** The FTS5 phrase: the word double-quoted, plus `*` for a prefix. */
  phrase: string;
}

/**
 * The terms {@link toFtsMatch} joins, in query order (duplicates kept: each is a phrase of its own
 * and bm25 scores each).
 */
export function toFtsTerms(text: string, keep: (word: string) => boolean = () => true): FtsTerm[] {
  const terms: FtsTerm[] = [];
  for (const raw of text.split(/\s+/)) {
    if (terms.length >= MAX_QUERY_TERMS) break;
    const prefix = raw.length > 1 && raw.endsWith('*');
    const word = raw.replace(/\*+$/, '');
    if (!HAS_TOKEN_CHAR.test(word)) continue;
    if (!prefix && !keep(word)) continue;
    terms.push({ word, prefix, phrase: `"${word.replace(/"/g, '""')}"${prefix ? '*' : ''}` });
  }
  return terms;
}

/**
 * @returns the MATCH expression, or null when the text holds no word with a letter or digit
 *          (such text matches nothing).
 */
export function toFtsMatch(text: string, keep: (word: string) => boolean = () => true): string | null {
  return joinTerms(toFtsTerms(text, keep));
}

/** The MATCH expression of `terms` (OR-ed), or null for none. */
export function joinTerms(terms: readonly FtsTerm[]): string | null {
  return terms.length ? terms.map((t) => t.phrase).join(' OR ') : null;
}

/** True for a word that the unicode61 tokenizer keeps as exactly one token (letters and digits only). */
export function isSingleToken(word: string): boolean {
  return /^[\p{L}\p{N}]+$/u.test(word);
}

/**
 * True for a word of ASCII letters and digits only: the unicode61 tokenizer turns it into exactly
 * `word.toLowerCase()` (no case folding or diacritic removal that JavaScript could do differently),
 * so its index statistics can be looked up by that spelling.
 */
export function isAsciiToken(word: string): boolean {
  return /^[A-Za-z0-9]+$/.test(word);
}
