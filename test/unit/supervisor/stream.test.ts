/**
 * Streamed text in the supervisor's record: deltas added to their item (new objects each time, so
 * snapshots keep theirs), answers bounded at the event text limit, command output keeping its end,
 * and the count of characters received that lets a reader skip what it already has.
 */
import assert from 'node:assert/strict';
import { EVENT_OUTPUT_LIMIT, EVENT_TEXT_LIMIT, fullText } from '../../../src/supervisor/backend';
import { withDelta } from '../../../src/supervisor/session-hooks';

describe('supervisor: streamed text (withDelta)', () => {
  it('appends each piece to its item and counts what was received', () => {
    let live = withDelta([], { itemId: 'm1', kind: 'agent', delta: 'Hel' });
    const first = live;
    live = withDelta(live, { itemId: 'm1', kind: 'agent', delta: 'lo' });
    live = withDelta(live, { itemId: 'c1', kind: 'output', delta: 'out' });
    assert.deepEqual(live, [
      { itemId: 'm1', kind: 'agent', text: 'Hello', received: 5 },
      { itemId: 'c1', kind: 'output', text: 'out', received: 3 },
    ]);
    assert.deepEqual(first, [{ itemId: 'm1', kind: 'agent', text: 'Hel', received: 3 }], 'earlier arrays are not changed');
  });

  it('stops an answer at the text limit and keeps the end of command output', () => {
    let live = withDelta([], { itemId: 'm', kind: 'agent', delta: 'a'.repeat(EVENT_TEXT_LIMIT) });
    live = withDelta(live, { itemId: 'm', kind: 'agent', delta: 'more' });
    assert.equal(live[0]!.text.length, EVENT_TEXT_LIMIT);
    assert.equal(live[0]!.received, EVENT_TEXT_LIMIT + 4);
    let out = withDelta([], { itemId: 'c', kind: 'output', delta: 'x'.repeat(EVENT_OUTPUT_LIMIT) });
    out = withDelta(out, { itemId: 'c', kind: 'output', delta: 'END' });
    assert.equal(out[0]!.text.length, EVENT_OUTPUT_LIMIT);
    assert.ok(out[0]!.text.endsWith('xEND'));
  });

  it('fullText masks secrets and keeps the start (or the end) of long text', () => {
    assert.equal(fullText('key sk-abcdef1234567890XYZ here'), 'key sk-abcdef**** here');
    assert.equal(fullText('abcdef', 4), 'abc…');
    assert.equal(fullText('abcdef', 4, 'end'), '…def');
  });
});
