/**
 * The store's ranked search must return exactly what ranking every match by bm25 returns: the
 * same discoveries, in the same order, with the same scores and totals. The reference below is
 * the plain full-ranking query (every match scored, sorted, paged), with its own count of how
 * many discoveries hold each word (to drop words found in more than half of them).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openStoreFile } from '../../../src/store/store';
import { IndexedRanking } from '../../../src/store/search-ranked';
import { DocTokenizer } from '../../../src/store/search-tokens';
import { buildInWorker, buildPacked } from '../../../src/store/search-worker';
import type { NewDiscovery } from '../../../src/knowledge/repository';
import type { Store } from '../../../src/store/types';
import { zipfSampler } from '../../../bench/corpus';
import { corpusDiscovery, corpusQuery } from '../../../bench/search-corpus';
import { useTempDir } from './temp-dir';

const T0 = Date.UTC(2026, 10, 5, 10, 0, 0);
const VOCABULARY = Array.from({ length: 400 }, (_, i) => `w${i.toString(36)}`);
/** Deterministic Zipf-distributed words (a few very common, most rare), as in real text. */
const words = zipfSampler(VOCABULARY);

function corpus(count: number): NewDiscovery[] {
  return Array.from({ length: count }, (_, i) => {
    // Details of very different lengths, so document length matters to bm25.
    const w = words(i + 1, 6 + (i % 7) * 9);
    return {
      id: `disc_${i}`,
      agentId: `agent-${i % 5}`,
      discoveryType: 'insight',
      summary: `${w.slice(0, 5).join(' ')}${i % 97 === 0 ? ' Ärger café' : ''}`,
      details: w.slice(5).join(' '),
      tags: [...new Set(w.slice(0, 2))],
      status: 'open',
      severity: null,
      createdAtMs: T0 + i,
    };
  });
}

/** Today's full ranking: every match scored with bm25, best first, newest first on ties. */
function reference(db: DatabaseSync, text: string, limit: number, offset: number): { ids: string[]; scores: number[]; total: number } {
  const total = (db.prepare('SELECT count(*) AS n FROM discoveries').get() as { n: number }).n;
  const raw = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w.replace(/\*+$/, '')));
  const docs = (w: string) => (db.prepare('SELECT count(*) AS n FROM discoveries_fts WHERE discoveries_fts MATCH ?').get(`"${w}"`) as { n: number }).n;
  const phrase = (w: string) => (w.length > 1 && w.endsWith('*') ? `"${w.replace(/\*+$/, '')}"*` : `"${w}"`);
  const rare = raw.filter((w) => w.endsWith('*') || !/^[\p{L}\p{N}]+$/u.test(w) || docs(w) * 2 <= total);
  const match = (rare.length ? rare : raw).slice(0, 32).map(phrase).join(' OR ');
  const rows = db
    .prepare(
      `SELECT d.id, -bm25(discoveries_fts, 3.0, 1.0, 2.0) AS score FROM discoveries_fts JOIN discoveries d ON d.seq = discoveries_fts.rowid
       WHERE discoveries_fts MATCH ? ORDER BY score DESC, d.seq DESC LIMIT ? OFFSET ?`,
    )
    .all(match, limit, offset) as Array<{ id: string; score: number }>;
  const count = (db.prepare('SELECT count(*) AS n FROM discoveries_fts WHERE discoveries_fts MATCH ?').get(match) as { n: number }).n;
  return { ids: rows.map((r) => r.id), scores: rows.map((r) => r.score), total: count };
}

describe('store: ranked search equals the full bm25 ranking', () => {
  const dir = useTempDir('cg-rank-');
  let store: Store;
  let db: DatabaseSync;

  beforeEach(async () => {
    const file = join(dir(), 'governance.db');
    store = await openStoreFile(file);
    await store.discoveries.bulkInsert(corpus(3000));
    await store.discoveries.searchReady();
    db = new DatabaseSync(file, { readOnly: true });
  });
  afterEach(async () => {
    db.close();
    await store.close();
  });

  async function same(text: string, limit: number, offset: number): Promise<void> {
    const got = await store.discoveries.search({ text, limit, offset });
    const want = reference(db, text, limit, offset);
    const label = `query "${text}" limit ${limit} offset ${offset}`;
    assert.deepEqual(got.items.map((d) => d.id), want.ids, label);
    assert.deepEqual(got.items.map((d) => d.score), want.scores, `${label}: scores`);
    assert.equal(got.total, want.total, `${label}: total`);
  }

  it('two- to four-word queries drawn like the text, first pages and later pages', async () => {
    for (let i = 0; i < 300; i++) {
      const text = words(500_000 + i, 2 + (i % 3)).join(' ');
      await same(text, i % 4 === 0 ? 50 : 10, i % 5 === 0 ? 10 : 0);
    }
  });

  it('the in-memory index answers plain-word queries itself (no fallback to FTS5), with the same page', async () => {
    const ranking = new IndexedRanking(db);
    await ranking.ready();
    for (let i = 0; i < 100; i++) {
      const text = words(700_000 + i, 1 + (i % 4)).join(' ');
      const got = ranking.rank(text, 10, i % 3 === 0 ? 15 : 0);
      assert.ok(got, `query "${text}" was not answered by the index`);
      const want = reference(db, text, 10, i % 3 === 0 ? 15 : 0);
      const ids = got.docs.length ? (db.prepare(`SELECT seq, id FROM discoveries WHERE seq IN (${got.docs.join(',')})`).all() as Array<{ seq: number; id: string }>) : [];
      const idOf = new Map(ids.map((r) => [r.seq, r.id]));
      assert.deepEqual(got.docs.map((s) => idOf.get(s)), want.ids, text);
      assert.deepEqual(got.scores, want.scores, `${text}: scores`);
      assert.equal(got.total, want.total, `${text}: total`);
    }
    // Prefix and non-ASCII words are left to FTS5.
    assert.equal(ranking.rank('w1*', 10, 0), undefined);
    assert.equal(ranking.rank('café w3', 10, 0), undefined);
    ranking.close();
  });

  it('one word, repeated words, a rare word with few matches, unknown, prefix and non-ASCII words', async () => {
    const rareWord = VOCABULARY[399]!;
    const queries = [
      VOCABULARY[3]!,
      VOCABULARY[40]!,
      `${VOCABULARY[12]!} ${VOCABULARY[12]!}`,
      `${rareWord} ${VOCABULARY[8]!}`,
      `${rareWord} ${VOCABULARY[8]!} ${VOCABULARY[20]!}`,
      `nosuchword ${VOCABULARY[9]!}`,
      `${VOCABULARY[30]!} w1*`,
      `Ärger ${VOCABULARY[15]!}`,
      `café ${VOCABULARY[25]!} ${VOCABULARY[6]!}`,
      `${VOCABULARY[0]!} ${VOCABULARY[1]!}`,
    ];
    for (const text of queries) {
      for (const [limit, offset] of [[10, 0], [1, 0], [5, 20], [100, 0]] as const) await same(text, limit, offset);
    }
  });

  it('stays exact after more discoveries arrive (statistics change with every insert)', async () => {
    const text = `${VOCABULARY[45]!} ${VOCABULARY[20]!}`;
    await same(text, 10, 0);
    const more = corpus(3400).slice(3000).map((d, i) => ({ ...d, id: `disc_more_${i}`, summary: `${VOCABULARY[20]!} ${VOCABULARY[20]!} ${d.summary}` }));
    for (const d of more.slice(0, 50)) await store.discoveries.insert(d, []);
    await same(text, 10, 0);
    await store.discoveries.bulkInsert(more.slice(50));
    await same(text, 10, 0);
    await same(text, 20, 30);
  });
});

describe('store: the in-memory index built while discoveries change', () => {
  const dir = useTempDir('cg-rank-build-');
  let store: Store;
  let file: string;

  beforeEach(async () => {
    file = join(dir(), 'governance.db');
    store = await openStoreFile(file);
    await store.discoveries.bulkInsert(corpus(3000));
  });
  afterEach(async () => {
    await store.close();
  });

  /** Lets the build take one more turn (it runs a chunk per setImmediate). */
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

  /** The index answers every query itself, with the full ranking's page. */
  function answersExactly(ranking: IndexedRanking, db: DatabaseSync): void {
    for (let i = 0; i < 40; i++) {
      const text = words(800_000 + i, 1 + (i % 3)).join(' ');
      const got = ranking.rank(text, 10, 0);
      assert.ok(got, `query "${text}" was not answered by the index`);
      const want = reference(db, text, 10, 0);
      const idOf = new Map((db.prepare('SELECT seq, id FROM discoveries').all() as Array<{ seq: number; id: string }>).map((r) => [r.seq, r.id]));
      assert.deepEqual(got.docs.map((s) => idOf.get(s)), want.ids, text);
      assert.deepEqual(got.scores, want.scores, `${text}: scores`);
      assert.equal(got.total, want.total, `${text}: total`);
    }
  }

  it('includes discoveries committed during both passes of a build on this thread', async () => {
    const db = new DatabaseSync(file);
    const ranking = new IndexedRanking(db, 32, 100, false);
    const more = corpus(3300).slice(3000);
    try {
      ranking.start();
      let added = 0;
      let ready = false;
      void ranking.ready().then(() => (ready = true));
      // 3,000 rows at 100 a turn: about 60 turns for the two passes; a commit every turn or few.
      while (!ready && added < more.length) {
        await turn();
        const d = more[added]!;
        await store.discoveries.insert({ ...d, id: `disc_during_${added++}` }, []);
      }
      await ranking.ready();
      assert.ok(added >= 10, `only ${added} commits landed during the build`);
      answersExactly(ranking, db);
    } finally {
      ranking.close();
      db.close();
    }
  });

  it('starts over when a row it already counted changes before it is filled (build on this thread)', async () => {
    const db = new DatabaseSync(file);
    const ranking = new IndexedRanking(db, 32, 250, false);
    try {
      ranking.start();
      await turn();
      // The counting pass has read the first rows; change the first one (longer, other words).
      db.prepare('UPDATE discoveries SET details = details || ? WHERE seq = 1').run(` ${VOCABULARY[2]!} ${VOCABULARY[2]!} ${VOCABULARY[7]!}`);
      await ranking.ready();
      answersExactly(ranking, db);
    } finally {
      ranking.close();
      db.close();
    }
  });

  it('builds on a worker thread the same packed index as on this thread', async () => {
    const db = new DatabaseSync(file, { readOnly: true });
    const tokenizer = new DocTokenizer();
    try {
      const here = buildPacked(db, tokenizer, 32)!;
      const there = await buildInWorker({ file, minDocs: 32 });
      assert.ok(there, 'the worker did not build');
      assert.deepEqual(there, here);
      assert.equal(there.rows, 3000);
    } finally {
      tokenizer.close();
      db.close();
    }
  });

  it('includes discoveries committed while the worker builds', async () => {
    const db = new DatabaseSync(file);
    const ranking = new IndexedRanking(db);
    const more = corpus(3100).slice(3000);
    try {
      ranking.start();
      let ready = false;
      void ranking.ready().then(() => (ready = true));
      let added = 0;
      while (!ready && added < more.length) await store.discoveries.insert({ ...more[added]!, id: `disc_during_${added++}` }, []);
      await ranking.ready();
      assert.ok(added > 0, 'no commit landed during the build');
      answersExactly(ranking, db);
    } finally {
      ranking.close();
      db.close();
    }
  });
});

describe('store: ranked search equals the full bm25 ranking at 100,000 discoveries', () => {
  const dir = useTempDir('cg-rank-100k-');

  it('two-word queries drawn like the bench (first pages, later pages, deep offsets) give the same ids, scores and totals', async function () {
    // Importing 100,000 discoveries takes 15-60 s here, more on a busy machine.
    this.timeout(20 * 60_000);
    const file = join(dir(), 'governance.db');
    const store = await openStoreFile(file);
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      for (let from = 0; from < 100_000; from += 20_000) {
        await store.discoveries.bulkInsert(Array.from({ length: 20_000 }, (_v, k) => corpusDiscovery(from + k)));
      }
      await store.discoveries.searchReady();
      for (let i = 0; i < 60; i++) {
        const text = i % 10 === 9 ? corpusQuery(i).split(' ')[0]! : corpusQuery(i);
        const [limit, offset] = i % 6 === 0 ? [100, 0] : i % 6 === 1 ? [10, 200] : [10, 0];
        const got = await store.discoveries.search({ text, limit, offset });
        const want = reference(db, text, limit, offset);
        assert.deepEqual(got.items.map((d) => d.id), want.ids, text);
        assert.deepEqual(got.items.map((d) => d.score), want.scores, `${text}: scores`);
        assert.equal(got.total, want.total, `${text}: total`);
      }
    } finally {
      db.close();
      await store.close();
    }
  });
});
