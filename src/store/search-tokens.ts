/**
 * The terms of one discovery as the FTS5 index `discoveries_fts` sees them (tokenizer
 * `unicode61 remove_diacritics 2`, columns summary, details, tags), with bm25's weighted frequency
 * per term: 3 x occurrences in the summary + 1 x in the details + 2 x in the tags (the column
 * weights of the ranking, see sqlite-discoveries.ts), and the row's length in tokens (what FTS5's
 * `xColumnSize(-1)` returns to bm25).
 *
 * ASCII text is split here: for ASCII, unicode61 keeps exactly the runs of letters and digits and
 * folds A-Z to a-z (sqlite ext/fts5/fts5_tokenize.c; every other ASCII character separates
 * tokens). Text with any other character is tokenized by FTS5 itself, in a private in-memory
 * database with the same tokenizer, so case folding and diacritics follow SQLite exactly.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { loadSqlite } from './sqlite';

/** Column weights of the ranking: summary, details, tags. */
export const COLUMN_WEIGHTS = [3, 1, 2] as const;

export interface DocTerms {
  /** term (FTS5's spelling) -> weighted frequency (>= 1) */
  terms: Map<string, number>;
  /** Tokens in the row, all columns. */
  length: number;
}

/** Any character outside ASCII. */
const NON_ASCII = /\P{ASCII}/u;
const ASCII_TOKEN = /[a-z0-9]+/g;

/** Tokens of ASCII text (lower-cased), or null when the text holds another character. */
export function asciiTokens(text: string): string[] | null {
  if (NON_ASCII.test(text)) return null;
  return text.toLowerCase().match(ASCII_TOKEN) ?? [];
}

/** Splits discoveries into terms; owns a small in-memory SQLite database for non-ASCII text. */
export class DocTokenizer {
  private fts: { db: DatabaseSync; insert: StatementSync; read: StatementSync; clear: StatementSync } | undefined;

  /** The terms of one row (summary, details, tags as stored: the tags' JSON text). */
  terms(summary: string, details: string, tags: string): DocTerms {
    const columns = [asciiTokens(summary), asciiTokens(details), asciiTokens(tags)];
    if (columns.some((c) => c === null)) return this.byFts(summary, details, tags);
    const terms = new Map<string, number>();
    let length = 0;
    for (let c = 0; c < 3; c++) {
      const weight = COLUMN_WEIGHTS[c]!;
      for (const t of columns[c]!) terms.set(t, (terms.get(t) ?? 0) + weight);
      length += columns[c]!.length;
    }
    return { terms, length };
  }

  close(): void {
    this.fts?.db.close();
    this.fts = undefined;
  }

  private byFts(summary: string, details: string, tags: string): DocTerms {
    if (!this.fts) {
      const { DatabaseSync } = loadSqlite();
      const db = new DatabaseSync(':memory:');
      db.exec(`CREATE VIRTUAL TABLE tok USING fts5(summary, details, tags, content='', tokenize='unicode61 remove_diacritics 2');
        CREATE VIRTUAL TABLE tok_instance USING fts5vocab('tok', 'instance');`);
      this.fts = {
        db,
        insert: db.prepare('INSERT INTO tok(rowid, summary, details, tags) VALUES (1, ?, ?, ?)'),
        read: db.prepare('SELECT term, col, count(*) AS n FROM tok_instance GROUP BY term, col'),
        clear: db.prepare("INSERT INTO tok(tok) VALUES ('delete-all')"),
      };
    }
    const { insert, read, clear } = this.fts;
    insert.run(summary, details, tags);
    try {
      const terms = new Map<string, number>();
      let length = 0;
      for (const row of read.all() as Array<{ term: string; col: string; n: number }>) {
        const weight = row.col === 'summary' ? 3 : row.col === 'details' ? 1 : 2;
        terms.set(row.term, (terms.get(row.term) ?? 0) + weight * row.n);
        length += row.n;
      }
      return { terms, length };
    } finally {
      clear.run();
    }
  }
}
