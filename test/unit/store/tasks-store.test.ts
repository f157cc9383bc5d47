import assert from 'node:assert/strict';
import type { Store } from '../../../src/store/types';
import { describeStores } from './store-kinds';

describeStores('store: tasks table', (h) => {
  let store: Store;
  beforeEach(async () => {
    store = await h.open();
  });
  afterEach(() => store.close());

  const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
  const post = (taskId: string) => store.tasks.insert({ taskId, description: 'd', status: 'pending', dueDate: null, priority: 'medium', tags: ['a', 'b'], createdBy: 'p', createdAtMs: T0 });

  it('round-trips a task with ISO times and tags', async () => {
    const t = await post('x');
    assert.deepEqual(t, {
      task_id: 'x', description: 'd', status: 'pending', due_date: null, priority: 'medium', tags: ['a', 'b'], created_by: 'p',
      claimed_by: null, lease_expires_at: null, result: null, created_at: '2026-12-01T12:00:00.000Z', updated_at: '2026-12-01T12:00:00.000Z',
    });
    await assert.rejects(post('x'), (e: { code?: string }) => e.code === 'conflict');
  });

  it('a claim is a conditional update: of claims issued in one turn exactly one changes the row', async () => {
    await post('race');
    const outcomes = await Promise.all(Array.from({ length: 16 }, (_, i) => store.tasks.claim('race', `agent-${i}`, T0, 60_000, false)));
    const winners = outcomes.flatMap((o, i) => (o.ok ? [`agent-${i}`] : []));
    assert.equal(winners.length, 1);
    assert.ok(outcomes.every((o) => o.ok || o.current?.claimed_by === winners[0]));
  });

  it('applies expiry on reads: a lease ending at or before now reads as pending', async () => {
    await post('lease');
    await store.tasks.claim('lease', 'a', T0, 1000, false);
    assert.equal((await store.tasks.get('lease', T0 + 999))!.status, 'claimed');
    const after = (await store.tasks.get('lease', T0 + 1000))!;
    assert.deepEqual([after.status, after.claimed_by, after.lease_expires_at], ['pending', null, null]);
    assert.equal((await store.tasks.list({ status: 'claimed', limit: 10, offset: 0 }, T0 + 1000)).total, 0);
    const finish = await store.tasks.finish('lease', 'a', T0 + 1000, 'completed', 'late');
    assert.equal(finish.ok, false);
  });
});
