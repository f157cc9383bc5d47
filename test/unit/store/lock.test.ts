import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireDataDir, DataDirError, DataDirLockedError, LOCK_FILE } from '../../../src/store/lock';
import { useTempDir } from './temp-dir';

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  assert.ok(child.pid);
  return child.pid;
}

function writeLock(dir: string, owner: Record<string, unknown>): void {
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(owner));
}

describe('store: data-dir ownership lock', () => {
  const tmp = useTempDir('cg-lock-');
  let sleeper: ChildProcess | undefined;

  afterEach(() => {
    if (sleeper?.pid && sleeper.exitCode === null) sleeper.kill();
    sleeper = undefined;
  });

  it('creates a missing data dir with mode 0700 and records this process as owner', () => {
    const dir = join(tmp(), 'nested', 'data');
    const lease = acquireDataDir(dir, { port: 8765, hostKind: 'test' });
    try {
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
      assert.equal(owner.pid, process.pid);
      assert.equal(owner.port, 8765);
      assert.equal(owner.hostKind, 'test');
    } finally {
      lease.release();
    }
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  });

  it('a second acquire fails naming the owner pid and port; after release it succeeds', () => {
    const lease = acquireDataDir(tmp(), { port: 0, hostKind: 'cli' });
    lease.update({ port: 9123 });
    assert.throws(
      () => acquireDataDir(tmp(), { port: 8765, hostKind: 'vscode' }),
      (err: Error) => {
        assert.ok(err instanceof DataDirLockedError);
        assert.match(err.message, new RegExp(`owned by process ${process.pid}\\b`));
        assert.match(err.message, /serving port 9123/);
        assert.match(err.message, /--data-dir/);
        return true;
      },
    );
    lease.release();
    acquireDataDir(tmp(), { port: 8765, hostKind: 'vscode' }).release();
  });

  it('refuses a directory owned by another live process', async () => {
    sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await new Promise((resolve) => sleeper!.once('spawn', resolve));
    writeLock(tmp(), { pid: sleeper.pid, port: 8765, hostKind: 'cli', startedAt: new Date().toISOString(), nonce: 'other' });
    assert.throws(() => acquireDataDir(tmp(), { port: 8766, hostKind: 'test' }), (err: Error) => {
      assert.ok(err instanceof DataDirLockedError);
      assert.match(err.message, new RegExp(`process ${sleeper!.pid} \\(cli\\) serving port 8765`));
      return true;
    });
  });

  it('takes over a stale lock left by a dead process', () => {
    const pid = deadPid();
    writeLock(tmp(), { pid, port: 8765, hostKind: 'cli', startedAt: '2026-01-01T00:00:00.000Z', nonce: 'dead' });
    const lease = acquireDataDir(tmp(), { port: 8770, hostKind: 'test' });
    try {
      const owner = JSON.parse(readFileSync(join(tmp(), LOCK_FILE), 'utf8'));
      assert.equal(owner.pid, process.pid);
      assert.equal(owner.port, 8770);
    } finally {
      lease.release();
    }
  });

  it('takes over an unreadable lock file and a lock naming our pid from an earlier run', () => {
    writeFileSync(join(tmp(), LOCK_FILE), '{not json');
    acquireDataDir(tmp(), { port: 1, hostKind: 'test' }).release();
    // Containers reuse pids: a lock with our pid that this process never took is stale.
    writeLock(tmp(), { pid: process.pid, port: 8765, hostKind: 'cli', startedAt: '', nonce: 'previous-run' });
    acquireDataDir(tmp(), { port: 2, hostKind: 'test' }).release();
  });

  it('update() rewrites the port atomically and release() leaves a lock that is no longer ours', () => {
    const lease = acquireDataDir(tmp(), { port: null, hostKind: 'test' });
    assert.throws(() => acquireDataDir(tmp(), { port: 1, hostKind: 'test' }), /which is still starting/);
    lease.update({ port: 43210 });
    assert.equal(JSON.parse(readFileSync(join(tmp(), LOCK_FILE), 'utf8')).port, 43210);
    writeLock(tmp(), { pid: process.pid, port: 1, hostKind: 'someone-else', startedAt: '', nonce: 'theirs' });
    lease.release();
    assert.equal(JSON.parse(readFileSync(join(tmp(), LOCK_FILE), 'utf8')).hostKind, 'someone-else');
  });

  it('an unusable path fails with DataDirError naming the path and the fix', () => {
    const file = join(tmp(), 'a-file');
    writeFileSync(file, 'x');
    for (const dir of [file, join(file, 'sub')]) {
      assert.throws(() => acquireDataDir(dir, { port: 1, hostKind: 'test' }), (err: Error) => {
        assert.ok(err instanceof DataDirError, String(err));
        assert.ok(err.message.includes(dir), err.message);
        assert.match(err.message, /--data-dir/);
        return true;
      });
    }
  });
});
