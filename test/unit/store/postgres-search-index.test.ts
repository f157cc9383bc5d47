/**
 * The PostgreSQL store's in-memory bm25 index (src/store/postgres/search-ranked.ts) against a real
 * cluster: the same pages as the SQLite store, rows committed out of seq order, a second server's
 * writes, and the tsvector path for what the index does not answer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { NewDiscovery } from '../../../src/knowledge/repository';
import { PgDiscoveryRepository } from '../../../src/store/postgres/discoveries';
import { PgPool } from '../../../src/store/postgres/pool';
import { openPostgresStore, type PgStore } from '../../../src/store/postgres/store';
import { openStore } from '../../../src/store/store';
import type { Store } from '../../../src/store/types';
import { testDatabase } from '../../helpers/postgres';

const T0 = Date.UTC(2026, 10, 1);
const VOCABULARY = Array.from({ length: 400 }, (_v, i) => `w${i.toString(36)}`);

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A word drawn with a skewed (roughly Zipf) distribution: a few very common, a long rare tail. */
function word(next: () => number): string {
  return VOCABULARY[Math.floor(VOCABULARY.length * next() ** 3)]!;
}

function corpus(n: number): NewDiscovery[] {
  const next = random(7);
  return Array.from({ length: n }, (_v, i) => {
    const words = (k: number) => Array.from({ length: k }, () => word(next)).join(' ');
    return {
      id: `disc_${i}`,
      agentId: `agent-${i % 7}`,
      discoveryType: ['insight', 'bug_found', 'note'][i % 3]!,
      // A one-off word per discovery, a repeated word now and then, and some non-ASCII text.
      summary: `${words(1 + (i % 6))} unique${i}${i % 5 === 0 ? ` ${words(1)} ${words(1)}` : ''}`,
      details: `${words(3 + (i % 25))}${i % 97 === 0 ? ' Überprüfung café' : ''}`,
      tags: i % 4 ? [word(next)] : [],
      status: 'open',
      severity: null,
      createdAtMs: T0 + i * 1000,
    };
  });
}

function discovery(id: string, summary: string): NewDiscovery {
  return { id, agentId: 'agent-x', discoveryType: 'note', summary, details: '', tags: [], status: 'open', severity: null, createdAtMs: T0 };
}

async function rawInsert(c: pg.Client, id: string, summary: string, details = ''): Promise<void> {
  await c.query(
    `INSERT INTO discoveries (id, agent_id, discovery_type, summary, details, tags, status, created_at, updated_at) VALUES ($1, 'agent-x', 'note', $2, $3, '[]', 'open', $4, $4)`,
    [id, summary, details, new Date(T0).toISOString()],
  );
}

/** Asserts that two stores give the same pages (ids, scores within 1e-9 relative) and totals. */
async function assertSamePages(a: Store, b: Store, queries: string[]): Promise<number> {
  let compared = 0;
  for (const text of queries) {
    for (const offset of [0, 5]) {
      const x = await a.discoveries.search({ text, limit: 10, offset });
      const y = await b.discoveries.search({ text, limit: 10, offset });
      assert.equal(y.total, x.total, `total of "${text}"`);
      assert.deepEqual(y.items.map((d) => d.id), x.items.map((d) => d.id), `page of "${text}" at ${offset}`);
      y.items.forEach((d, k) => assert.ok(Math.abs(d.score - x.items[k]!.score) <= 1e-9 * Math.abs(x.items[k]!.score), `score of ${d.id} for "${text}": ${d.score} vs ${x.items[k]!.score}`));
      compared += x.items.length;
    }
  }
  return compared;
}

describe('store: PostgreSQL in-memory bm25 search', function () {
  this.timeout(180_000);

  it('returns the same top 10 (ids, scores within 1e-9, totals) as the SQLite store for plain queries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-pg-search-'));
    const sqlite = await openStore(dir);
    const pgStore = await openPostgresStore(await testDatabase('search_same'));
    try {
      const items = corpus(4000);
      await sqlite.discoveries.bulkInsert(items);
      await pgStore.discoveries.bulkInsert(items);
      await Promise.all([sqlite.discoveries.searchReady(), pgStore.discoveries.searchReady()]);
      assert.equal(pgStore.discoveries.indexStats().rows, 4000, 'index built');
      assert.equal(pgStore.discoveries.indexStats().builtIn, 'worker');
      const next = random(11);
      const queries = ['unique17', 'unique17 unique3999', `${VOCABULARY[0]}`, `${VOCABULARY[0]} ${VOCABULARY[1]}`, 'nothing-here', `${VOCABULARY[399]} unique5`];
      for (let i = 0; i < 40; i++) queries.push(Array.from({ length: 1 + (i % 3) }, () => word(next)).join(' '));
      const compared = await assertSamePages(sqlite, pgStore, queries);
      assert.ok(compared > 500, `compared ${compared} results`);
    } finally {
      await sqlite.close();
      await pgStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds a row committed after a larger seq (open transaction A inserts first, B commits first)', async () => {
    const url = await testDatabase('search_xid');
    const store = await openPostgresStore(url);
    const a = new pg.Client({ connectionString: url });
    const b = new pg.Client({ connectionString: url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      await store.discoveries.bulkInsert(corpus(300));
      await store.discoveries.searchReady();
      const rows = store.discoveries.indexStats().rows;
      // Common words too, with the same frequencies: the late row goes before the early one in the
      // same posting lists.
      const [w0, w1] = VOCABULARY;
      await a.query('BEGIN');
      await rawInsert(a, 'late', 'zebraword from the first transaction', `${w0} ${w0} ${w0} ${w1}`);
      await b.query('BEGIN');
      await rawInsert(b, 'early', 'zebraword from the second transaction', `${w0} ${w0} ${w0} ${w1}`);
      await b.query('COMMIT');
      const seqs = (await store.pool.query("SELECT id, seq FROM discoveries WHERE id IN ('early')")).rows;
      assert.equal(seqs.length, 1);
      const first = await store.discoveries.search({ text: 'zebraword', limit: 10, offset: 0 });
      assert.deepEqual(first.items.map((d) => d.id), ['early']);
      assert.equal(store.discoveries.indexStats().rows, rows + 1, 'answered by the index');
      await a.query('COMMIT');
      const late = (await store.pool.query("SELECT seq FROM discoveries WHERE id = 'late'")).rows[0]!;
      assert.ok(Number(late.seq) < Number(seqs[0]!.seq), 'the late row has the smaller seq');
      const second = await store.discoveries.search({ text: 'zebraword', limit: 10, offset: 0 });
      assert.deepEqual(second.items.map((d) => d.id).sort(), ['early', 'late']);
      assert.equal(second.total, 2);
      assert.equal(store.discoveries.indexStats().rows, rows + 2, 'answered by the index');
      // A repeated search reads nothing new and counts nothing twice.
      assert.equal((await store.discoveries.search({ text: 'zebraword', limit: 10, offset: 0 })).total, 2);
      assert.equal(store.discoveries.indexStats().rows, rows + 2);
      // The same pages as an index built afterwards from the table.
      const fresh = await openPostgresStore(url);
      try {
        await fresh.discoveries.searchReady();
        assert.ok((await assertSamePages(store, fresh, [`${w0}`, `${w0} ${w1}`, `${w1} zebraword`, `${w0} transaction`])) > 20);
      } finally {
        await fresh.close();
      }
    } finally {
      await Promise.all([a.end(), b.end()]);
      await store.close();
    }
  });

  it("a discovery stored through one server is found by the other's very next search", async () => {
    const url = await testDatabase('search_two');
    const one = await openPostgresStore(url);
    // The second server builds on its own thread (the path taken when no worker can start).
    const pool = new PgPool(url);
    const two = new PgDiscoveryRepository(pool, { inWorker: false });
    try {
      await one.discoveries.bulkInsert(corpus(500));
      await two.searchReady();
      assert.equal(two.indexStats().builtIn, 'main');
      for (let i = 0; i < 5; i++) {
        await one.discoveries.insert(discovery(`shared_${i}`, `quokka${i} observed by server one`), []);
        const found = await two.search({ text: `quokka${i}`, limit: 5, offset: 0 });
        assert.deepEqual(found.items.map((d) => d.id), [`shared_${i}`]);
      }
      assert.equal(two.indexStats().rows, 505, 'answered by the index');
    } finally {
      two.close();
      await pool.end();
      await one.close();
    }
  });

  it('an unreachable database fails the search as unavailable; the failed build is not an unhandled rejection', async () => {
    const pool = new PgPool('postgres://someone@127.0.0.1:1/nowhere');
    const repo = new PgDiscoveryRepository(pool);
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      await assert.rejects(repo.search({ text: 'anything', limit: 5, offset: 0 }), (err: Error & { code?: string }) => err.code === 'unavailable');
      await repo.searchReady();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(repo.indexStats().rows, 0);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      repo.close();
      await pool.end();
    }
  });

  it('filtered and prefix searches keep the tsvector query', async () => {
    let store: PgStore | undefined;
    try {
      store = await openPostgresStore(await testDatabase('search_fallback'));
      const items = corpus(600);
      await store.discoveries.bulkInsert(items);
      await store.discoveries.searchReady();
      const common = VOCABULARY[2]!;
      const plain = await store.discoveries.search({ text: common, limit: 100, offset: 0 });
      const filtered = await store.discoveries.search({ text: common, agentId: 'agent-3', limit: 100, offset: 0 });
      const expected = items.filter((d) => d.agentId === 'agent-3' && new RegExp(`\\b${common}\\b`).test(`${d.summary} ${d.details} ${d.tags.join(' ')}`));
      assert.ok(expected.length > 3);
      assert.equal(filtered.total, expected.length);
      assert.deepEqual(new Set(filtered.items.map((d) => d.id)), new Set(expected.map((d) => d.id)));
      // ts_rank's scores are not bm25's: the same discovery scores differently on the two paths.
      const some = filtered.items[0]!;
      assert.notEqual(some.score, plain.items.find((d) => d.id === some.id)?.score ?? some.score + 1);
      const prefix = await store.discoveries.search({ text: 'unique59*', limit: 20, offset: 0 });
      assert.deepEqual(prefix.items.map((d) => d.id).sort(), ['disc_59', ...Array.from({ length: 10 }, (_v, k) => `disc_${590 + k}`)].sort());
      assert.equal(prefix.total, 11);
    } finally {
      await store?.close();
    }
  });
});
