/**
 * What dialectic review needs from storage, declared beside its user (the store implements it in
 * ../store/sqlite-dialectic, so store -> dialectic runs one way). Every method returns a Promise so
 * the store can move into a worker, another process or PostgreSQL.
 *
 * Concurrency: a transition is one `commit` naming the version it was decided from; a session
 * changed meanwhile answers `stale` and nothing is written, so two agents acting at once (two
 * antitheses for one open slot) cannot both win: the service re-reads and decides again.
 */
import type { ReviewerCandidate } from './reviewer';
import type { DialecticMessage, DialecticSession, ParsedCondition, SessionSnapshot } from './types';

/** A step as stored: the session after it, its new messages, and the requester's resumption. */
export interface StoredStep {
  session: DialecticSession;
  messages: readonly DialecticMessage[];
  /** Set the agent `active` (if it is `paused`) and store these conditions for it, in the same transaction. */
  resume?: { agentId: string; conditions: readonly ParsedCondition[] };
}

export type InsertOutcome =
  /** Stored. */
  | { ok: true }
  /** The requester already has an open session (its id); nothing stored. */
  | { ok: false; reason: 'requester_busy'; sessionId: string }
  /** The chosen reviewer joined an open session meanwhile; nothing stored. */
  | { ok: false; reason: 'reviewer_busy' };

export type CommitOutcome = 'ok' | 'stale' | 'reviewer_busy';

export interface DialecticRepository {
  /**
   * Stores a new session (version 1) with its first messages, in one transaction.
   * @param options.freeReviewer refuse (`reviewer_busy`) when this agent is in an open session
   */
  insert(step: StoredStep, options?: { freeReviewer?: string }): Promise<InsertOutcome>;
  get(id: string): Promise<SessionSnapshot | undefined>;
  /**
   * Stores a transition in one transaction if the session is still at `expectedVersion`
   * (`stale` otherwise); the stored session gets version `expectedVersion + 1`.
   * @param options.freeReviewer refuse (`reviewer_busy`) when this agent is in another open session (a claim)
   */
  commit(step: StoredStep, expectedVersion: number, options?: { freeReviewer?: string }): Promise<CommitOutcome>;
  /** Sessions the agent requested or reviews, newest first. */
  listByAgent(agentId: string, options: { limit: number }): Promise<DialecticSession[]>;
  /** Open sessions whose `deadlineAt` is at or before `nowIso`, oldest deadline first. */
  due(nowIso: string, limit: number): Promise<string[]>;
  /**
   * What reviewer selection needs about every other agent (or only `onlyAgentId`), and the
   * requester's own discovery tags (lower-case).
   * @param requesterId whose review it is (for `reviewedRequesterAtMs`)
   */
  candidates(requesterId: string, onlyAgentId?: string): Promise<{ candidates: ReviewerCandidate[]; requesterTags: string[] }>;
  /** Conditions stored for the agent by resolved sessions, oldest first. */
  conditions(agentId: string): Promise<ParsedCondition[]>;
}
