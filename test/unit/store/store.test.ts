import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, DATABASE_FILE } from '../../../src/store/store';
import { LATEST_SCHEMA_VERSION, migrate, schemaVersion, SchemaTooNewError } from '../../../src/store/migrations';
import { openDatabase } from '../../../src/store/sqlite';
import type { NewDiscovery } from '../../../src/knowledge/repository';
import { useTempDir } from './temp-dir';

const T0 = Date.UTC(2026, 10, 5, 10, 0, 0);

function discovery(i: number, over: Partial<NewDiscovery> = {}): NewDiscovery {
  return {
    id: `disc_bulk_${i}`,
    agentId: `agent-${i % 3}`,
    discoveryType: 'insight',
    summary: `bulk discovery number ${i}`,
    details: i % 2 ? 'odd details about sqlite' : 'even details about typescript',
    tags: [`group${i % 5}`],
    status: 'open',
    severity: null,
    createdAtMs: T0 + i,
    ...over,
  };
}

describe('store: SQLite file, pragmas and migrations', () => {
  const dir = useTempDir();

  it('creates governance.db in the data dir in WAL mode with the latest schema', async () => {
    const store = await openStore(dir());
    try {
      const info = await store.info();
      assert.equal(info.path, join(dir(), DATABASE_FILE));
      assert.equal(info.schemaVersion, LATEST_SCHEMA_VERSION);
      assert.ok(existsSync(info.path));
      // WAL is a property of the file: a second, independent connection sees it.
      const other = new DatabaseSync(info.path);
      assert.equal((other.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
      other.close();
    } finally {
      await store.close();
    }
  });

  it('applies connection pragmas: synchronous=FULL, foreign keys on, busy timeout', () => {
    const db = openDatabase(join(dir(), 'x.db'));
    try {
      assert.equal((db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous, 2);
      assert.equal((db.prepare('PRAGMA foreign_keys').get() as { foreign_keys: number }).foreign_keys, 1);
      assert.ok((db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout >= 1000);
    } finally {
      db.close();
    }
  });

  it('reopening keeps the data and re-runs no migration', async () => {
    let store = await openStore(dir());
    await store.agents.ensure({ id: 'codex-1', clientName: 'codex', atMs: T0 });
    await store.discoveries.insert(discovery(1), []);
    await store.close();

    store = await openStore(dir());
    try {
      assert.equal((await store.agents.get('codex-1'))?.clientName, 'codex');
      assert.equal((await store.discoveries.get('disc_bulk_1'))?.summary, 'bulk discovery number 1');
      assert.equal((await store.info()).schemaVersion, LATEST_SCHEMA_VERSION);
    } finally {
      await store.close();
    }
    const db = openDatabase(join(dir(), DATABASE_FILE));
    try {
      assert.deepEqual(migrate(db, 'governance.db'), []);
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer schema, naming both versions', async () => {
    const file = join(dir(), DATABASE_FILE);
    const raw = new DatabaseSync(file);
    raw.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    await assert.rejects(openStore(dir()), (err: Error) => {
      assert.ok(err instanceof SchemaTooNewError);
      assert.match(err.message, new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 5}`));
      assert.match(err.message, new RegExp(`up to ${LATEST_SCHEMA_VERSION}`));
      assert.match(err.message, /governance\.db/);
      return true;
    });
  });

  it('a failing migration is rolled back whole and leaves the previous version', () => {
    const db = openDatabase(join(dir(), 'm.db'));
    try {
      const migrations = [
        { version: 1, description: 'one', sql: 'CREATE TABLE a (x INTEGER);' },
        { version: 2, description: 'two', sql: 'CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);' },
      ];
      assert.throws(() => migrate(db, 'm.db', migrations), /nowhere/);
      assert.equal(schemaVersion(db), 1);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => (r as { name: string }).name);
      assert.deepEqual(tables, ['a']);
    } finally {
      db.close();
    }
  });

  it('bulk insert writes discoveries, tags, edges and the FTS index in one go', async () => {
    const store = await openStore(dir());
    try {
      const items = Array.from({ length: 500 }, (_, i) => discovery(i));
      const edges = items.slice(1).map((d, i) => ({ fromId: d.id, toId: `disc_bulk_${i}`, relation: 'related_to', agentId: null, createdAtMs: T0 }));
      assert.deepEqual(await store.discoveries.bulkInsert(items, edges), { discoveries: 500, edges: 499 });
      assert.deepEqual(await store.discoveries.counts(), { discoveries: 500, edges: 499 });
      const sqlite = await store.discoveries.search({ text: 'sqlite', limit: 1000, offset: 0 });
      assert.equal(sqlite.total, 250);
      const tagged = await store.discoveries.recent({ tags: ['GROUP3'], limit: 1000 });
      assert.equal(tagged.total, 100);
      assert.ok(tagged.items.every((d) => d.tags.includes('group3')));
    } finally {
      await store.close();
    }
  });

  it('a failed bulk insert stores nothing', async () => {
    const store = await openStore(dir());
    try {
      await assert.rejects(store.discoveries.bulkInsert([discovery(1), discovery(2), discovery(1)]));
      assert.deepEqual(await store.discoveries.counts(), { discoveries: 0, edges: 0 });
      assert.equal((await store.discoveries.search({ text: 'bulk', limit: 10, offset: 0 })).total, 0);
    } finally {
      await store.close();
    }
  });
});
