/**
 * Who reviews a new session, by UNITARES v1's precedence (CIRWEL/governance-mcp-v1-backup @
 * e162fb7, `src/mcp_handlers/dialectic.py` handle_request_dialectic_review): a disputed
 * discovery's owner (dispute_type `dispute` / `correction`), else an explicit
 * `reviewer_agent_id` (it must exist and be active), else by mode: `self` the system, `any` an
 * open slot, `peer` / `auto` a weighted-random pick (./reviewer). No peer qualifies: `peer` fails
 * (v1: "No healthy reviewer available"), `auto` leaves the slot open (unitares 3ae9bae; v1 fell
 * back to self review, which cannot be a genuine antithesis).
 */
import { ConflictError, NotFoundError } from '../core/errors';
import type { AgentRepository } from '../core/repository';
import type { DialecticRepository } from './repository';
import { selectReviewer, type AuthorityScore } from './reviewer';
import { SYSTEM_REVIEWER, type DisputeType, type ReviewerMode } from './types';

export interface ReviewerChoice {
  /** null: the slot stays open. */
  reviewerId: string | null;
  /** Named by the caller or the discovery (not re-chosen when busy). */
  explicit: boolean;
  score?: AuthorityScore;
  eligible?: number;
}

export interface ChoiceRequest {
  agentId: string;
  reviewerMode: ReviewerMode;
  reviewerAgentId?: string;
  discoveryOwner?: string;
  disputeType: DisputeType | null;
  /** Agents found busy on an earlier attempt. */
  exclude: ReadonlySet<string>;
  nowMs: number;
  random?: () => number;
}

/**
 * @throws NotFoundError for an unknown `reviewer_agent_id`; ConflictError when it is not active,
 *   or when mode `peer` finds nobody
 */
export async function chooseReviewer(repo: DialecticRepository, agents: Pick<AgentRepository, 'get'>, r: ChoiceRequest): Promise<ReviewerChoice> {
  if (r.reviewerMode === 'self') return { reviewerId: SYSTEM_REVIEWER, explicit: false };
  if (r.discoveryOwner !== undefined && (r.disputeType === 'dispute' || r.disputeType === 'correction')) return { reviewerId: r.discoveryOwner, explicit: true };
  if (r.reviewerAgentId !== undefined) {
    const reviewer = await agents.get(r.reviewerAgentId);
    if (!reviewer) throw Object.assign(new NotFoundError('agent', r.reviewerAgentId, `Reviewer agent '${r.reviewerAgentId}' not found; choose a reviewer_agent_id from list_agents.`), { field: 'reviewer_agent_id' });
    if (reviewer.status !== 'active') throw new ConflictError(`Reviewer agent '${r.reviewerAgentId}' must be active (current status: ${reviewer.status}); pick a different reviewer_agent_id.`);
    return { reviewerId: reviewer.id, explicit: true };
  }
  if (r.reviewerMode === 'any') return { reviewerId: null, explicit: false };
  const { candidates, requesterTags } = await repo.candidates(r.agentId);
  const pool = candidates.filter((c) => !r.exclude.has(c.agentId));
  const picked = selectReviewer({ agentId: r.agentId, tags: requesterTags }, pool, { nowMs: r.nowMs, random: r.random });
  if (picked) return { reviewerId: picked.agentId, explicit: false, score: picked.score, eligible: picked.eligible };
  if (r.reviewerMode === 'auto') return { reviewerId: null, explicit: false };
  throw new ConflictError(
    `No healthy reviewer available for ${r.agentId} among ${pool.length} other agent(s): a reviewer must be active, have risk below 0.40, be in no open session and not have reviewed ${r.agentId} in the last 24 h. ` +
      'Use reviewer_mode "any" (the first eligible agent claims it), "auto", or "self".',
  );
}
