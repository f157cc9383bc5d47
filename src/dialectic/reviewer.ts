/**
 * Reviewer selection: who may review an agent, and a weighted-random pick among them.
 *
 * Ported from UNITARES v1 (CIRWEL/governance-mcp-v1-backup @ e162fb7):
 * `src/mcp_handlers/dialectic_reviewer.py` select_reviewer (exclusions, weighted random) and
 * `src/dialectic_protocol.py` calculate_authority_score:
 *   authority = 0.40 health + 0.30 track record + 0.20 domain expertise + 0.10 freshness
 *   health    = 1 / (1 + e^(10 (risk - 0.35)))  with the CANDIDATE's own risk (v1 passed the
 *               paused agent's state for every candidate, so health never told them apart; not
 *               copied). Unknown risk (no update yet): 0.5, as v1.
 *   track     = successful reviews / reviews (resolved / finished sessions reviewed); none: 0.5
 *   expertise = Jaccard of the two agents' discovery tags; v1's fallbacks: 0.6 when only the
 *               candidate has tags, 0.5 when it has none
 *   freshness = 1.0 if seen within 24 h, else 0.5
 * Excluded (v1): the requester, agents in an open session, agents that reviewed the requester in
 * the last 24 h, agents whose status is not `active`, agents with risk >= 0.40. Unknown risk is
 * not excluded (v1: "be permissive for peer selection").
 */
import { jaccard } from './agreement';
import { TIMEOUTS } from './types';

export const AUTHORITY_WEIGHTS = { health: 0.4, trackRecord: 0.3, expertise: 0.2, freshness: 0.1 } as const;
/** Candidates at or above this risk are not asked to review (v1: 0.40). */
export const MAX_REVIEWER_RISK = 0.4;
/** Centre and steepness of the health sigmoid (v1: 0.35, 10). */
export const HEALTH_CENTRE = 0.35;
export const HEALTH_STEEPNESS = 10;
const FRESH_MS = 24 * 3600_000;

/** What selection knows about one possible reviewer. */
export interface ReviewerCandidate {
  agentId: string;
  /** `active`, `paused`, ... */
  status: string;
  /** Latest risk_score 0..1, null before the first update. */
  risk: number | null;
  /** ms since epoch */
  lastSeenMs: number;
  /** Tags of the discoveries this agent stored (lower-case). */
  tags: readonly string[];
  /** Finished sessions it reviewed, and how many of them resolved. */
  reviews: { total: number; successful: number };
  /** Requester or reviewer of a session that is not final. */
  inOpenSession: boolean;
  /** When it last reviewed the requester (session creation, ms), null if never. */
  reviewedRequesterAtMs: number | null;
}

export interface AuthorityScore {
  authority: number;
  health: number;
  track_record: number;
  domain_expertise: number;
  freshness: number;
}

/** Health from risk (0..1); 0.5 when the risk is unknown. */
export function healthOf(risk: number | null): number {
  if (risk === null) return 0.5;
  return Math.min(1, Math.max(0, 1 / (1 + Math.exp(HEALTH_STEEPNESS * (risk - HEALTH_CENTRE)))));
}

/**
 * @param requesterTags the requester's discovery tags (lower-case)
 * @param nowMs ms since epoch
 */
export function authorityScore(candidate: ReviewerCandidate, requesterTags: ReadonlySet<string>, nowMs: number): AuthorityScore {
  const health = healthOf(candidate.risk);
  const track = candidate.reviews.total > 0 ? candidate.reviews.successful / candidate.reviews.total : 0.5;
  let expertise: number;
  if (candidate.tags.length && requesterTags.size) expertise = jaccard(new Set(candidate.tags), requesterTags);
  else expertise = candidate.tags.length ? 0.6 : 0.5;
  const freshness = nowMs - candidate.lastSeenMs < FRESH_MS ? 1 : 0.5;
  const w = AUTHORITY_WEIGHTS;
  return {
    authority: w.health * health + w.trackRecord * track + w.expertise * expertise + w.freshness * freshness,
    health,
    track_record: track,
    domain_expertise: expertise,
    freshness,
  };
}

/**
 * Why `candidate` may not review `requesterId` now, or null when it may.
 * @param nowMs ms since epoch
 */
export function exclusionOf(candidate: ReviewerCandidate, requesterId: string, nowMs: number): string | null {
  if (candidate.agentId === requesterId) return 'it is the agent under review';
  if (candidate.inOpenSession) return 'it is already in an open dialectic session';
  if (candidate.reviewedRequesterAtMs !== null && nowMs - candidate.reviewedRequesterAtMs < TIMEOUTS.recentReviewMs) return `it reviewed ${requesterId} in the last 24 h`;
  if (candidate.status !== 'active') return `its status is ${candidate.status}, not active`;
  if (candidate.risk !== null && candidate.risk >= MAX_REVIEWER_RISK) return `its risk ${candidate.risk.toFixed(2)} is at or above ${MAX_REVIEWER_RISK.toFixed(2)}`;
  return null;
}

export interface Selection {
  agentId: string;
  score: AuthorityScore;
  /** Candidates that qualified (the pick was among them). */
  eligible: number;
}

/**
 * Picks a reviewer at random with probability proportional to authority (v1
 * `random.choices(candidates, weights=scores)`), among the candidates no exclusion applies to.
 * Candidates are ordered by id first, so a seeded `random` gives the same pick whatever order the
 * store returned them in.
 * @param random uniform in [0, 1) (Math.random by default; tests inject a seeded one)
 * @returns undefined when nobody qualifies
 */
export function selectReviewer(
  requester: { agentId: string; tags: readonly string[] },
  candidates: readonly ReviewerCandidate[],
  options: { nowMs: number; random?: () => number },
): Selection | undefined {
  const requesterTags = new Set(requester.tags);
  const pool = candidates
    .filter((c) => exclusionOf(c, requester.agentId, options.nowMs) === null)
    .sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0))
    .map((c) => ({ c, score: authorityScore(c, requesterTags, options.nowMs) }));
  if (pool.length === 0) return undefined;
  const total = pool.reduce((sum, p) => sum + p.score.authority, 0);
  const r = (options.random ?? Math.random)();
  let pick = pool[pool.length - 1]!;
  if (total > 0) {
    let threshold = r * total;
    for (const p of pool) {
      threshold -= p.score.authority;
      if (threshold < 0) {
        pick = p;
        break;
      }
    }
  } else {
    pick = pool[Math.min(pool.length - 1, Math.floor(r * pool.length))]!;
  }
  return { agentId: pick.c.agentId, score: pick.score, eligible: pool.length };
}
