import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { closeWrites, durableWrite, inTransaction, openDatabase } from '../../../src/store/sqlite';

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

describe('group commit: durability', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cg-gc-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the connection at synchronous=FULL between batches, so plain transactions stay synchronous', async () => {
    const db = openDatabase(join(dir, 'x.db'));
    try {
      db.exec('CREATE TABLE t (v INTEGER)');
      const synchronous = () => (db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous;
      const write = durableWrite(db, () => db.prepare('INSERT INTO t VALUES (1)').run());
      await write;
      assert.equal(synchronous(), 2);
      await Promise.all([1, 2].map((v) => durableWrite(db, () => db.prepare('INSERT INTO t VALUES (?)').run(v))));
      assert.equal(synchronous(), 2);
    } finally {
      closeWrites(db);
      db.close();
    }
  });

  it('closeWrites commits the open batch and settles every write; later writes are refused with a clear error', async () => {
    const db = openDatabase(join(dir, 'x.db'));
    db.exec('CREATE TABLE t (v INTEGER)');
    const writes = [1, 2, 3].map((v) => durableWrite(db, () => db.prepare('INSERT INTO t VALUES (?)').run(v)));
    closeWrites(db);
    await Promise.all(writes);
    await assert.rejects(durableWrite(db, () => db.prepare('INSERT INTO t VALUES (4)').run()), /database is closed/);
    db.close();
    const reader = new DatabaseSync(join(dir, 'x.db'), { readOnly: true });
    assert.equal((reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 3);
    reader.close();
  });

  it('no acknowledged write is lost when the process is killed mid-stream (SIGKILL), and the file is intact', async function () {
    this.timeout(30_000);
    for (let trial = 0; trial < 3; trial++) {
      const data = mkdtempSync(join(dir, 'kill-'));
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'durable-writer.ts'), data], { stdio: ['ignore', 'pipe', 'inherit'] });
      const acked: string[] = [];
      let buffer = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop() ?? '';
          acked.push(...lines);
          // Kill at a different point each trial, while writes are in flight.
          if (acked.length >= 200 + trial * 150) child.kill('SIGKILL');
        });
        child.once('exit', () => resolve());
        child.once('error', reject);
      });
      assert.ok(acked.length >= 200, `the writer acknowledged ${acked.length} writes before it was killed`);
      const db = new DatabaseSync(join(data, 'governance.db'));
      try {
        assert.equal((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
        const stored = new Set((db.prepare('SELECT id FROM agents').all() as Array<{ id: string }>).map((r) => r.id));
        const lost = acked.filter((id) => !stored.has(id));
        assert.deepEqual(lost, [], `trial ${trial}: acknowledged but missing after the kill`);
      } finally {
        db.close();
      }
    }
  });
});
