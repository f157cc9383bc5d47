/**
 * The wire shape of a session (snake_case, as the tools answer): UNITARES v1's
 * `DialecticSession.to_dict()` fields (CIRWEL/governance-mcp-v1-backup @ e162fb7,
 * `src/dialectic_protocol.py`: session_id, paused_agent_id, reviewer_agent_id, phase,
 * synthesis_round, transcript[], resolution, created_at, discovery_id, dispute_type,
 * session_type, topic, paused_agent_state) plus who may act next and the deadlines.
 */
import { deadlinesOf, nextActor, type NextActor } from './machine';
import type { DialecticMessage, DialecticSession, ParsedCondition, Phase, RequesterState, Resolution, ReviewerMode, SessionSnapshot } from './types';

export interface MessageView {
  phase: DialecticMessage['phase'];
  agent_id: string;
  /** ISO time (v1's name). */
  timestamp: string;
  root_cause: string | null;
  proposed_conditions: string[];
  reasoning: string | null;
  agrees: boolean | null;
  concerns: string[];
  observed_metrics: Record<string, number>;
}

export interface ResolutionView {
  action: Resolution['action'];
  conditions: string[];
  root_cause: string;
  reasoning: string;
  timestamp: string;
  violation?: string;
}

export interface SessionView extends NextActor {
  session_id: string;
  /** v1's name for the requester. */
  paused_agent_id: string;
  /** null while the reviewer slot is open. */
  reviewer_agent_id: string | null;
  reviewer_mode: ReviewerMode;
  open_reviewer_slot: boolean;
  phase: Phase;
  reason: string;
  session_type: DialecticSession['sessionType'];
  topic: null;
  discovery_id: string | null;
  dispute_type: string | null;
  complexity: number | null;
  synthesis_round: number;
  max_synthesis_rounds: number;
  /** Every message, oldest first. */
  transcript: MessageView[];
  resolution: ResolutionView | null;
  outcome_reason: string | null;
  applied_conditions: ParsedCondition[];
  agent_resumed: boolean;
  cooldown_until: string | null;
  paused_agent_state: RequesterState;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
  /** ISO instants: the whole session's limit, the current phase's, and the earlier (null once final). */
  deadlines: { session_deadline: string; phase_deadline: string | null; next_timeout_at: string | null };
}

export function messageView(m: DialecticMessage): MessageView {
  return {
    phase: m.phase,
    agent_id: m.agentId,
    timestamp: m.at,
    root_cause: m.rootCause,
    proposed_conditions: m.proposedConditions,
    reasoning: m.reasoning,
    agrees: m.agrees,
    concerns: m.concerns,
    observed_metrics: m.observedMetrics,
  };
}

export function resolutionView(r: Resolution): ResolutionView {
  return { action: r.action, conditions: r.conditions, root_cause: r.rootCause, reasoning: r.reasoning, timestamp: r.at, ...(r.violation ? { violation: r.violation } : {}) };
}

export function sessionView({ session: s, messages }: SessionSnapshot): SessionView {
  return {
    session_id: s.id,
    paused_agent_id: s.requesterId,
    reviewer_agent_id: s.reviewerId,
    reviewer_mode: s.reviewerMode,
    open_reviewer_slot: s.reviewerId === null && s.phase !== 'resolved' && s.phase !== 'escalated' && s.phase !== 'failed',
    phase: s.phase,
    ...nextActor(s),
    reason: s.reason,
    session_type: s.sessionType,
    topic: null,
    discovery_id: s.discoveryId,
    dispute_type: s.disputeType,
    complexity: s.complexity,
    synthesis_round: s.synthesisRound,
    max_synthesis_rounds: s.maxSynthesisRounds,
    transcript: messages.map(messageView),
    resolution: s.resolution ? resolutionView(s.resolution) : null,
    outcome_reason: s.outcomeReason,
    applied_conditions: s.appliedConditions,
    agent_resumed: s.agentResumed,
    cooldown_until: s.cooldownUntil,
    paused_agent_state: s.requesterState,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
    ended_at: s.endedAt,
    deadlines: deadlinesOf(s),
  };
}

/** v1's `next_step` sentence for the phase the session is in. */
export function nextStep(s: DialecticSession): string {
  switch (s.phase) {
    case 'thesis':
      return `Agent '${s.requesterId}' should submit thesis via submit_thesis()`;
    case 'antithesis':
      return s.reviewerId === null
        ? `The reviewer slot is open: any eligible agent other than '${s.requesterId}' may claim it by submitting an antithesis via submit_antithesis()`
        : `Reviewer '${s.reviewerId}' should submit antithesis via submit_antithesis()`;
    case 'synthesis':
      return 'Both agents should negotiate via submit_synthesis() until convergence';
    case 'resolved':
      return s.agentResumed ? 'Agent resumed successfully with agreed conditions' : 'Resolved; the agent was not paused, so nothing was resumed';
    case 'escalated':
      return `Peers could not reach consensus. Applying conservative default: maintaining current state. Agent may retry after ${s.cooldownUntil ?? 'the cooldown'}.`;
    default:
      return `Session failed: ${s.outcomeReason ?? 'unknown reason'}. Request a new dialectic review to start over.`;
  }
}
