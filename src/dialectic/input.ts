/**
 * The dialectic service's input checks, with the limits the tools' schemas use
 * (DIALECTIC_LIMITS): a bad value is a ValidationError naming the field and the fix.
 */
import { ValidationError } from '../core/errors';
import type { Submission } from './machine';
import { DIALECTIC_LIMITS as L, DISPUTE_TYPES, REVIEWER_MODES, type DisputeType, type ReviewerMode } from './types';

/** request_dialectic_review, camelCase (the tool maps its snake_case arguments). */
export interface ReviewRequest {
  agentId: string;
  /** Why the review is asked for; default the seed's `operation`, else v1's "Circuit breaker triggered". */
  reason?: string;
  /** Seed 000 Pattern 3: the change under review (becomes the reason when none is given). */
  operation?: string;
  /** Seed 000 Pattern 3: the complexity of that change, 0..1. */
  complexity?: number;
  discoveryId?: string;
  disputeType?: DisputeType;
  reviewerAgentId?: string;
  /** Default `peer`. */
  reviewerMode?: ReviewerMode;
  /** Submit the thesis at once from the fields below (v1 auto_progress). */
  autoProgress?: boolean;
  rootCause?: string;
  proposedConditions?: string[];
  reasoning?: string;
}

/** submit_thesis / submit_antithesis / submit_synthesis. */
export interface SubmissionRequest extends Submission {
  sessionId: string;
}

export interface CheckedRequest extends ReviewRequest {
  reason: string;
  reviewerMode: ReviewerMode;
}

export const DEFAULT_REASON = 'Circuit breaker triggered';

/** @throws ValidationError naming the field */
export function checkReviewRequest(r: ReviewRequest): CheckedRequest {
  const agentId = checkId('agent_id', r.agentId, L.agentId);
  const mode = r.reviewerMode ?? 'peer';
  if (!REVIEWER_MODES.includes(mode)) throw new ValidationError('reviewer_mode', `reviewer_mode must be one of ${REVIEWER_MODES.join(', ')} (got ${JSON.stringify(mode)}).`);
  if (r.disputeType !== undefined && !DISPUTE_TYPES.includes(r.disputeType)) {
    throw new ValidationError('dispute_type', `dispute_type must be one of ${DISPUTE_TYPES.join(', ')} (got ${JSON.stringify(r.disputeType)}).`);
  }
  if (r.disputeType !== undefined && r.discoveryId === undefined) throw new ValidationError('dispute_type', 'dispute_type needs discovery_id: name the discovery under dispute.');
  const reviewer = r.reviewerAgentId === undefined ? undefined : checkId('reviewer_agent_id', r.reviewerAgentId, L.agentId);
  if (reviewer !== undefined && mode === 'self') throw new ValidationError('reviewer_agent_id', 'reviewer_agent_id cannot be combined with reviewer_mode "self" (the system reviews); use reviewer_mode "peer".');
  if (reviewer === agentId) throw new ValidationError('reviewer_agent_id', `reviewer_agent_id cannot equal agent_id (${agentId}); name another agent, or use reviewer_mode "self".`);
  if (r.complexity !== undefined && !(Number.isFinite(r.complexity) && r.complexity >= 0 && r.complexity <= 1)) {
    throw new ValidationError('complexity', `complexity must be a number from 0 to 1 (got ${r.complexity}).`);
  }
  const operation = checkText('operation', r.operation, L.operation);
  const reason = checkText('reason', r.reason, L.reason) ?? operation?.slice(0, L.reason) ?? DEFAULT_REASON;
  return {
    ...r,
    agentId,
    reason,
    operation,
    reviewerMode: mode,
    reviewerAgentId: reviewer,
    discoveryId: r.discoveryId === undefined ? undefined : checkId('discovery_id', r.discoveryId, L.discoveryId),
    rootCause: checkText('root_cause', r.rootCause, L.rootCause),
    reasoning: checkText('reasoning', r.reasoning, L.reasoning),
    proposedConditions: checkList('proposed_conditions', r.proposedConditions, L.conditions, L.condition),
  };
}

/** @throws ValidationError naming the field */
export function checkSubmission(r: SubmissionRequest): SubmissionRequest {
  const metrics = r.observedMetrics ?? {};
  const keys = Object.keys(metrics);
  if (keys.length > L.observedMetrics) throw new ValidationError('observed_metrics', `observed_metrics has ${keys.length} entries; the limit is ${L.observedMetrics}.`);
  for (const k of keys) {
    if (!Number.isFinite(metrics[k])) throw new ValidationError('observed_metrics', `observed_metrics.${k} must be a finite number.`);
  }
  return {
    ...r,
    sessionId: checkId('session_id', r.sessionId, L.sessionId),
    agentId: checkId('agent_id', r.agentId, L.agentId),
    rootCause: checkText('root_cause', r.rootCause ?? undefined, L.rootCause),
    reasoning: checkText('reasoning', r.reasoning ?? undefined, L.reasoning),
    proposedConditions: checkList('proposed_conditions', r.proposedConditions, L.conditions, L.condition),
    concerns: checkList('concerns', r.concerns, L.concerns, L.concern),
  };
}

/** A trimmed non-empty id of at most `max` characters. */
export function checkId(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || !value.trim()) throw new ValidationError(field, `${field} must be a non-empty string.`);
  const id = value.trim();
  if (id.length > max) throw new ValidationError(field, `${field} is ${id.length} characters long; the limit is ${max}.`);
  return id;
}

function checkText(field: string, value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(field, `${field} must be a string.`);
  if (value.length > max) throw new ValidationError(field, `${field} is ${value.length} characters long; the limit is ${max}. Shorten it.`);
  return value.trim() || undefined;
}

function checkList(field: string, value: readonly string[] | undefined, maxItems: number, maxChars: number): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ValidationError(field, `${field} must be a list of strings.`);
  if (value.length > maxItems) throw new ValidationError(field, `${field} has ${value.length} entries; the limit is ${maxItems}.`);
  return value.map((item, i) => {
    if (typeof item !== 'string' || !item.trim()) throw new ValidationError(field, `${field}[${i}] must be a non-empty string.`);
    if (item.length > maxChars) throw new ValidationError(field, `${field}[${i}] is ${item.length} characters long; the limit is ${maxChars}.`);
    return item.trim();
  });
}
