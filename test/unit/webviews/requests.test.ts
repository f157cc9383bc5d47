import assert from 'node:assert/strict';
import { answerTo, PageRequests, requestIdOf } from '../../../src/webviews/shared/requests';

type Answer = { type: 'pong'; seq: number; n: number } | { type: 'error'; seq?: number; message: string };

describe('request ids shared by page and host', () => {
  it('routes each answer to the request that asked, whatever the order the host answers in', async () => {
    const requests = new PageRequests<Answer & { seq: number }>();
    const sent: { type: string; seq: number; n: number }[] = [];
    const first = requests.send((m) => sent.push(m), { type: 'ping', n: 1 });
    const second = requests.send((m) => sent.push(m), { type: 'ping', n: 2 });
    assert.deepEqual(sent.map((m) => m.seq), [1, 2]);
    assert.equal(requests.open, 2);
    // The host answers with answerTo, which copies the request's id.
    assert.equal(requests.settle(answerTo(sent[1]!, { type: 'pong', n: 20 })), true);
    assert.equal(requests.settle(answerTo(sent[0]!, { type: 'pong', n: 10 })), true);
    assert.deepEqual(await first, { type: 'pong', n: 10, seq: 1 });
    assert.deepEqual(await second, { type: 'pong', n: 20, seq: 2 });
    assert.equal(requests.open, 0);
  });

  it('ignores messages that answer nothing: no id, an unknown id, an id answered already', () => {
    const requests = new PageRequests<{ type: 'pong'; seq: number }>();
    void requests.send(() => undefined, { type: 'ping' });
    assert.equal(requests.settle({ type: 'state' }), false);
    assert.equal(requests.settle({ type: 'pong', seq: 7 }), false);
    assert.equal(requests.settle({ type: 'pong', seq: 1 }), true);
    assert.equal(requests.settle({ type: 'pong', seq: 1 }), false);
    assert.equal(requests.settle(null), false);
  });

  it('tells the newest request from stale ones; supersede makes every open one stale', () => {
    const requests = new PageRequests<{ type: 'pong'; seq: number }>();
    const ids: number[] = [];
    void requests.send((m) => ids.push(m.seq), {});
    void requests.send((m) => ids.push(m.seq), {});
    assert.deepEqual([requests.isLatest(ids[0]!), requests.isLatest(ids[1]!)], [false, true]);
    requests.supersede();
    assert.equal(requests.isLatest(ids[1]!), false);
  });

  it('reads the request id of a raw page message (whole numbers only)', () => {
    assert.equal(requestIdOf({ type: 'save', seq: 3 }), 3);
    assert.equal(requestIdOf({ type: 'save', seq: 1.5 }), undefined);
    assert.equal(requestIdOf({ type: 'ready' }), undefined);
    assert.equal(requestIdOf('seq'), undefined);
  });
});
