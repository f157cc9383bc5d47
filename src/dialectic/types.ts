/**
 * Dialectic peer review: the records, constants and limits shared by the state machine
 * (./machine), the service (./service), the store (../store/sqlite-dialectic) and the tools
 * (../server/tools/dialectic-tools).
 *
 * Semantics are UNITARES v1's (CIRWEL/governance-mcp-v1-backup @ e162fb7,
 * `src/dialectic_protocol.py` DialecticSession, `src/mcp_handlers/dialectic.py`); the open
 * reviewer slot of `reviewer_mode: "any"` is cirwel/unitares @ 3ae9bae's
 * (`src/mcp_handlers/dialectic/handlers.py`, first responder claims via submit_antithesis).
 * Times are ISO-8601 UTC strings with milliseconds unless a name ends in `Ms` (ms since epoch).
 */

/**
 * The phase a session waits in (v1 `DialecticPhase`): `thesis` waits for the requester,
 * `antithesis` for the reviewer, `synthesis` for either; the other three are final.
 */
export type Phase = 'thesis' | 'antithesis' | 'synthesis' | 'resolved' | 'escalated' | 'failed';
export const OPEN_PHASES: readonly Phase[] = ['thesis', 'antithesis', 'synthesis'];
export const FINAL_PHASES: readonly Phase[] = ['resolved', 'escalated', 'failed'];

/**
 * How the reviewer is found: `peer` (weighted-random selection, ./reviewer; none -> error),
 * `self` (the system reviews at once, v1 handle_self_recovery), `auto` (a peer, else the slot
 * stays open as in unitares 3ae9bae), `any` (the slot stays open; the first eligible agent that
 * submits an antithesis claims it).
 */
export const REVIEWER_MODES = ['peer', 'self', 'auto', 'any'] as const;
export type ReviewerMode = (typeof REVIEWER_MODES)[number];

/** v1 dispute types for a disputed discovery; `dispute` and `correction` go to its owner. */
export const DISPUTE_TYPES = ['dispute', 'correction', 'verification'] as const;
export type DisputeType = (typeof DISPUTE_TYPES)[number];

/** The reviewer id of a `self` session (v1 `generate_system_antithesis` signs as "system"). */
export const SYSTEM_REVIEWER = 'system';

/** v1 DialecticSession timeouts and round limit (dialectic_protocol.py, e162fb7). */
export const TIMEOUTS = {
  /** The reviewer has this long after the thesis to answer (MAX_ANTITHESIS_WAIT, 2 h). */
  antithesisMs: 2 * 3600_000,
  /** Each synthesis round waits at most this long for the next message (MAX_SYNTHESIS_WAIT, 1 h). */
  synthesisMs: 3600_000,
  /** A whole session (MAX_TOTAL_TIME, 6 h). */
  totalMs: 6 * 3600_000,
  /** After an escalation the requester may not ask again for this long (v1 handler's cooldown, 1 h). */
  escalationCooldownMs: 3600_000,
  /** A reviewer does not review the same agent again within this window (v1 _has_recently_reviewed, 24 h). */
  recentReviewMs: 24 * 3600_000,
} as const;

/** Synthesis messages without agreement before the session escalates (v1 max_synthesis_rounds = 5). */
export const MAX_SYNTHESIS_ROUNDS = 5;

/** Limits the service checks; the tools' schemas use the same numbers. */
export const DIALECTIC_LIMITS = {
  sessionId: 100,
  // Literal on purpose: the Review page imports these limits (src/webviews/review/protocol.ts), and a
  // page bundle cannot take the core's modules. Equal to GOVERNANCE_LIMITS.agentId and the knowledge
  // LIMITS.discoveryId; test/unit/dialectic checks that they stay equal.
  agentId: 200,
  discoveryId: 200,
  reason: 2_000,
  rootCause: 2_000,
  reasoning: 10_000,
  condition: 500,
  conditions: 20,
  concern: 500,
  concerns: 20,
  observedMetrics: 50,
  note: 1_000,
  /** Characters of the seed's `operation` argument (the change under review). */
  operation: 10_000,
} as const;

/** One contribution (v1 DialecticMessage). */
export interface DialecticMessage {
  phase: 'thesis' | 'antithesis' | 'synthesis';
  agentId: string;
  at: string;
  rootCause: string | null;
  proposedConditions: string[];
  reasoning: string | null;
  /** Counts for agreement in synthesis only. */
  agrees: boolean | null;
  concerns: string[];
  observedMetrics: Record<string, number>;
}

/** v1 Resolution (without signatures: agents here carry no API keys). */
export interface Resolution {
  /** `resume`: conditions accepted; `block`: refused by the hard limits. */
  action: 'resume' | 'block';
  conditions: string[];
  rootCause: string;
  reasoning: string;
  at: string;
  /** Why the hard limits refused it (action `block`). */
  violation?: string;
}

/** A condition the resolution stored for the requester (v1 condition_parser ParsedCondition). */
export interface ParsedCondition {
  /** `set`, `reduce`, `increase`, `limit`, `monitor`, or `unknown`. */
  action: string;
  /** e.g. `complexity`, `risk_threshold`, `monitoring_duration`. */
  target: string;
  value: number | null;
  /** `hours`/`minutes` for monitor; `below`/`above` for "keep X below Y". */
  unit: string | null;
  original: string;
}

/** The requester's governance state when the session opened (v1 paused_agent_state). */
export interface RequesterState {
  status: string | null;
  risk_score: number | null;
  coherence: number | null;
  void_active: boolean | null;
  E?: number;
  I?: number;
  S?: number;
  V?: number;
}

export interface DialecticSession {
  id: string;
  /** Bumped by every stored transition; a write names the version it read (optimistic concurrency). */
  version: number;
  /** v1 paused_agent_id: the agent that asked for the review. */
  requesterId: string;
  /** null while an `any`/`auto` slot is open. */
  reviewerId: string | null;
  reviewerMode: ReviewerMode;
  phase: Phase;
  /** v1 synthesis_round: 0 before the antithesis, then 1 + synthesis messages without agreement. */
  synthesisRound: number;
  maxSynthesisRounds: number;
  reason: string;
  sessionType: 'recovery' | 'dispute';
  discoveryId: string | null;
  disputeType: DisputeType | null;
  /** Seed 000 Pattern 3 sends the complexity of the change under review (0..1). */
  complexity: number | null;
  requesterState: RequesterState;
  resolution: Resolution | null;
  /** Why the session failed or escalated. */
  outcomeReason: string | null;
  createdAt: string;
  updatedAt: string;
  /** When the current phase began (thesis stored, antithesis stored, last synthesis). */
  phaseStartedAt: string;
  /** The next timeout instant of an open session; null once final. */
  deadlineAt: string | null;
  endedAt: string | null;
  /** Escalated sessions: the requester may ask again after this. */
  cooldownUntil: string | null;
  /** Resolved sessions: the conditions stored for the requester. */
  appliedConditions: ParsedCondition[];
  /** Resolved sessions: whether the requester was paused and is active again. */
  agentResumed: boolean;
}

export interface SessionSnapshot {
  session: DialecticSession;
  /** Oldest first. */
  messages: DialecticMessage[];
}

/** What happened, one entry per event and audit line (`dialectic.<transition>`). */
export type TransitionName = 'requested' | 'thesis' | 'antithesis' | 'synthesis' | 'resolved' | 'escalated' | 'failed';
