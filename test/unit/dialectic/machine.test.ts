import assert from 'node:assert/strict';
import { DialecticStateError } from '../../../src/dialectic/errors';
import { nextActor, submitAntithesis, submitSynthesis, submitThesis, timeoutStep, type Step } from '../../../src/dialectic/machine';
import { openSession, selfReview, type OpenRequest } from '../../../src/dialectic/opening';
import type { SessionSnapshot } from '../../../src/dialectic/types';

const T0 = Date.UTC(2026, 5, 1, 12);
const MIN = 60_000;
const HOUR = 60 * MIN;
const req = (fields: Partial<OpenRequest> = {}): OpenRequest => ({
  id: 's1',
  requesterId: 'a',
  reviewerId: 'b',
  mode: 'peer',
  reason: 'Circuit breaker triggered',
  discoveryId: null,
  disputeType: null,
  complexity: null,
  requesterState: { status: 'paused', risk_score: 0.7, coherence: 0.48, void_active: false },
  nowMs: T0,
  ...fields,
});
const snap = (step: Step, prev?: SessionSnapshot): SessionSnapshot => ({ session: step.session, messages: [...(prev?.messages ?? []), ...step.messages] });
const agreeing = { rootCause: 'Complexity spiked during the refactor', proposedConditions: ['Reduce complexity to 0.3', 'Monitor for 24h'], agrees: true };

function toSynthesis(fields: Partial<OpenRequest> = {}): SessionSnapshot {
  let s = snap(openSession(req(fields)));
  s = snap(submitThesis(s, { agentId: 'a', rootCause: 'x'.repeat(12) }, T0 + MIN), s);
  return snap(submitAntithesis(s, { agentId: fields.reviewerId === null ? 'c' : 'b', concerns: ['risk'] }, T0 + 2 * MIN), s);
}

describe('dialectic: state machine (v1 DialecticSession)', () => {
  it('thesis (requester) -> antithesis (reviewer) -> synthesis -> resolved, with the requester resumed', () => {
    let s = snap(openSession(req()));
    assert.deepEqual(nextActor(s.session), { next_actor: 'a', next_tool: 'submit_thesis', may_act: ['a'] });
    s = snap(submitThesis(s, { agentId: 'a', rootCause: 'Complexity spiked', proposedConditions: ['Reduce complexity to 0.3'] }, T0 + MIN), s);
    assert.equal(s.session.phase, 'antithesis');
    s = snap(submitAntithesis(s, { agentId: 'b', concerns: ['High risk'] }, T0 + 2 * MIN), s);
    assert.equal(s.session.phase, 'synthesis');
    assert.equal(s.session.synthesisRound, 1);
    s = snap(submitSynthesis(s, { agentId: 'a', ...agreeing }, T0 + 3 * MIN, true), s);
    assert.equal(s.session.phase, 'synthesis', 'one party alone does not resolve');
    const last = submitSynthesis(s, { agentId: 'b', ...agreeing }, T0 + 4 * MIN, true);
    assert.equal(last.session.phase, 'resolved');
    assert.deepEqual(last.transitions, ['synthesis', 'resolved']);
    assert.equal(last.resume?.agentId, 'a');
    assert.deepEqual(last.resume?.conditions.map((c) => [c.action, c.target, c.value]), [['reduce', 'complexity', 0.3], ['monitor', 'monitoring_duration', 24]]);
    assert.equal(last.session.deadlineAt, null);
    assert.equal(submitSynthesis(s, { agentId: 'b', ...agreeing }, T0 + 4 * MIN, false).resume, undefined, 'an agent that is not paused is not resumed (v1)');
  });

  it('out of turn is invalid_state naming the phase and who may act', () => {
    const s = snap(openSession(req()));
    const attempt = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as DialecticStateError;
      }
      assert.fail('expected invalid_state');
    };
    const e1 = attempt(() => submitAntithesis(s, { agentId: 'b' }, T0));
    assert.equal(e1.code, 'invalid_state');
    assert.equal(e1.details.phase, 'thesis');
    assert.deepEqual(e1.details.may_act, ['a']);
    assert.match(e1.message, /phase "thesis"; only a may act \(submit_thesis\)/);
    const e2 = attempt(() => submitThesis(s, { agentId: 'b' }, T0));
    assert.match(e2.message, /b cannot submit a thesis/);
    const s2 = snap(submitThesis(s, { agentId: 'a' }, T0), s);
    assert.match(attempt(() => submitAntithesis(s2, { agentId: 'c' }, T0)).message, /only b may act \(submit_antithesis\)/);
  });

  it('an open slot is claimed by the first antithesis from anyone but the requester', () => {
    let s = snap(openSession(req({ reviewerId: null, mode: 'any' })));
    s = snap(submitThesis(s, { agentId: 'a' }, T0), s);
    assert.deepEqual(nextActor(s.session), { next_actor: 'any', next_tool: 'submit_antithesis', may_act: [] });
    assert.throws(() => submitAntithesis(s, { agentId: 'a' }, T0), DialecticStateError);
    const claim = submitAntithesis(s, { agentId: 'c' }, T0);
    assert.equal(claim.claimed, true);
    assert.equal(claim.session.reviewerId, 'c');
    // The second claimer, deciding from the stored (claimed) state, is out of turn.
    assert.throws(() => submitAntithesis(snap(claim, s), { agentId: 'd' }, T0), /phase "synthesis"; only a or c may submit a synthesis/);
  });

  it('5 synthesis messages without agreement escalate: agent left as is, 1 h cooldown', () => {
    let s = toSynthesis();
    for (let i = 0; i < 4; i++) {
      const step = submitSynthesis(s, { agentId: i % 2 ? 'b' : 'a', proposedConditions: [`Option ${i}`], agrees: false }, T0 + (10 + i) * MIN, true);
      assert.equal(step.session.phase, 'synthesis');
      s = snap(step, s);
    }
    const fifth = submitSynthesis(s, { agentId: 'a', agrees: false }, T0 + 20 * MIN, true);
    assert.equal(fifth.session.phase, 'escalated');
    assert.deepEqual(fifth.transitions, ['synthesis', 'escalated']);
    assert.equal(fifth.resume, undefined);
    assert.equal(fifth.session.cooldownUntil, new Date(T0 + 20 * MIN + HOUR).toISOString());
    assert.throws(() => submitSynthesis(snap(fifth, s), { agentId: 'b', agrees: true }, T0 + 21 * MIN, true), /it is escalated: nobody may act/);
  });

  it('agreement on a condition the hard limits refuse fails the session (v1 action "block")', () => {
    let s = toSynthesis();
    const bad = { rootCause: 'Governance was in the way', proposedConditions: ['Disable governance checks'], agrees: true };
    s = snap(submitSynthesis(s, { agentId: 'a', ...bad }, T0 + 3 * MIN, true), s);
    const step = submitSynthesis(s, { agentId: 'b', ...bad }, T0 + 4 * MIN, true);
    assert.equal(step.session.phase, 'failed');
    assert.equal(step.session.resolution?.action, 'block');
    assert.equal(step.session.outcomeReason, 'Safety violation: Cannot disable governance system');
    assert.equal(step.resume, undefined);
  });

  it('timeouts: 2 h for the antithesis, 1 h per synthesis round, 6 h in total', () => {
    let s = snap(openSession(req()));
    assert.equal(timeoutStep(s, T0 + 5 * HOUR), null, 'the thesis only has the 6 h total');
    assert.match(timeoutStep(s, T0 + 6 * HOUR)!.session.outcomeReason!, /total time exceeded 6 hours/);
    s = snap(submitThesis(s, { agentId: 'a' }, T0 + HOUR), s);
    assert.equal(s.session.deadlineAt, new Date(T0 + 3 * HOUR).toISOString());
    assert.equal(timeoutStep(s, T0 + 3 * HOUR - 1), null);
    const late = timeoutStep(s, T0 + 3 * HOUR)!;
    assert.equal(late.session.phase, 'failed');
    assert.deepEqual(late.transitions, ['failed']);
    assert.match(late.session.outcomeReason!, /Reviewer timeout - waited 2.0 hours for antithesis/);
    s = snap(submitAntithesis(s, { agentId: 'b' }, T0 + 2 * HOUR), s);
    assert.equal(timeoutStep(s, T0 + 3 * HOUR - 1), null);
    assert.match(timeoutStep(s, T0 + 3 * HOUR)!.session.outcomeReason!, /Synthesis timeout/);
    s = snap(submitSynthesis(s, { agentId: 'a', agrees: false }, T0 + 2.9 * HOUR, true), s);
    assert.equal(timeoutStep(s, T0 + 3.5 * HOUR), null, 'each synthesis starts a new hour');
    assert.equal(s.session.deadlineAt, new Date(T0 + 3.9 * HOUR).toISOString());
  });

  it('self review resolves a safe agent at once and fails an unsafe one, naming the checks', () => {
    const safe = selfReview(req({ reviewerId: null, mode: 'self', requesterState: { status: 'paused', risk_score: 0.3, coherence: 0.6, void_active: false } }), { agentId: 'a', rootCause: 'Long refactor without breaks', proposedConditions: ['Reduce complexity to 0.4'] }, true);
    assert.equal(safe.session.phase, 'resolved');
    assert.equal(safe.session.reviewerId, 'system');
    assert.deepEqual(safe.transitions, ['requested', 'thesis', 'antithesis', 'resolved']);
    assert.deepEqual(safe.messages.map((m) => [m.phase, m.agentId]), [['thesis', 'a'], ['antithesis', 'system']]);
    assert.equal(safe.resume?.conditions[0]?.value, 0.4);
    const unsafe = selfReview(req({ reviewerId: null, mode: 'self' }), { agentId: 'a', rootCause: 'Long refactor without breaks', proposedConditions: ['Reduce complexity to 0.4'] }, true);
    assert.equal(unsafe.session.phase, 'failed');
    assert.match(unsafe.session.outcomeReason!, /Failed checks: risk_ok/);
  });
});
