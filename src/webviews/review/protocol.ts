/**
 * Messages between the Review panel's page and its host (src/vscode/panels/review-handler.ts):
 * types and constants only, so the page bundle carries no validation code. The host validates every
 * page message with the schemas of ./schema (zod/mini, host only); the page trusts the host.
 */
import { DIALECTIC_LIMITS } from '../../dialectic/types';

export const REVIEW_VIEW_TYPE = 'codexGovernance.review';

/** The dialectic service's own limits (characters, entries): the form refuses what the tools would. */
export const REVIEW_LIMITS = {
  rootCause: DIALECTIC_LIMITS.rootCause,
  reasoning: DIALECTIC_LIMITS.reasoning,
  condition: DIALECTIC_LIMITS.condition,
  conditions: DIALECTIC_LIMITS.conditions,
  concern: DIALECTIC_LIMITS.concern,
  concerns: DIALECTIC_LIMITS.concerns,
  note: DIALECTIC_LIMITS.note,
  sessionId: DIALECTIC_LIMITS.sessionId,
} as const;

/** What a person may submit: the reviewer's answer, or a proposal in synthesis. */
export type SubmissionKind = 'antithesis' | 'synthesis';

/** One contribution to the review, oldest first. */
export interface ReviewMessage {
  phase: 'thesis' | 'antithesis' | 'synthesis';
  agentId: string;
  /** ISO-8601 time. */
  at: string;
  rootCause: string | null;
  proposedConditions: string[];
  reasoning: string | null;
  /** Synthesis only: whether this side agrees with the current proposal. */
  agrees: boolean | null;
  concerns: string[];
}

/** A condition the resolution stored for the agent (e.g. `reduce complexity 0.3`). */
export interface AppliedCondition {
  action: string;
  target: string;
  value: number | null;
  unit: string | null;
  original: string;
}

/** The session as the page shows it (the host maps `get_dialectic_session`'s answer to this). */
export interface ReviewSession {
  sessionId: string;
  /** Who asked for the review (the agent under review). */
  requesterId: string;
  /** null while the slot is open. */
  reviewerId: string | null;
  reviewerMode: string;
  openSlot: boolean;
  /** thesis | antithesis | synthesis | resolved | escalated | failed */
  phase: string;
  reason: string;
  sessionType: string;
  discoveryId: string | null;
  /** The complexity of the change under review (0..1), when the requester gave it. */
  complexity: number | null;
  synthesisRound: number;
  maxSynthesisRounds: number;
  /** An agent id, `either`, `any` (an open slot) or null (ended). */
  nextActor: string | null;
  nextTool: string | null;
  mayAct: string[];
  messages: ReviewMessage[];
  resolution: { action: 'resume' | 'block'; conditions: string[]; rootCause: string; reasoning: string; at: string; violation?: string } | null;
  appliedConditions: AppliedCondition[];
  /** The cap the agreed conditions put on the agent's complexity (0..1), or null. */
  complexityCap: number | null;
  /** The cap is enforced on the agent's later updates (only a resolution that resumed a paused agent stores its conditions). */
  capApplied: boolean;
  agentResumed: boolean;
  outcomeReason: string | null;
  cooldownUntil: string | null;
  /** ISO instants: the whole session's, the phase's, and the sooner of the two (null once ended). */
  deadlines: { session: string; phase: string | null; next: string | null };
  /** The requester's state when the review opened. */
  requesterState: { status: string | null; risk: number | null; coherence: number | null; voidActive: boolean | null };
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  /** The person's agent id (`vscode-user`). */
  you: string;
  /** What the person may submit now, or null (not their turn). */
  yourTurn: SubmissionKind | null;
}

/** The form's fields; the host trims them and drops empty lines. */
export interface SubmissionFields {
  rootCause?: string;
  /** One condition per entry, e.g. `Reduce complexity to 0.3`, `Monitor for 24h`. */
  conditions: string[];
  reasoning: string;
  /** Antithesis: what worries the reviewer. */
  concerns?: string[];
  /** Synthesis: agree with the current proposal (both sides agreeing on the same conditions resolves the review). */
  agrees?: boolean;
}

export type ReviewPageMessage =
  /** The page is listening; `sessionId` is the one it restored after a reload, if any. */
  | { type: 'ready'; sessionId?: string }
  /** Submit the form as the person (agent `vscode-user`). */
  | ({ type: 'submit'; kind: SubmissionKind } & SubmissionFields)
  /** Remind whoever must act (nudge_dialectic_session). */
  | { type: 'nudge'; note?: string }
  /** The page drew the session in this phase with this many messages. */
  | { type: 'rendered'; sessionId: string; phase: string; messages: number; yourTurn: SubmissionKind | null };

export type ReviewHostMessage =
  /** The session as it is now; replaces what is shown. `now` is the host clock (ms) for the countdowns. */
  | { type: 'session'; review: ReviewSession; now: number }
  /** The outcome of a `submit`: `ok` false keeps the form's text; `message` says what happened or why not. */
  | { type: 'submitted'; kind: SubmissionKind; ok: boolean; message: string }
  /** The outcome of a `nudge`. */
  | { type: 'nudged'; ok: boolean; message: string }
  /** Bring the form into view and focus it (Step In as Reviewer). */
  | { type: 'focus-form' }
  | { type: 'error'; message: string };

/** Kept by `setState`, handed back to the serializer after a reload. */
export interface ReviewPageState {
  sessionId: string;
  /** Unsent form text. */
  draft?: { rootCause: string; conditions: string; reasoning: string; concerns: string };
}
