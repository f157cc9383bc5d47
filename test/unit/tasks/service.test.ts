import assert from 'node:assert/strict';
import { GovernanceEvents, type GovernanceEventMap } from '../../../src/core/events';
import { openStore } from '../../../src/store/store';
import type { Store } from '../../../src/store/types';
import { TaskService } from '../../../src/tasks/service';
import { manualClock, useTempDir } from '../store/temp-dir';

describe('task queue service over a real SQLite file', () => {
  const dir = useTempDir('cg-tasks-');
  let store: Store;
  let clock: ReturnType<typeof manualClock>;
  let tasks: TaskService;
  let events: GovernanceEvents;

  beforeEach(async () => {
    store = await openStore(dir());
    clock = manualClock();
    events = new GovernanceEvents();
    tasks = new TaskService(store.tasks, events, clock.now);
  });
  afterEach(() => store.close());

  const code = (c: string, field?: string) => (err: unknown) => {
    const e = err as { code?: string; field?: string };
    assert.equal(e.code, c, String(err));
    if (field) assert.equal(e.field, field);
    return true;
  };

  it('posts seed 003 task JSON with defaults, generates a task_id when absent, refuses a duplicate', async () => {
    const t = await tasks.post({ taskId: 'T_CHAT_001', description: 'Write the report', status: 'pending', dueDate: '2026-12-31', createdBy: 'gpt' });
    assert.equal(t.status, 'pending');
    assert.equal(t.priority, 'medium');
    assert.deepEqual(t.tags, []);
    assert.equal(t.due_date, '2026-12-31');
    const generated = await tasks.post({ description: 'No id', createdBy: 'gpt' });
    assert.match(generated.task_id, /^task-/);
    await assert.rejects(tasks.post({ taskId: 'T_CHAT_001', description: 'again', createdBy: 'gpt' }), code('conflict'));
    assert.equal((await tasks.list()).total, 2);
  });

  it('names the bad field and stores nothing', async () => {
    await assert.rejects(tasks.post({ description: '', createdBy: 'a' }), code('invalid_arguments', 'description'));
    await assert.rejects(tasks.post({ description: 'x', dueDate: '2026-02-30', createdBy: 'a' }), code('invalid_arguments', 'due_date'));
    await assert.rejects(tasks.post({ description: 'x', dueDate: '31/12/2026', createdBy: 'a' }), code('invalid_arguments', 'due_date'));
    await assert.rejects(tasks.post({ description: 'x', status: 'claimed', createdBy: 'a' }), code('invalid_arguments', 'status'));
    await assert.rejects(tasks.post({ description: 'x', priority: 'urgent', createdBy: 'a' }), code('invalid_arguments', 'priority'));
    await assert.rejects(tasks.post({ taskId: 'has space', description: 'x', createdBy: 'a' }), code('invalid_arguments', 'task_id'));
    await assert.rejects(tasks.list({ status: 'done' }), code('invalid_arguments', 'status'));
    assert.equal((await tasks.list()).total, 0);
  });

  it('lists by priority, then due date (none last), then age; filters by status, claimed_by and tag; pages', async () => {
    const post = async (taskId: string, priority: string, dueDate?: string, tags: string[] = []) => {
      clock.advance(1000);
      await tasks.post({ taskId, description: taskId, priority, dueDate, tags, createdBy: 'a' });
    };
    await post('low', 'low');
    await post('med-old', 'medium');
    await post('med-due-late', 'medium', '2026-12-31');
    await post('med-due-soon', 'medium', '2026-11-30', ['docs']);
    await post('crit', 'critical');
    await post('med-new', 'medium');
    const all = await tasks.list();
    assert.deepEqual(all.tasks.map((t) => t.task_id), ['crit', 'med-due-soon', 'med-due-late', 'med-old', 'med-new', 'low']);
    const first = await tasks.list({ limit: 4 });
    assert.equal(first.next_offset, 4);
    const second = await tasks.list({ limit: 4, offset: 4 });
    assert.deepEqual(second.tasks.map((t) => t.task_id), ['med-new', 'low']);
    assert.equal(second.next_offset, null);
    assert.deepEqual((await tasks.list({ tag: 'docs' })).tasks.map((t) => t.task_id), ['med-due-soon']);
    await tasks.claim('low', 'worker');
    assert.deepEqual((await tasks.list({ status: 'claimed' })).tasks.map((t) => t.task_id), ['low']);
    assert.deepEqual((await tasks.list({ claimedBy: 'worker' })).tasks.map((t) => t.task_id), ['low']);
    assert.equal((await tasks.list({ status: 'pending' })).total, 5);
  });

  it('a claim holds a 600 s lease; another agent gets conflict; the holder renews; expiry returns the task to the queue', async () => {
    await tasks.post({ taskId: 't1', description: 'x', createdBy: 'a' });
    const claimed = await tasks.claim('t1', 'alice');
    assert.equal(claimed.status, 'claimed');
    assert.equal(claimed.claimed_by, 'alice');
    assert.equal(Date.parse(claimed.lease_expires_at!) - clock.now(), 600_000);
    await assert.rejects(tasks.claim('t1', 'bob'), code('conflict'));
    await assert.rejects(tasks.claim('t1', 'bob', { renew: true }), code('invalid_state'));

    clock.advance(500_000);
    const renewed = await tasks.claim('t1', 'alice', { renew: true });
    assert.equal(Date.parse(renewed.lease_expires_at!) - clock.now(), 600_000);
    clock.advance(500_000);
    // 1,000 s after the claim: the renewed lease still holds.
    await assert.rejects(tasks.claim('t1', 'bob'), code('conflict'));
    const again = await tasks.claim('t1', 'alice', { leaseSeconds: 60 });
    assert.equal(Date.parse(again.lease_expires_at!) - clock.now(), 60_000);

    clock.advance(60_000);
    const back = await tasks.get('t1');
    assert.equal(back.status, 'pending');
    assert.equal(back.claimed_by, null);
    assert.equal(back.lease_expires_at, null);
    // Alice's lease ended: she can no longer complete it, and bob can claim it.
    await assert.rejects(tasks.complete('t1', 'alice', 'done'), code('invalid_state'));
    assert.equal((await tasks.claim('t1', 'bob')).claimed_by, 'bob');
  });

  it('only the holder completes or fails; requeue returns to pending; finished tasks cannot be claimed', async () => {
    const changes: GovernanceEventMap['task-changed'][] = [];
    const posted: string[] = [];
    events.on('task-changed', (e) => changes.push(e));
    events.on('task-posted', (e) => posted.push(e.task.task_id));
    await tasks.post({ taskId: 'a', description: 'x', createdBy: 'p' });
    await tasks.post({ taskId: 'b', description: 'y', createdBy: 'p' });
    await assert.rejects(tasks.complete('a', 'alice', 'r'), code('invalid_state'));
    await assert.rejects(tasks.complete('nope', 'alice', 'r'), code('not_found'));
    await tasks.claim('a', 'alice');
    await assert.rejects(tasks.complete('a', 'bob', 'r'), code('invalid_state'));
    await assert.rejects(tasks.fail('a', 'bob', 'why'), code('invalid_state'));
    const done = await tasks.complete('a', 'alice', 'the result');
    assert.equal(done.status, 'completed');
    assert.equal(done.result, 'the result');
    assert.equal(done.claimed_by, 'alice');
    await assert.rejects(tasks.claim('a', 'bob'), code('invalid_state'));

    await tasks.claim('b', 'alice');
    const requeued = await tasks.fail('b', 'alice', 'no access', true);
    assert.equal(requeued.status, 'pending');
    assert.equal(requeued.claimed_by, null);
    await tasks.claim('b', 'bob');
    const failed = await tasks.fail('b', 'bob', 'broken');
    assert.equal(failed.status, 'failed');
    assert.equal(failed.result, 'broken');
    await assert.rejects(tasks.fail('b', 'bob', ''), code('invalid_arguments', 'reason'));
    assert.deepEqual(posted, ['a', 'b']);
    assert.deepEqual(changes.map((c) => `${c.task.task_id}:${c.change}:${c.agentId}`), ['a:claimed:alice', 'a:completed:alice', 'b:claimed:alice', 'b:requeued:alice', 'b:claimed:bob', 'b:failed:bob']);
  });

  it('persists across reopening the store', async () => {
    await tasks.post({ taskId: 'keep', description: 'x', tags: ['t'], createdBy: 'a' });
    await tasks.claim('keep', 'alice');
    await store.close();
    store = await openStore(dir());
    const t = await new TaskService(store.tasks, undefined, clock.now).get('keep');
    assert.equal(t.status, 'claimed');
    assert.deepEqual(t.tags, ['t']);
  });
});
