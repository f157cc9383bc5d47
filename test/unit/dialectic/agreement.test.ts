import assert from 'node:assert/strict';
import { checkBothAgree, conditionMatchRatio, conditionsConflict, mergeProposals, normalizeCondition } from '../../../src/dialectic/agreement';
import { message } from '../../../src/dialectic/machine';
import type { DialecticMessage } from '../../../src/dialectic/types';

const syn = (agentId: string, fields: { conditions?: string[]; rootCause?: string; agrees?: boolean; reasoning?: string }): DialecticMessage =>
  message('synthesis', { agentId, proposedConditions: fields.conditions ?? [], rootCause: fields.rootCause ?? null, agrees: fields.agrees ?? null, reasoning: fields.reasoning ?? null }, Date.UTC(2026, 0, 1));

describe('dialectic: agreement rule (v1 _check_both_agree)', () => {
  it('normalizes conditions: parenthetical notes, filler and short words dropped, words sorted', () => {
    assert.equal(normalizeCondition('Reduce the complexity to 0.3 (low effort, reasonable hygiene)'), 'complexity reduce');
    assert.equal(normalizeCondition('Monitor for 24h'), 'monitor');
  });

  it('agrees when both latest syntheses agree and their conditions match', () => {
    const msgs = [
      syn('a', { conditions: ['Reduce complexity to 0.3', 'Monitor metrics for 24h'], rootCause: 'Complexity spiked during the refactor', agrees: true }),
      syn('b', { conditions: ['Reduce complexity to 0.3', 'Monitor metrics closely for 24h'], rootCause: 'Complexity spiked during the refactor', agrees: true }),
    ];
    const check = checkBothAgree(msgs, 'a', 'b');
    assert.equal(check.agreed, true);
    assert.equal(check.condition_match_ratio, 1);
  });

  it('needs agrees=true from both latest messages (an earlier yes does not count)', () => {
    const msgs = [syn('a', { agrees: true, conditions: ['Reduce complexity to 0.3'] }), syn('b', { agrees: true, conditions: ['Reduce complexity to 0.3'] }), syn('a', { agrees: false, conditions: ['Reduce complexity to 0.3'] })];
    assert.equal(checkBothAgree(msgs, 'a', 'b').agreed, false);
    assert.equal(checkBothAgree(msgs.slice(0, 1), 'a', 'b').agreed, false, 'one party alone never agrees');
  });

  it('refuses when fewer than half the conditions match (two conditions match at >= 0.6 word overlap)', () => {
    // "reduce complexity" vs "reduce complexity now": Jaccard 2/3 >= 0.6 -> match; "pair programming" matches nothing.
    assert.equal(conditionMatchRatio(['Reduce complexity'], ['Reduce complexity now']), 1);
    assert.equal(conditionMatchRatio(['Reduce complexity'], ['Reduce complexity immediately please']), 0, '2/4 words overlap is below 0.6');
    const msgs = [
      syn('a', { agrees: true, conditions: ['Reduce complexity', 'Write integration tests', 'Pair with a reviewer'], rootCause: 'same cause here' }),
      syn('b', { agrees: true, conditions: ['Reduce complexity', 'Rollback deploy', 'Freeze schema', 'Audit logs'], rootCause: 'same cause here' }),
    ];
    const check = checkBothAgree(msgs, 'a', 'b');
    assert.equal(check.agreed, false);
    assert.ok((check.condition_match_ratio ?? 1) < 0.5);
  });

  it('root causes must share >= 20% of words, waived when conditions match at >= 0.6', () => {
    const unrelated = { a: 'Complexity spiked during the big refactor', b: 'Network flakiness upstream' };
    // Match ratio 2*1/(1+2) = 0.67 >= 0.6: root cause waived.
    const waived = [syn('a', { agrees: true, conditions: ['Reduce complexity'], rootCause: unrelated.a }), syn('b', { agrees: true, conditions: ['Reduce complexity', 'Add retries'], rootCause: unrelated.b })];
    assert.equal(checkBothAgree(waived, 'a', 'b').agreed, true);
    // Match ratio 2*1/(2+2) = 0.5: passes the 0.5 bar, not the 0.6 waiver, so the root causes must overlap.
    const strict = [
      syn('a', { agrees: true, conditions: ['Reduce complexity', 'Write docs'], rootCause: unrelated.a }),
      syn('b', { agrees: true, conditions: ['Reduce complexity', 'Add retries'], rootCause: unrelated.b }),
    ];
    const check = checkBothAgree(strict, 'a', 'b');
    assert.equal(check.condition_match_ratio, 0.5);
    assert.equal(check.agreed, false);
    assert.match(check.reason ?? '', /root causes share/);
    const shared = [
      syn('a', { agrees: true, conditions: ['Reduce complexity', 'Write docs'], rootCause: 'complexity spiked in refactor' }),
      syn('b', { agrees: true, conditions: ['Reduce complexity', 'Add retries'], rootCause: 'complexity spiked upstream' }),
    ];
    assert.equal(checkBothAgree(shared, 'a', 'b').agreed, true);
  });

  it('merges: shared conditions, then each side\'s non-conflicting others; root causes joined', () => {
    const a = syn('a', { conditions: ['Reduce complexity to 0.3', 'Enable strict mode'], rootCause: 'Too much at once', reasoning: 'mine' });
    const b = syn('b', { conditions: ['Reduce complexity to 0.3', 'Disable strict mode', 'Monitor for 24h'], rootCause: 'Scope creep', reasoning: 'yours' });
    const merged = mergeProposals(a, b);
    assert.deepEqual(merged.conditions, ['Reduce complexity to 0.3', 'Enable strict mode', 'Monitor for 24h']);
    assert.equal(merged.rootCause, 'Too much at once (also: Scope creep)');
    assert.equal(merged.reasoning, 'Agent A: mine\nAgent B: yours');
    assert.equal(conditionsConflict('Set review interval to 2 hours for auth module', 'Set review interval to 4 hours for auth module'), true);
  });
});
