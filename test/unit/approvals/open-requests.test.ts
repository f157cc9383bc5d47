import assert from 'node:assert/strict';
import { OpenRequests } from '../../../src/approvals/open-requests';
import type { PendingApproval } from '../../../src/approvals/types';

const pending = (id: string, signal = new AbortController().signal): PendingApproval => ({
  id,
  source: 'codex-full-access',
  risk: 'high',
  requestedAt: '2026-11-21T10:00:00.000Z',
  deadline: Date.parse('2026-11-21T10:05:00.000Z'),
  signal,
});

describe('OpenRequests', function () {
  it('lists a held request until its first answer, which is what the holder gets; a later answer finds nothing', async function () {
    let changes = 0;
    const open = new OpenRequests(() => changes++);
    const answer = open.hold(pending('a'));
    assert.deepEqual(open.list().map((p) => p.id), ['a']);
    assert.equal(open.answer('a', { decision: 'allow_session' }), true);
    assert.deepEqual(await answer, { decision: 'allow_session' });
    assert.deepEqual(open.list(), []);
    assert.equal(open.answer('a', { decision: 'deny', reason: 'late' }), false);
    assert.equal(changes, 2, 'one change when listed, one when answered');
  });

  it('a request settled elsewhere (its signal aborts) leaves the list as a denial; settleAll answers the rest', async function () {
    const open = new OpenRequests(() => undefined);
    const ctl = new AbortController();
    const a = open.hold(pending('a', ctl.signal));
    const b = open.hold(pending('b'));
    ctl.abort();
    assert.deepEqual(await a, { decision: 'deny', reason: 'Settled elsewhere.' });
    assert.deepEqual(open.list().map((p) => p.id), ['b']);
    open.settleAll({ decision: 'deny', reason: 'closing' });
    assert.deepEqual(await b, { decision: 'deny', reason: 'closing' });
    assert.deepEqual(open.list(), []);
  });
});
