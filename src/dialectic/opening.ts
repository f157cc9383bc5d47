/**
 * How a session begins: the new record, the automatic thesis of `auto_progress`, and the one-step
 * self review of `reviewer_mode: "self"`. Pure, like ./machine.
 *
 * Ported from UNITARES v1 (CIRWEL/governance-mcp-v1-backup @ e162fb7,
 * `src/mcp_handlers/dialectic.py`): handle_request_dialectic_review's auto_progress defaults
 * (root cause = the reason; conditions "Monitor metrics closely", "Reduce complexity if needed";
 * reasoning from coherence and risk), generate_system_antithesis (concerns at coherence < 0.50,
 * risk > 0.50, void active, no conditions) and handle_self_recovery (resume only when coherence >
 * 0.40, risk < 0.60 and no void; conditions = the thesis's plus "Monitor coherence closely" /
 * "Monitor risk score" for those concerns). Unlike v1's self recovery, the merged resolution also
 * passes the hard limits (./limits), as every other resolution does.
 */
import { checkHardLimits } from './limits';
import { deadlinesOf, message, resolvedStep, type Step, type Submission } from './machine';
import { MAX_SYNTHESIS_ROUNDS, SYSTEM_REVIEWER, type DialecticSession, type DisputeType, type RequesterState, type ReviewerMode } from './types';

export interface OpenRequest {
  id: string;
  requesterId: string;
  /** null leaves the slot open (`any`, or `auto` without a peer). */
  reviewerId: string | null;
  mode: ReviewerMode;
  reason: string;
  discoveryId: string | null;
  disputeType: DisputeType | null;
  complexity: number | null;
  requesterState: RequesterState;
  nowMs: number;
}

/** Self review thresholds (v1 handle_self_recovery safety_checks). */
export const SELF_REVIEW = { minCoherence: 0.4, maxRisk: 0.6 } as const;

/** A new session waiting for the thesis, or (with `thesis`) already waiting for the antithesis. */
export function openSession(req: OpenRequest, thesis?: Submission): Step {
  const at = new Date(req.nowMs).toISOString();
  const base: DialecticSession = {
    id: req.id,
    version: 0,
    requesterId: req.requesterId,
    reviewerId: req.reviewerId,
    reviewerMode: req.mode,
    phase: thesis ? 'antithesis' : 'thesis',
    synthesisRound: 0,
    maxSynthesisRounds: MAX_SYNTHESIS_ROUNDS,
    reason: req.reason,
    sessionType: req.discoveryId ? 'dispute' : 'recovery',
    discoveryId: req.discoveryId,
    disputeType: req.disputeType,
    complexity: req.complexity,
    requesterState: req.requesterState,
    resolution: null,
    outcomeReason: null,
    createdAt: at,
    updatedAt: at,
    phaseStartedAt: at,
    deadlineAt: null,
    endedAt: null,
    cooldownUntil: null,
    appliedConditions: [],
    agentResumed: false,
  };
  const session = { ...base, deadlineAt: deadlinesOf(base).next_timeout_at };
  return thesis
    ? { session, messages: [message('thesis', thesis, req.nowMs)], transitions: ['requested', 'thesis'] }
    : { session, messages: [], transitions: ['requested'] };
}

/** v1 auto_progress: the thesis the request's own fields give, with v1's defaults for what is missing. */
export function autoThesis(requesterId: string, reason: string, state: RequesterState, given: Omit<Submission, 'agentId'>): Submission {
  const conditions = given.proposedConditions?.length ? given.proposedConditions : ['Monitor metrics closely', 'Reduce complexity if needed'];
  const reasoning = given.reasoning?.trim() || `Auto-generated from state: coherence=${(state.coherence ?? 0.5).toFixed(3)}, risk_score=${(state.risk_score ?? 0.5).toFixed(3)}`;
  return { agentId: requesterId, rootCause: given.rootCause?.trim() || reason, proposedConditions: conditions, reasoning };
}

/** v1 generate_system_antithesis: concerns read from the requester's metrics and thesis. */
export function systemAntithesis(state: RequesterState, thesis: Submission): Submission {
  const coherence = state.coherence ?? 0.5;
  const risk = state.risk_score ?? 0.5;
  const concerns: string[] = [];
  if (coherence < 0.5) concerns.push(`Coherence is low (${coherence.toFixed(3)}) - may indicate internal inconsistency`);
  if (risk > 0.5) concerns.push(`Risk score is elevated (${risk.toFixed(3)}) - requires careful monitoring`);
  if (state.void_active) concerns.push('Void events are active - system instability detected');
  if (!thesis.proposedConditions?.length) concerns.push('No specific conditions proposed - recovery plan may be vague');
  const summary = `System analysis: coherence=${coherence.toFixed(3)}, risk_score=${risk.toFixed(3)}`;
  return {
    agentId: SYSTEM_REVIEWER,
    concerns,
    observedMetrics: { coherence, risk_score: risk, void_active: state.void_active ? 1 : 0 },
    reasoning: concerns.length ? `${summary}. Concerns: ${concerns.join(', ')}` : `${summary}. Metrics appear stable - recovery may be safe`,
  };
}

/**
 * `reviewer_mode: "self"` in one step: thesis, system antithesis, then resolved (the merged
 * conditions pass the hard limits and the metrics are safe) or failed (naming the failed checks).
 */
export function selfReview(req: OpenRequest, thesis: Submission, requesterPaused: boolean): Step {
  const opened = openSession({ ...req, reviewerId: SYSTEM_REVIEWER }, thesis);
  const anti = systemAntithesis(req.requesterState, thesis);
  const messages = [...opened.messages, message('antithesis', anti, req.nowMs)];
  const session = { ...opened.session, synthesisRound: 1 };
  const coherence = req.requesterState.coherence ?? 0.5;
  const risk = req.requesterState.risk_score ?? 0.5;
  const failedChecks = [
    ...(coherence > SELF_REVIEW.minCoherence ? [] : ['coherence_ok']),
    ...(risk < SELF_REVIEW.maxRisk ? [] : ['risk_ok']),
    ...(req.requesterState.void_active ? ['no_void'] : []),
  ];
  const transitions: Step['transitions'] = ['requested', 'thesis', 'antithesis'];
  const at = new Date(req.nowMs).toISOString();
  const ended = { updatedAt: at, endedAt: at, deadlineAt: null };
  if (failedChecks.length) {
    const reason =
      `Not safe to resume via self-recovery. Failed checks: ${failedChecks.join(', ')}. Metrics: coherence=${coherence.toFixed(3)}, risk_score=${risk.toFixed(3)}, ` +
      `void_active=${Boolean(req.requesterState.void_active)}. Use reviewer_mode "peer" or "any" for peer review.`;
    return { session: { ...session, ...ended, phase: 'failed', outcomeReason: reason }, messages, transitions: [...transitions, 'failed'] };
  }
  const conditions = [...new Set(thesis.proposedConditions ?? [])];
  if ((anti.concerns ?? []).some((c) => c.toLowerCase().includes('coherence'))) conditions.push('Monitor coherence closely');
  if ((anti.concerns ?? []).some((c) => c.toLowerCase().includes('risk'))) conditions.push('Monitor risk score');
  const merged = { conditions, rootCause: thesis.rootCause?.trim() || 'Self-recovery requested', reasoning: `Agent: ${thesis.reasoning?.trim() || 'No reasoning provided'}. System: ${anti.reasoning ?? ''}` };
  const violation = checkHardLimits(merged);
  if (violation !== null) {
    const resolution = { action: 'block' as const, ...merged, at, violation };
    return { session: { ...session, ...ended, phase: 'failed', resolution, outcomeReason: `Safety violation: ${violation}` }, messages, transitions: [...transitions, 'failed'] };
  }
  const step = resolvedStep(session, { action: 'resume', ...merged, at }, req.nowMs, requesterPaused, [...transitions, 'resolved']);
  return { ...step, messages };
}
