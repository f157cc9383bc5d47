/**
 * The in-memory index splits ASCII text itself; it must agree with FTS5's unicode61 tokenizer
 * (remove_diacritics 2) on every ASCII character, and hand other text to FTS5.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { mulberry32 } from '../../../bench/corpus';
import { asciiTokens, DocTokenizer } from '../../../src/store/search-tokens';

/** FTS5's view of one row: term -> weighted frequency, and its length in tokens. */
function fts5Terms(db: DatabaseSync, summary: string, details: string, tags: string): { terms: Map<string, number>; length: number } {
  db.exec('DELETE FROM t');
  db.prepare('INSERT INTO t(rowid, summary, details, tags) VALUES (1, ?, ?, ?)').run(summary, details, tags);
  const terms = new Map<string, number>();
  let length = 0;
  for (const r of db.prepare('SELECT term, col, count(*) AS n FROM t_instance GROUP BY term, col').all() as Array<{ term: string; col: string; n: number }>) {
    const w = r.col === 'summary' ? 3 : r.col === 'details' ? 1 : 2;
    terms.set(r.term, (terms.get(r.term) ?? 0) + w * r.n);
    length += r.n;
  }
  return { terms, length };
}

describe('store: search tokens match FTS5 unicode61', () => {
  let db: DatabaseSync;
  const tokenizer = new DocTokenizer();
  before(() => {
    db = new DatabaseSync(':memory:');
    db.exec(`CREATE VIRTUAL TABLE t USING fts5(summary, details, tags, tokenize='unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE t_instance USING fts5vocab('t', 'instance');`);
  });
  after(() => {
    db.close();
    tokenizer.close();
  });

  it('every ASCII character, in random strings, splits and folds as FTS5 does', () => {
    const rand = mulberry32(17);
    const text = () => Array.from({ length: 80 }, () => String.fromCharCode(Math.floor(rand() * 128))).join('');
    for (let i = 0; i < 300; i++) {
      const [s, d, t] = [text(), text(), JSON.stringify([text(), 'Tag-One'])];
      const got = tokenizer.terms(s, d, t);
      const want = fts5Terms(db, s, d, t);
      assert.deepEqual(got, want, JSON.stringify([s, d, t]));
    }
  });

  it('text with other characters is tokenized by FTS5 itself (folding, diacritics)', () => {
    assert.equal(asciiTokens('Ärger café'), null);
    const rows: Array<[string, string, string]> = [
      ['Ärger CAFÉ naïve', 'Straße ÉCOLE école', '["Übung"]'],
      ['日本語 テキスト', 'emoji 🎉 party', '[]'],
      ['ﬁle ligature', 'Ωmega ωMEGA', '["Ω"]'],
    ];
    for (const [s, d, t] of rows) assert.deepEqual(tokenizer.terms(s, d, t), fts5Terms(db, s, d, t), s);
  });
});
