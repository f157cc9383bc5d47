import assert from 'node:assert/strict';
import { openStore } from '../../../src/store/store';
import { emptyUsage, type CodexSessionRecord } from '../../../src/supervisor/session';
import { CodexSupervisor } from '../../../src/supervisor/supervisor';
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
});
