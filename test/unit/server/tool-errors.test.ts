import assert from 'node:assert/strict';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { DialecticStateError } from '../../../src/dialectic/errors';
import { describeZodError, ToolCallError, toToolCallError, unknownArguments } from '../../../src/server/tools/errors';

describe('toToolCallError', function () {
  it('keeps the code of a ToolCallError thrown by another copy of the module (the server bundle seen from the extension bundle)', function () {
    class ToolCallErrorElsewhere extends Error {
      constructor(readonly code: string, message: string, readonly details?: Record<string, unknown>) {
        super(message);
        this.name = 'ToolCallError';
      }
    }
    for (const code of ['forbidden', 'unknown_tool', 'conflict', 'rate_limited', 'not_found', 'invalid_arguments']) {
      const mapped = toToolCallError(new ToolCallErrorElsewhere(code, `nope: ${code}`, { field: 'x' }));
      assert.ok(mapped instanceof ToolCallError);
      assert.equal(mapped.code, code);
      assert.equal(mapped.message, `nope: ${code}`);
      assert.deepEqual(mapped.details, { field: 'x' });
    }
    assert.equal(toToolCallError(new ToolCallErrorElsewhere('made_up', 'x')).code, 'internal_error', 'an unknown code is not trusted');
  });

  it("maps the dialectic's out-of-turn error to invalid_state with the phase and who may act", function () {
    const mapped = toToolCallError(new DialecticStateError('Session s is in phase "thesis"; only a may act.', { session_id: 's', phase: 'thesis', next_actor: 'a', may_act: ['a'] }));
    assert.equal(mapped.code, 'invalid_state');
    assert.deepEqual(mapped.details, { session_id: 's', phase: 'thesis', next_actor: 'a', may_act: ['a'] });
  });

  it('names every bad field of a zod error, from the classic and the mini API alike', function () {
    const classic = z.object({ n: z.number() }).safeParse({ n: 'x' });
    const mini = zm.object({ s: zm.string() }).safeParse({ s: 1 });
    assert.ok(!classic.success && !mini.success);
    const a = toToolCallError(classic.error);
    const b = toToolCallError(mini.error);
    assert.equal(a.code, 'invalid_arguments');
    assert.match(a.message, /^n: /);
    assert.equal(b.code, 'invalid_arguments');
    assert.match(b.message, /^s: /);
  });

  it('names each unknown name of a strict object: an unknown argument at the top, an unknown field below', function () {
    const r = z.strictObject({ a: z.string(), nested: z.strictObject({ b: z.number() }) }).safeParse({ a: 'x', profile: 'p', nested: { b: 1, c: 2 } });
    assert.ok(!r.success);
    assert.equal(describeZodError(r.error), 'nested.c: unknown field; profile: unknown argument');
    assert.deepEqual(unknownArguments(r.error), ['profile']);
  });

  it('maps anything else to internal_error with its message', function () {
    const e = toToolCallError(new Error('disk on fire'));
    assert.equal(e.code, 'internal_error');
    assert.equal(e.message, 'disk on fire');
  });
});
