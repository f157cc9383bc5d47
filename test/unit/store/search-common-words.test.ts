/**
 * Both stores drop a query word found in more than half of the discoveries when the query also has
 * a rarer word (SQLite: exact counts from FTS5's vocabulary; PostgreSQL: the planner's statistics
 * of the tsvector column, so the test runs ANALYZE as autovacuum would), and keep it when every word
 * is that common, for prefixes, and below 100 discoveries.
 */
import assert from 'node:assert/strict';
import type { NewDiscovery } from '../../../src/knowledge/repository';
import type { PgStore } from '../../../src/store/postgres/store';
import type { Store } from '../../../src/store/types';
import { describeStores } from './store-kinds';

const T0 = Date.UTC(2026, 11, 2);

function discovery(i: number, rare: boolean): NewDiscovery {
  return {
    id: `disc_${i}`,
    agentId: `agent-${i % 3}`,
    discoveryType: 'note',
    summary: `everywhere item ${i}`,
    details: rare ? 'a seldomword appears here' : 'nothing special here',
    tags: [],
    status: 'open',
    severity: null,
    createdAtMs: T0 + i,
  };
}

describeStores('search drops words found in more than half of the discoveries', (h) => {
  let store: Store;
  afterEach(async () => store?.close());

  async function seeded(n: number, rareEvery: number): Promise<Store> {
    store = await h.open();
    await store.discoveries.bulkInsert(Array.from({ length: n }, (_v, i) => discovery(i, i % rareEvery === 0)));
    if (h.kind === 'postgres') await (store as PgStore).pool.query('ANALYZE discoveries');
    await store.discoveries.searchReady();
    return store;
  }

  it('when the query has a rarer word; kept when every word is common or is a prefix', async function () {
    this.timeout(60_000);
    const s = await seeded(200, 10);
    const both = await s.discoveries.search({ text: 'everywhere seldomword', limit: 5, offset: 0 });
    assert.equal(both.total, 20, 'only the rarer word is searched');
    assert.ok(both.items.every((d) => d.details.includes('seldomword')));
    assert.equal((await s.discoveries.search({ text: 'everywhere', limit: 5, offset: 0 })).total, 200, 'every word common: kept');
    assert.equal((await s.discoveries.search({ text: 'EVERYWHERE item', limit: 5, offset: 0 })).total, 200, 'all common, any case');
    assert.equal((await s.discoveries.search({ text: 'everyw* seldomword', limit: 5, offset: 0 })).total, 200, 'a prefix is never dropped');
    assert.equal((await s.discoveries.search({ text: 'everywhere seldomword', limit: 5, offset: 30 })).total, 20, 'paging past the end keeps the total');
  });

  it('not below 100 discoveries', async function () {
    this.timeout(60_000);
    const s = await seeded(60, 10);
    assert.equal((await s.discoveries.search({ text: 'everywhere seldomword', limit: 5, offset: 0 })).total, 60);
  });
});
