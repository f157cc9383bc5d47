/**
 * EISV dynamics and governance decisions (CONTRACT STUB: replaced by the real UNITARES v1 port).
 *
 * The exported names and shapes below are the contract used by the governance service and the
 * tools; keep them stable. Everything is pure and JSON-serializable.
 */

/** The four state variables, each a plain number (E, I in 0..1; S >= 0; V signed). */
export interface EisvState {
  E: number;
  I: number;
  S: number;
  V: number;
}

/** Per-agent dynamics state as persisted by the store (opaque JSON beyond `eisv` and `updates`). */
export interface DynamicsState {
  eisv: EisvState;
  /** Number of updates applied so far. */
  updates: number;
  /** Wall-clock time (ms since epoch) of the last update, or null before the first. */
  lastUpdateMs: number | null;
  [extra: string]: unknown;
}

/** One unit of reported work. */
export interface UpdateInput {
  /** Estimated complexity of the operation, 0..1. */
  complexity: number;
  /** Wall-clock time of the update, ms since epoch. */
  nowMs: number;
  /** Agent's self-reported confidence, 0..1 (optional). */
  confidence?: number;
}

export interface GovernanceDecision {
  action: 'PROCEED' | 'PAUSE';
  reason: string;
  guidance?: string;
}

export interface GovernanceMetrics {
  E: number;
  I: number;
  S: number;
  V: number;
  /** Coherence, 0..1. */
  coherence: number;
  /** Risk score, 0..1. */
  risk_score: number;
  void_active: boolean;
  [extra: string]: number | boolean;
}

export interface UpdateOutcome {
  state: DynamicsState;
  metrics: GovernanceMetrics;
  decision: GovernanceDecision;
}

export function initialDynamics(): DynamicsState {
  return { eisv: { E: 0.7, I: 0.8, S: 0.2, V: 0 }, updates: 0, lastUpdateMs: null };
}

export function applyUpdate(prev: DynamicsState, input: UpdateInput): UpdateOutcome {
  const eisv = { ...prev.eisv };
  const state: DynamicsState = { ...prev, eisv, updates: prev.updates + 1, lastUpdateMs: input.nowMs };
  const metrics: GovernanceMetrics = { ...eisv, coherence: 0.5, risk_score: input.complexity / 2, void_active: false };
  return { state, metrics, decision: { action: 'PROCEED', reason: 'stub' } };
}
