import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { durableWrite, inTransaction, openDatabase } from '../../../src/store/sqlite';

describe('group commit (durableWrite)', () => {
  let dir: string;
  let db: DatabaseSync;
  let reader: DatabaseSync;
  const count = () => (reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cg-gc-'));
    db = openDatabase(join(dir, 'x.db'));
    db.exec('CREATE TABLE t (v INTEGER UNIQUE)');
    reader = new DatabaseSync(join(dir, 'x.db'), { readOnly: true });
  });
  afterEach(() => {
    reader.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes of one turn become visible to other connections together, only once acknowledged', async () => {
    const writes = [1, 2, 3].map((v) => durableWrite(db, () => db.prepare('INSERT INTO t VALUES (?)').run(v)));
    assert.equal(count(), 0, 'nothing is committed before the turn ends');
    await Promise.all(writes);
    assert.equal(count(), 3);
  });

  it('a failing write rolls back alone and rejects; the others commit', async () => {
    const ok1 = durableWrite(db, () => db.prepare('INSERT INTO t VALUES (1)').run());
    const bad = durableWrite(db, () => {
      db.prepare('INSERT INTO t VALUES (2)').run();
      db.prepare('INSERT INTO t VALUES (1)').run(); // UNIQUE violation after a partial write
    });
    const ok2 = durableWrite(db, () => db.prepare('INSERT INTO t VALUES (3)').run());
    await assert.rejects(bad, /UNIQUE/);
    await Promise.all([ok1, ok2]);
    assert.deepEqual((reader.prepare('SELECT v FROM t ORDER BY v').all() as Array<{ v: number }>).map((r) => r.v), [1, 3]);
  });

  it('a plain transaction first commits the open batch (no nested BEGIN)', async () => {
    const pending = durableWrite(db, () => db.prepare('INSERT INTO t VALUES (1)').run());
    inTransaction(db, () => db.prepare('INSERT INTO t VALUES (2)').run());
    assert.equal(count(), 2);
    await pending;
  });
});
