import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openConfiguredStore } from '../../../src/store/open';
import { openStore } from '../../../src/store/store';
import type { Store } from '../../../src/store/types';
import { emptyUsage, type CodexSessionRecord } from '../../../src/supervisor/session';
import { CodexSupervisor } from '../../../src/supervisor/supervisor';
import { testDatabase } from '../../helpers/postgres';
import { useTempDir } from '../store/temp-dir';

function record(i: number, status: CodexSessionRecord['status'] = 'idle'): CodexSessionRecord {
  const at = new Date(Date.UTC(2026, 10, 5, 10, 0, i)).toISOString();
  return {
    id: `s-${i}`,
    threadId: `t-${i}`,
    backend: 'app-server',
    codexVersion: '0.169.0',
    pid: status === 'idle' ? 1000 + i : null,
    cwd: '/work',
    sandbox: 'read-only',
    approvalPolicy: 'never',
    model: null,
    mode: null,
    agentId: 'agent',
    status,
    createdAt: at,
    lastActivityAt: at,
    endedAt: null,
    turns: 1,
    tokens: { ...emptyUsage(), input: i },
    lastError: null,
    transcript: [{ at, type: 'agent_message', summary: `answer ${i}` }],
  };
}

describe('Codex sessions in the store', () => {
  const dir = useTempDir('cg-sessions-');

  it('saves, replaces, lists newest first, and prunes to the most recent', async () => {
    const store = await openStore(dir());
    try {
      for (let i = 0; i < 5; i++) await store.codexSessions.save(record(i));
      await store.codexSessions.save({ ...record(2), status: 'closed', lastActivityAt: new Date(Date.UTC(2026, 10, 6)).toISOString() });
      const all = await store.codexSessions.list(10);
      assert.deepEqual(all.map((r) => r.id), ['s-2', 's-4', 's-3', 's-1', 's-0']);
      assert.equal(all[0]?.status, 'closed');
      assert.deepEqual(all[1]?.transcript, record(4).transcript);
      assert.equal(await store.codexSessions.prune(2), 3);
      assert.deepEqual((await store.codexSessions.list(10)).map((r) => r.id), ['s-2', 's-4']);
    } finally {
      await store.close();
    }
  });

  it('a supervisor restores the records of a previous run; active ones become lost', async () => {
    const store = await openStore(dir());
    try {
      await store.codexSessions.save(record(1, 'idle'));
      await store.codexSessions.save(record(2, 'closed'));
      const sup = new CodexSupervisor({ repository: store.codexSessions, located: { path: '/none', version: '0.169.0', backend: 'app-server', source: 'explicit' } });
      try {
        assert.equal(await sup.restore(), 2);
        const lost = sup.info('s-1');
        assert.equal(lost.status, 'lost');
        assert.equal(lost.pid, null);
        assert.match(lost.lastError ?? '', /host stopped/);
        assert.equal(sup.info('t-2').status, 'closed', 'found by thread id too');
        assert.deepEqual(sup.list({ activeOnly: true }), []);
      } finally {
        await sup.close();
      }
      const stored = await store.codexSessions.list(10);
      assert.equal(stored.find((r) => r.id === 's-1')?.status, 'lost', 'the new status was written back');
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL shared by two servers: each restores, marks lost and prunes only its own sessions; a restart of one finds its own', async function () {
    this.timeout(180_000);
    const database = await testDatabase('codex_sessions_owner');
    const dirs = [mkdtempSync(join(tmpdir(), 'cg-owner-a-')), mkdtempSync(join(tmpdir(), 'cg-owner-b-'))];
    const open = (dataDir: string) => openConfiguredStore({ dataDir, database });
    const stores: Store[] = [];
    try {
      const a = await open(dirs[0]!);
      stores.push(a);
      await a.codexSessions.save(record(1, 'idle'));
      await a.codexSessions.save(record(2, 'closed'));
      const b = await open(dirs[1]!);
      stores.push(b);
      await b.codexSessions.save(record(3, 'closed'));
      // Server B starts while A's session s-1 runs: B neither restores nor marks it lost.
      const supB = new CodexSupervisor({ repository: b.codexSessions, located: { path: '/none', version: '0.169.0', backend: 'app-server', source: 'explicit' } });
      try {
        assert.equal(await supB.restore(), 1);
        assert.deepEqual(supB.list({}).map((s) => s.id), ['s-3']);
      } finally {
        await supB.close();
      }
      assert.equal(await b.codexSessions.prune(0), 1);
      await b.codexSessions.save({ ...record(1, 'closed'), lastError: 'same id from another server' });
      assert.deepEqual((await a.codexSessions.list(10)).map((r) => [r.id, r.status]), [['s-2', 'closed'], ['s-1', 'idle']], "A's records untouched");
      // A restarts on its data directory: its running session is now lost, written back.
      const again = await open(dirs[0]!);
      stores.push(again);
      const supA = new CodexSupervisor({ repository: again.codexSessions, located: { path: '/none', version: '0.169.0', backend: 'app-server', source: 'explicit' } });
      try {
        assert.equal(await supA.restore(), 2);
        assert.equal(supA.info('s-1').status, 'lost');
      } finally {
        await supA.close();
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
