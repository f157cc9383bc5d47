/**
 * The dialectic state machine, pure: each function takes a session snapshot and a submission and
 * returns the next snapshot (or throws DialecticStateError, changing nothing). The service
 * (./service) stores each step in one transaction.
 *
 * Transitions (UNITARES v1 DialecticSession, CIRWEL/governance-mcp-v1-backup @ e162fb7,
 * `src/dialectic_protocol.py` submit_thesis / submit_antithesis / submit_synthesis /
 * check_timeout):
 *   thesis     --requester submits thesis-->            antithesis
 *   antithesis --reviewer (or, open slot, a claimer)--> synthesis (round 1)
 *   synthesis  --either party; both agree-->            resolved (or failed: hard limits refuse)
 *   synthesis  --no agreement after 5 messages-->       escalated (1 h cooldown; agent stays paused)
 *   any open phase past its deadline                    failed
 * v1 escalates only when a 6th synthesis arrives (and refuses it); here the 5th message without
 * agreement escalates at once, so nobody has to send a message that will be refused.
 */
import { checkBothAgree, mergeProposals, type AgreementCheck } from './agreement';
import { DialecticStateError } from './errors';
import { checkHardLimits, parseCondition } from './limits';
import { TIMEOUTS, type DialecticMessage, type DialecticSession, type ParsedCondition, type Phase, type SessionSnapshot, type TransitionName } from './types';

export interface Submission {
  agentId: string;
  rootCause?: string | null;
  proposedConditions?: readonly string[];
  reasoning?: string | null;
  agrees?: boolean | null;
  concerns?: readonly string[];
  observedMetrics?: Readonly<Record<string, number>>;
}

/** One stored step: the session after it, the messages it adds, what happened. */
export interface Step {
  session: DialecticSession;
  /** New messages only. */
  messages: DialecticMessage[];
  transitions: TransitionName[];
  /** Set when this antithesis claimed an open reviewer slot. */
  claimed?: boolean;
  /** Set by a synthesis: the agreement check's verdict. */
  agreement?: AgreementCheck;
  /** Resolved with the requester paused: set it active and store these conditions. */
  resume?: { agentId: string; conditions: ParsedCondition[] };
}

export interface NextActor {
  /** The agent whose turn it is, `either` (synthesis), `any` (an open reviewer slot), or null (final). */
  next_actor: string | null;
  /** The tool that agent calls next. */
  next_tool: 'submit_thesis' | 'submit_antithesis' | 'submit_synthesis' | null;
  /** Agent ids that may act now (empty for an open slot: any eligible agent, and for a final session). */
  may_act: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (at: string) => Date.parse(at);

export function isOpen(phase: Phase): boolean {
  return phase === 'thesis' || phase === 'antithesis' || phase === 'synthesis';
}

export function nextActor(s: DialecticSession): NextActor {
  switch (s.phase) {
    case 'thesis':
      return { next_actor: s.requesterId, next_tool: 'submit_thesis', may_act: [s.requesterId] };
    case 'antithesis':
      return s.reviewerId === null
        ? { next_actor: 'any', next_tool: 'submit_antithesis', may_act: [] }
        : { next_actor: s.reviewerId, next_tool: 'submit_antithesis', may_act: [s.reviewerId] };
    case 'synthesis':
      return { next_actor: 'either', next_tool: 'submit_synthesis', may_act: [s.requesterId, ...(s.reviewerId ? [s.reviewerId] : [])] };
    default:
      return { next_actor: null, next_tool: null, may_act: [] };
  }
}

/** The session's deadlines: the whole session, the current phase, and the earlier of the two (null once final). */
export function deadlinesOf(s: DialecticSession): { session_deadline: string; phase_deadline: string | null; next_timeout_at: string | null } {
  const total = ms(s.createdAt) + TIMEOUTS.totalMs;
  const phase = s.phase === 'antithesis' ? ms(s.phaseStartedAt) + TIMEOUTS.antithesisMs : s.phase === 'synthesis' ? ms(s.phaseStartedAt) + TIMEOUTS.synthesisMs : null;
  const next = isOpen(s.phase) ? Math.min(total, phase ?? total) : null;
  return { session_deadline: iso(total), phase_deadline: phase === null ? null : iso(phase), next_timeout_at: next === null ? null : iso(next) };
}

/** v1 check_timeout: why the open session has timed out at `nowMs`, or null. */
export function timeoutReason(s: DialecticSession, nowMs: number): string | null {
  if (!isOpen(s.phase)) return null;
  const elapsed = nowMs - ms(s.createdAt);
  if (elapsed >= TIMEOUTS.totalMs) return `Session timeout - total time exceeded ${TIMEOUTS.totalMs / 3600_000} hours`;
  const waited = nowMs - ms(s.phaseStartedAt);
  if (s.phase === 'antithesis' && waited >= TIMEOUTS.antithesisMs) return `Reviewer timeout - waited ${(waited / 3600_000).toFixed(1)} hours for antithesis`;
  if (s.phase === 'synthesis' && waited >= TIMEOUTS.synthesisMs) return `Synthesis timeout - waited ${(waited / 3600_000).toFixed(1)} hours for next synthesis`;
  return null;
}

/** The failed session when `nowMs` is past its deadline, else null. */
export function timeoutStep(snap: SessionSnapshot, nowMs: number): Step | null {
  const reason = timeoutReason(snap.session, nowMs);
  return reason === null ? null : { session: finish(snap.session, 'failed', nowMs, { outcomeReason: reason }), messages: [], transitions: ['failed'] };
}

/** Only the requester, in phase thesis (v1: "Only paused agent can submit thesis"). */
export function submitThesis(snap: SessionSnapshot, sub: Submission, nowMs: number): Step {
  const s = snap.session;
  if (s.phase !== 'thesis' || sub.agentId !== s.requesterId) throw outOfTurn(s, sub.agentId, 'a thesis');
  const session = advance(s, 'antithesis', nowMs);
  return { session, messages: [message('thesis', sub, nowMs)], transitions: ['thesis'] };
}

/**
 * Only the reviewer, in phase antithesis; with an open slot, any agent but the requester claims
 * it (the caller has checked the claimer's eligibility).
 */
export function submitAntithesis(snap: SessionSnapshot, sub: Submission, nowMs: number): Step {
  const s = snap.session;
  const claims = s.phase === 'antithesis' && s.reviewerId === null && sub.agentId !== s.requesterId;
  if (s.phase !== 'antithesis' || !(claims || sub.agentId === s.reviewerId)) throw outOfTurn(s, sub.agentId, 'an antithesis');
  const session = { ...advance(s, 'synthesis', nowMs), reviewerId: sub.agentId, synthesisRound: 1 };
  return { session, messages: [message('antithesis', sub, nowMs)], transitions: ['antithesis'], ...(claims ? { claimed: true } : {}) };
}

/**
 * Either party, in phase synthesis. Agreement resolves (or fails on a hard limit); the 5th message
 * without agreement escalates.
 * @param requesterPaused whether the requester is paused now (a resolution resumes only a paused agent, as v1 execute_resolution)
 */
export function submitSynthesis(snap: SessionSnapshot, sub: Submission, nowMs: number, requesterPaused: boolean): Step {
  const s = snap.session;
  if (s.phase !== 'synthesis' || !(sub.agentId === s.requesterId || sub.agentId === s.reviewerId)) throw outOfTurn(s, sub.agentId, 'a synthesis');
  const msg = message('synthesis', sub, nowMs);
  const transcript = [...snap.messages, msg];
  const agreement = checkBothAgree(transcript, s.requesterId, s.reviewerId!);
  if (msg.agrees && agreement.agreed) return { ...resolve(s, transcript, nowMs, requesterPaused), messages: [msg], agreement };
  if (s.synthesisRound >= s.maxSynthesisRounds) {
    const session = finish(s, 'escalated', nowMs, {
      outcomeReason: `No agreement after ${s.synthesisRound} synthesis rounds: conservative default, the agent stays as it is; it may ask again after the cooldown.`,
      cooldownUntil: iso(nowMs + TIMEOUTS.escalationCooldownMs),
    });
    return { session, messages: [msg], transitions: ['synthesis', 'escalated'], agreement };
  }
  const session = { ...advance(s, 'synthesis', nowMs), synthesisRound: s.synthesisRound + 1 };
  return { session, messages: [msg], transitions: ['synthesis'], agreement };
}

/** v1 finalize_resolution + check_hard_limits + execute_resolution's conditions. */
function resolve(s: DialecticSession, transcript: readonly DialecticMessage[], nowMs: number, requesterPaused: boolean): Omit<Step, 'messages'> {
  const agreed = transcript.filter((m) => m.phase === 'synthesis' && m.agrees);
  const a = agreed.filter((m) => m.agentId === s.requesterId).at(-1)!;
  const b = agreed.filter((m) => m.agentId === s.reviewerId).at(-1)!;
  const merged = mergeProposals(a, b);
  const violation = checkHardLimits(merged);
  if (violation !== null) {
    const resolution = { action: 'block' as const, ...merged, at: iso(nowMs), violation };
    return { session: finish(s, 'failed', nowMs, { resolution, outcomeReason: `Safety violation: ${violation}` }), transitions: ['synthesis', 'failed'] };
  }
  return resolvedStep(s, { action: 'resume', ...merged, at: iso(nowMs) }, nowMs, requesterPaused, ['synthesis', 'resolved']);
}

/** A resolved session and, when the requester is paused, its resumption with the parsed conditions. */
export function resolvedStep(s: DialecticSession, resolution: DialecticSession['resolution'] & object, nowMs: number, requesterPaused: boolean, transitions: TransitionName[]): Omit<Step, 'messages'> {
  const conditions = requesterPaused ? resolution.conditions.map(parseCondition) : [];
  const session = finish(s, 'resolved', nowMs, { resolution, appliedConditions: conditions, agentResumed: requesterPaused });
  return { session, transitions, ...(requesterPaused ? { resume: { agentId: s.requesterId, conditions } } : {}) };
}

/** The stored message for a submission (lists copied, empty strings as null). */
export function message(phase: DialecticMessage['phase'], sub: Submission, nowMs: number): DialecticMessage {
  return {
    phase,
    agentId: sub.agentId,
    at: iso(nowMs),
    rootCause: sub.rootCause?.trim() || null,
    proposedConditions: [...(sub.proposedConditions ?? [])],
    reasoning: sub.reasoning?.trim() || null,
    agrees: sub.agrees ?? null,
    concerns: [...(sub.concerns ?? [])],
    observedMetrics: { ...(sub.observedMetrics ?? {}) },
  };
}

function advance(s: DialecticSession, phase: Phase, nowMs: number): DialecticSession {
  const next = { ...s, phase, updatedAt: iso(nowMs), phaseStartedAt: iso(nowMs) };
  return { ...next, deadlineAt: deadlinesOf(next).next_timeout_at };
}

function finish(s: DialecticSession, phase: Phase, nowMs: number, fields: Partial<DialecticSession>): DialecticSession {
  return { ...s, ...fields, phase, updatedAt: iso(nowMs), endedAt: iso(nowMs), deadlineAt: null };
}

/** The invalid_state error for `agentId` trying to submit `what` now. */
export function outOfTurn(s: DialecticSession, agentId: string, what: string): DialecticStateError {
  const next = nextActor(s);
  let who: string;
  if (!isOpen(s.phase)) who = `it is ${s.phase}: nobody may act${s.outcomeReason ? ` (${s.outcomeReason})` : ''}`;
  else if (next.next_actor === 'any') who = `the reviewer slot is open: any eligible agent except ${s.requesterId} may submit the antithesis`;
  else if (next.next_actor === 'either') who = `only ${next.may_act.join(' or ')} may submit a synthesis`;
  else who = `only ${next.next_actor} may act (${next.next_tool})`;
  return new DialecticStateError(`Session ${s.id} is in phase "${s.phase}"; ${who}. ${agentId} cannot submit ${what} now; nothing was changed.`, {
    session_id: s.id,
    phase: s.phase,
    ...next,
  });
}
