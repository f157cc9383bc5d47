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

/**
 * @returns the MATCH expression, or null when the text holds no word with a letter or digit
 *          (such text matches nothing).
 */
export function toFtsMatch(text: string, keep: (word: string) => boolean = () => true): string | null {
  const terms: string[] = [];
  for (const raw of text.split(/\s+/)) {
    if (terms.length >= MAX_QUERY_TERMS) break;
    const prefix = raw.length > 1 && raw.endsWith('*');
    const word = raw.replace(/\*+$/, '');
    if (!HAS_TOKEN_CHAR.test(word)) continue;
    if (!prefix && !keep(word)) continue;
    terms.push(`"${word.replace(/"/g, '""')}"${prefix ? '*' : ''}`);
  }
  return terms.length ? terms.join(' OR ') : null;
}

/** True for a word that the unicode61 tokenizer keeps as exactly one token (letters and digits only). */
export function isSingleToken(word: string): boolean {
  return /^[\p{L}\p{N}]+$/u.test(word);
}
