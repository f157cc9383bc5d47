/**
 * When two synthesis proposals agree, and how they merge into one resolution. Ported from
 * UNITARES v1, CIRWEL/governance-mcp-v1-backup @ e162fb7, `src/dialectic_protocol.py`:
 * DialecticSession._check_both_agree, _normalize_condition, _semantic_similarity,
 * _merge_proposals, _conditions_conflict.
 *
 * Agreement: the latest synthesis of each party (among the last 6 messages) both say
 * `agrees: true`; when both propose conditions, at least half of them match
 * (match ratio = 2 x conditions of A with a match in B / all conditions; two conditions match at
 * a word-set Jaccard >= 0.6 after normalization); and the root causes share >= 20% of their
 * words (Jaccard on lower-cased whitespace words), a check waived when the match ratio >= 0.6.
 */
import type { DialecticMessage } from './types';

/** Two normalized conditions are the same condition at this word overlap (v1: 0.6). */
export const CONDITION_MATCH = 0.6;
/** Share of conditions that must match (v1: 0.5). */
export const MATCH_RATIO_MIN = 0.5;
/** From this match ratio on, the root cause check is waived (v1: 0.6). */
export const MATCH_RATIO_WAIVES_ROOT_CAUSE = 0.6;
/** Root causes must share this share of words otherwise (v1: 0.2). */
export const ROOT_CAUSE_OVERLAP_MIN = 0.2;
/** v1 looks at the last 6 transcript entries only. */
const RECENT_MESSAGES = 6;

// v1 _normalize_condition's filler words.
const FILLER = new Set(
  'the a an and or but to for of in on at by with from as is are was were be been being have has had do does did will would should could may might must can'.split(' '),
);

/** Lower-cased words longer than 2 letters, parenthetical notes and filler removed, sorted (v1 _normalize_condition). */
export function normalizeCondition(condition: string): string {
  const words = condition.replace(/\([^)]*\)/g, '').toLowerCase().match(/\b[a-z]+\b/g) ?? [];
  return words
    .filter((w) => !FILLER.has(w) && w.length > 2)
    .sort()
    .join(' ');
}

/** Jaccard similarity of the word sets of two normalized strings, 0..1 (0 when either is empty). */
export function semanticSimilarity(a: string, b: string): number {
  return jaccard(new Set(a.split(' ').filter(Boolean)), new Set(b.split(' ').filter(Boolean)));
}

/** |A ∩ B| / |A ∪ B|; 0 when either set is empty. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}

/** v1's match ratio: 2 x (conditions of A with a match in B) / (|A| + |B|). */
export function conditionMatchRatio(a: readonly string[], b: readonly string[]): number {
  const na = a.map(normalizeCondition);
  const nb = b.map(normalizeCondition);
  const total = na.length + nb.length;
  if (total === 0) return 0;
  const matches = na.filter((x) => nb.some((y) => semanticSimilarity(x, y) >= CONDITION_MATCH)).length;
  return (matches * 2) / total;
}

export interface AgreementCheck {
  agreed: boolean;
  /** Why not, for people (absent when agreed). */
  reason?: string;
  /** null when either side proposed no conditions. */
  condition_match_ratio: number | null;
  root_cause_overlap: number | null;
}

/**
 * Whether both parties agree (v1 _check_both_agree).
 * @param messages the session transcript, oldest first
 */
export function checkBothAgree(messages: readonly DialecticMessage[], requesterId: string, reviewerId: string): AgreementCheck {
  const recent = messages.slice(-RECENT_MESSAGES).filter((m) => m.phase === 'synthesis');
  const a = recent.filter((m) => m.agentId === requesterId).at(-1);
  const b = recent.filter((m) => m.agentId === reviewerId).at(-1);
  const none = { condition_match_ratio: null, root_cause_overlap: null };
  if (!a || !b) return { agreed: false, reason: 'both parties need a synthesis', ...none };
  if (!(a.agrees === true && b.agrees === true)) return { agreed: false, reason: 'both latest syntheses must have agrees=true', ...none };

  let ratio: number | null = null;
  let matchWell = false;
  if (a.proposedConditions.length && b.proposedConditions.length) {
    ratio = conditionMatchRatio(a.proposedConditions, b.proposedConditions);
    if (ratio < MATCH_RATIO_MIN) {
      return { agreed: false, reason: `proposed conditions match at ${ratio.toFixed(2)} (needs ${MATCH_RATIO_MIN})`, condition_match_ratio: ratio, root_cause_overlap: null };
    }
    matchWell = ratio >= MATCH_RATIO_WAIVES_ROOT_CAUSE;
  }

  const ra = (a.rootCause ?? '').toLowerCase();
  const rb = (b.rootCause ?? '').toLowerCase();
  let overlap: number | null = null;
  if (ra && rb) {
    const wa = new Set(ra.split(/\s+/).filter(Boolean));
    const wb = new Set(rb.split(/\s+/).filter(Boolean));
    if (wa.size && wb.size) {
      overlap = jaccard(wa, wb);
      // v1: threshold 0 when the conditions match well, i.e. the check is waived.
      if (!matchWell && overlap < ROOT_CAUSE_OVERLAP_MIN) {
        return { agreed: false, reason: `root causes share ${(overlap * 100).toFixed(0)}% of words (needs ${ROOT_CAUSE_OVERLAP_MIN * 100}%)`, condition_match_ratio: ratio, root_cause_overlap: overlap };
      }
    }
  }
  return { agreed: true, condition_match_ratio: ratio, root_cause_overlap: overlap };
}

/** v1 _conditions_conflict: opposite verbs, or the same subject with different numbers. */
export function conditionsConflict(c1: string, c2: string): boolean {
  const l1 = c1.toLowerCase();
  const l2 = c2.toLowerCase();
  const opposites: Array<[string, string]> = [
    ['increase', 'decrease'],
    ['enable', 'disable'],
    ['allow', 'forbid'],
    ['raise', 'lower'],
    ['max', 'min'],
  ];
  if (opposites.some(([x, y]) => (l1.includes(x) && l2.includes(y)) || (l1.includes(y) && l2.includes(x)))) return true;
  const n1 = c1.match(/\d+\.?\d*/g) ?? [];
  const n2 = c2.match(/\d+\.?\d*/g) ?? [];
  if (n1.length && n2.length) {
    const stop = new Set(['to', 'the', 'a', 'an', 'is', 'are', 'be', 'set']);
    const t1 = new Set((l1.match(/\b[a-z]+\b/g) ?? []).filter((w) => !stop.has(w)));
    const t2 = new Set((l2.match(/\b[a-z]+\b/g) ?? []).filter((w) => !stop.has(w)));
    const shared = [...t1].filter((w) => t2.has(w)).length;
    if (shared > 2 && n1.join(',') !== n2.join(',')) return true;
  }
  return false;
}

export interface MergedProposal {
  conditions: string[];
  rootCause: string;
  reasoning: string;
}

/**
 * v1 _merge_proposals: the conditions both propose, then each side's others unless they conflict
 * with one already taken; root causes joined as "A (also: B)" unless equal; both reasonings.
 * Order (v1 used unordered sets): shared in A's order, then A's, then B's.
 */
export function mergeProposals(a: DialecticMessage, b: DialecticMessage): MergedProposal {
  const inB = new Set(b.proposedConditions);
  const inA = new Set(a.proposedConditions);
  const merged = unique(a.proposedConditions.filter((c) => inB.has(c)));
  for (const c of unique([...a.proposedConditions.filter((x) => !inB.has(x)), ...b.proposedConditions.filter((x) => !inA.has(x))])) {
    if (!merged.some((m) => conditionsConflict(c, m))) merged.push(c);
  }
  const ra = a.rootCause ?? '';
  const rb = b.rootCause ?? '';
  const rootCause = ra && rb ? (ra.toLowerCase() === rb.toLowerCase() ? ra : `${ra} (also: ${rb})`) : ra || rb;
  const reasonA = a.reasoning ?? '';
  const reasonB = b.reasoning ?? '';
  const reasoning = reasonA && reasonB ? `Agent A: ${reasonA}\nAgent B: ${reasonB}` : reasonA || reasonB;
  return { conditions: merged, rootCause, reasoning };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
