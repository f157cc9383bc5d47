/**
 * EISV dynamics and governance decisions: a TypeScript port of UNITARES v1.
 *
 * Each agent carries E (energy), I (information integrity), S (entropy / semantic uncertainty) and
 * V (void: accumulated E-I imbalance). Every `process_agent_update` runs one `applyUpdate`, which is
 * pure: the caller persists the returned `state` and passes it back next time.
 *
 * Sources (parameter values and their per-item citations are in ./eisv-params):
 * - [D]  CIRWEL/governance-mcp-v1-backup @ 4455f161d5f8d76700a6fbca9de103e9adecf6e6
 *        governance_core/dynamics.py compute_dynamics: the four ODEs and the forward-Euler step
 *        with clipping. The same file is in cirwel/unitares (newer revisions default to RK4 and
 *        linear I damping; this port keeps the v1 Euler + logistic form):
 *          dE/dt = alpha(I - E) - beta_E E S + gamma_E |d_eta|^2
 *          dI/dt = -k S + beta_I C(V) - gamma_I I (1 - I)
 *          dS/dt = -mu S + lambda1 |d_eta|^2 - lambda2 C(V) + beta_complexity complexity
 *          dV/dt = kappa (E - I) - delta V
 * - [Co] same commit, governance_core/coherence.py: C(V) = Cmax * 0.5 * (1 + tanh(C1 * V)).
 * - [ED] same commit, governance_core/ethical_drift.py compute_ethical_drift: d_eta is a vector of
 *        four deviations in 0..1 from per-agent EMA baselines (alpha 0.1), warm-up ramp over the
 *        first 5 updates; |d_eta|^2 is the sum of squares (utils.drift_norm).
 * - [Sc] same commit, governance_core/scoring.py: Phi = wE E - wI (1 - I) - wS S - wV |V| - wEta |d_eta|^2
 *        and verdict safe (Phi >= 0.15) / caution (Phi >= 0) / high-risk.
 * - [G]  same commit, config/governance_config.py: traditional risk (length, complexity,
 *        coherence loss, keyword blocklist), adaptive void threshold, risk and coherence
 *        thresholds, decision texts (make_decision).
 * - [M]  same commit, src/governance_monitor.py process_update / update_dynamics / estimate_risk /
 *        make_decision: order of steps, V clamp to [-1, 1], Phi-to-risk mapping, the 0.7/0.3 blend,
 *        the verdict override (high-risk -> PAUSE, caution with low risk -> PROCEED with guidance).
 * - [Gap] cirwel/unitares @ 9b1533612c681076e2f93aea5bff34ebb684668b src/governance_monitor.py:
 *        gap-aware step dt = clamp(elapsed_s * DT / 15 s, DT, 1.0).
 *
 * Where this product differs from the v1 monitor (inputs here are only complexity, optional
 * confidence, optional operation text and the time between updates):
 * - Complexity is taken as reported. v1 replaced it with a complexity derived from the full
 *   response text (dual-log "grounded" complexity); our `operation` is a one-line summary, from
 *   which no fair estimate can be derived.
 * - d_eta components: calibration = |confidence - baseline| (v1's fallback when no calibration
 *   data exists; missing confidence counts as 0.6 as in v1); coherence = |C(V) - baseline|;
 *   stability = 1 - decision consistency, constant 0.2 because v1 never fed decisions back;
 *   complexity divergence, which v1 measured as |derived - reported| complexity, is here the
 *   change of the reported complexity against its own EMA baseline (warm-up applied), i.e. the
 *   drift between updates. Agent-sent drift vectors (v1 blends them in) do not exist here.
 * - lambda1 stays at its initial value 0.125: v1's PI controller that retunes it from the void
 *   frequency (update_lambda1) is not ported, and neither are v1's derived-confidence cap,
 *   task-type adjustments and CIRS oscillation damping.
 * - Sustained load (product addition, not UNITARES): with the v1 parameters, steady
 *   complexity 1.0 settles S near 0.16 and the v1 risk near 0.30, so v1 never pauses an agent
 *   for sustained hard work alone. We keep a load L in 0..1,
 *     L <- (1 - 0.1) * L * exp(-rest_s / 300 s) + 0.1 * complexity,
 *   and use risk_score = max(v1 risk, L). Complexity 1.0 every 15 s settles L near 0.69 and
 *   pauses; rest or lighter work lowers it. 300 s is v1's overload window
 *   (src/dual_log/restorative.py, advisory there). `risk_unitares` in the metrics is the pure
 *   v1 value.
 * - Decision order is void, coherence, high-risk verdict, then risk tiers (v1 checked the
 *   verdict first; only the reason shown differs). As in v1, C(V) < 0.40 needs V < -0.405 while
 *   the void threshold is at most 0.30, so the coherence PAUSE is a backstop that the void check
 *   pre-empts. Reasons say "risk" where v1 said
 *   "complexity", since the score blends more than complexity; the low tier carries no guidance.
 */
import {
  BOUNDS,
  DRIFT,
  DYNAMICS,
  INITIAL_EISV,
  KEYWORDS,
  LOAD,
  PHI,
  RISK,
  TIME,
  VOID,
} from './eisv-params';

/** The four state variables: E, I in 0..1; S in 0.001..1; V in -1..1. */
export interface EisvState {
  E: number;
  I: number;
  S: number;
  V: number;
}

/** Per-agent dynamics state as persisted by the store (JSON; extra keys are this module's own). */
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
  /** Agent's self-reported confidence, 0..1 (optional; 0.6 when absent, as in v1). */
  confidence?: number;
  /** The operation text; feeds the length and keyword parts of the risk (optional). */
  operation?: string;
}

/** UNITARES verdict from the objective Phi. */
export type UnitaresVerdict = 'safe' | 'caution' | 'high-risk';

export interface GovernanceDecision {
  action: 'PROCEED' | 'PAUSE';
  /** Always non-empty. */
  reason: string;
  guidance?: string;
  verdict?: UnitaresVerdict;
}

export interface GovernanceMetrics {
  E: number;
  I: number;
  S: number;
  V: number;
  /** Coherence C(V), 0..1. */
  coherence: number;
  /** Risk score, 0..1: max(risk_unitares, sustained_load). */
  risk_score: number;
  void_active: boolean;
  [extra: string]: number | boolean;
}

export interface UpdateOutcome {
  state: DynamicsState;
  metrics: GovernanceMetrics;
  decision: GovernanceDecision;
}

/** EMA baselines of the drift vector ([ED] AgentBaseline), each 0..1. */
interface DriftBaselines {
  confidence: number;
  coherence: number;
  complexity: number;
  /** Updates folded in so far (drives the warm-up ramp). */
  samples: number;
}

interface ModelMemory {
  baselines: DriftBaselines;
  /** Last `VOID.window` values of V, oldest first. */
  vHistory: number[];
  load: number;
}

const MODEL = 'unitares-v1';

/** A new agent's state: [D] DEFAULT_STATE, fresh baselines, no history. */
export function initialDynamics(): DynamicsState {
  return {
    eisv: { ...INITIAL_EISV },
    updates: 0,
    lastUpdateMs: null,
    model: MODEL,
    baselines: freshBaselines(),
    vHistory: [],
    load: 0,
  };
}

/**
 * Applies one update: drift, one Euler step, coherence, void check, risk and decision.
 * Pure: no clock, no randomness, `prev` and `input` are not modified.
 * @throws RangeError naming the field when an input or a persisted value is not a finite number
 *   in its range (`complexity`, `confidence`, `nowMs`, `operation`, `dynamics.*`).
 */
export function applyUpdate(prev: DynamicsState, input: UpdateInput): UpdateOutcome {
  const complexity = unitInterval(input.complexity, 'complexity');
  const confidence =
    input.confidence === undefined ? DRIFT.defaultConfidence : unitInterval(input.confidence, 'confidence');
  const nowMs = finite(input.nowMs, 'nowMs');
  if (input.operation !== undefined && typeof input.operation !== 'string') {
    throw new RangeError('operation must be a string when given.');
  }
  const operation = input.operation ?? '';

  const { eisv, updates, lastUpdateMs, memory } = readState(prev);
  // A clock stepping back must not run the model backwards ([Gap] guards the same way).
  const restSeconds = lastUpdateMs === null ? 0 : Math.max(0, (nowMs - lastUpdateMs) / 1000);
  const dt = clamp(restSeconds * (TIME.dt / TIME.expectedIntervalSeconds), TIME.dt, TIME.dtMax);

  // [M] computes the drift from the coherence before the step.
  const drift = driftVector(memory.baselines, coherenceOf(eisv.V), confidence, complexity);
  const next = eulerStep(eisv, drift.normSq, complexity, dt);
  const coherence = coherenceOf(next.V);

  const vHistory = [...memory.vHistory, next.V].slice(-VOID.window);
  const voidThreshold = voidThresholdOf(vHistory);
  const voidActive = Math.abs(next.V) > voidThreshold;

  const phi =
    PHI.wE * next.E -
    PHI.wI * (1 - next.I) -
    PHI.wS * next.S -
    PHI.wV * Math.abs(next.V) -
    PHI.wEta * drift.normSq;
  const verdict: UnitaresVerdict = phi >= PHI.safe ? 'safe' : phi >= PHI.caution ? 'caution' : 'high-risk';
  const riskPhi = phiToRisk(phi);
  const riskTraditional = traditionalRisk(operation, complexity, coherence);
  const riskUnitares = clamp(RISK.phiWeight * riskPhi + RISK.traditionalWeight * riskTraditional, 0, 1);

  const load = clamp(
    (1 - LOAD.emaAlpha) * memory.load * Math.exp(-restSeconds / LOAD.restTimeConstantSeconds) +
      LOAD.emaAlpha * complexity,
    0,
    1,
  );
  const riskScore = Math.max(riskUnitares, load);

  const metrics: GovernanceMetrics = {
    ...next,
    coherence,
    risk_score: riskScore,
    void_active: voidActive,
    phi,
    risk_phi: riskPhi,
    risk_traditional: riskTraditional,
    risk_unitares: riskUnitares,
    sustained_load: load,
    drift_norm_sq: drift.normSq,
    calibration_deviation: drift.calibration,
    complexity_divergence: drift.complexity,
    coherence_deviation: drift.coherence,
    stability_deviation: drift.stability,
    void_threshold: voidThreshold,
    dt,
    lambda1: DYNAMICS.lambda1,
  };
  for (const [key, value] of Object.entries(metrics)) {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new RangeError(`EISV update produced a non-finite ${key}; the agent's state was not changed.`);
    }
  }

  const decision = decide({
    voidActive,
    voidThreshold,
    V: next.V,
    coherence,
    verdict,
    phi,
    riskScore,
    load,
    riskUnitares,
    phiDrag: largestPhiPenalty(next, drift),
  });
  const state: DynamicsState = {
    eisv: next,
    updates: updates + 1,
    lastUpdateMs: nowMs,
    model: MODEL,
    baselines: drift.baselines,
    vHistory,
    load,
  };
  return { state, metrics, decision };
}

/** C(V) = Cmax * 0.5 * (1 + tanh(C1 * V)). [Co] */
function coherenceOf(V: number): number {
  return DYNAMICS.cMax * 0.5 * (1 + Math.tanh(DYNAMICS.c1 * V));
}

/** One forward-Euler step of the four ODEs, clipped to BOUNDS. [D] compute_dynamics, [M] */
function eulerStep(s: EisvState, driftSq: number, complexity: number, dt: number): EisvState {
  const p = DYNAMICS;
  const C = coherenceOf(s.V);
  const dE = p.alpha * (s.I - s.E) - p.betaE * s.E * s.S + p.gammaE * driftSq;
  const dI = -p.k * s.S + p.betaI * C - p.gammaI * s.I * (1 - s.I);
  const dS = -p.mu * s.S + p.lambda1 * driftSq - p.lambda2 * C + p.betaComplexity * complexity;
  const dV = p.kappa * (s.E - s.I) - p.delta * s.V;
  return {
    E: clamp(s.E + dE * dt, ...BOUNDS.E),
    I: clamp(s.I + dI * dt, ...BOUNDS.I),
    S: clamp(s.S + dS * dt, ...BOUNDS.S),
    V: clamp(s.V + dV * dt, ...BOUNDS.V),
  };
}

interface Drift {
  calibration: number;
  complexity: number;
  coherence: number;
  stability: number;
  normSq: number;
  /** Baselines after folding in this update. */
  baselines: DriftBaselines;
}

/** The drift vector d_eta and the updated baselines. [ED] compute_ethical_drift, AgentBaseline.update */
function driftVector(b: DriftBaselines, coherence: number, confidence: number, complexity: number): Drift {
  const warm = Math.min(1, b.samples / DRIFT.warmupUpdates);
  const calibration = clamp(Math.abs(confidence - b.confidence), 0, 1) * warm;
  const complexityDev = clamp(Math.abs(complexity - b.complexity), 0, 1) * warm;
  const coherenceDev = clamp(Math.abs(coherence - b.coherence), 0, 1) * warm;
  const stability = (1 - DRIFT.decisionConsistency) * warm;
  const a = DRIFT.emaAlpha;
  return {
    calibration,
    complexity: complexityDev,
    coherence: coherenceDev,
    stability,
    normSq: calibration ** 2 + complexityDev ** 2 + coherenceDev ** 2 + stability ** 2,
    baselines: {
      confidence: a * confidence + (1 - a) * b.confidence,
      coherence: a * coherence + (1 - a) * b.coherence,
      complexity: a * complexity + (1 - a) * b.complexity,
      samples: b.samples + 1,
    },
  };
}

/**
 * mean(|V|) + 2 std(|V|) over the history, clamped to [0.10, 0.30]; 0.15 until 10 values. [G]
 * The history is the last VOID.window values of V, this update's last (./observability reuses it).
 */
export function voidThresholdOf(history: readonly number[]): number {
  if (history.length < VOID.minHistory) return VOID.initial;
  const abs = history.map(Math.abs);
  const mean = abs.reduce((sum, x) => sum + x, 0) / abs.length;
  // Population std, as numpy's default.
  const std = Math.sqrt(abs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / abs.length);
  return clamp(mean + VOID.sigma * std, VOID.min, VOID.max);
}

/** Phi -> risk: safe maps to 0..0.3, caution to 0.3..0.7, high-risk to 0.7..1. [M] estimate_risk */
function phiToRisk(phi: number): number {
  if (phi >= PHI.safe) return Math.max(0, 0.3 - (phi - PHI.safe) * 0.5);
  if (phi >= PHI.caution) return 0.3 + ((PHI.safe - phi) / (PHI.safe - PHI.caution)) * 0.4;
  return Math.min(1, 0.7 + Math.abs(phi - PHI.caution) * 2);
}

/** 0.15 length + 0.35 complexity + 0.35 (1 - coherence) + 0.15 keywords, 0..1. [G] estimate_risk */
function traditionalRisk(text: string, complexity: number, coherence: number): number {
  const lower = text.toLowerCase();
  const length = Array.from(text).length;
  const hasCode = text.includes('```') || lower.includes('def ');
  let lengthRisk: number;
  if (hasCode) lengthRisk = length < 100 ? 0.3 : length > 10_000 ? 0.4 : 0.1;
  else lengthRisk = length < 200 ? 0.2 : length > 5000 ? 0.3 : 0.1;

  let hits = 0;
  for (const keyword of KEYWORDS.blocklist) {
    const at = lower.indexOf(keyword);
    if (at < 0) continue;
    const context = lower.slice(Math.max(0, at - KEYWORDS.contextChars), at + keyword.length + KEYWORDS.contextChars);
    if (KEYWORDS.excusedBy.some((word) => context.includes(word))) continue;
    hits += 1;
  }
  const keywordRisk = Math.min(hits / RISK.keywordSaturation, 1);
  return clamp(
    RISK.lengthWeight * lengthRisk +
      RISK.complexityWeight * complexity +
      RISK.coherenceWeight * (1 - clamp(coherence, 0, 1)) +
      RISK.keywordWeight * keywordRisk,
    0,
    1,
  );
}

interface DecisionInput {
  voidActive: boolean;
  voidThreshold: number;
  V: number;
  coherence: number;
  verdict: UnitaresVerdict;
  phi: number;
  riskScore: number;
  riskUnitares: number;
  load: number;
  /** What pulls Phi down most, in words. */
  phiDrag: string;
}

/** PROCEED/PAUSE with a reason. Texts follow [G] make_decision and [M] make_decision. */
function decide(d: DecisionInput): GovernanceDecision {
  const { verdict } = d;
  if (d.voidActive) {
    return {
      action: 'PAUSE',
      reason: `Energy-integrity imbalance detected (|V| = ${d.V.toFixed(3)} > ${d.voidThreshold.toFixed(3)}) - time to recalibrate`,
      guidance: 'System needs a moment to stabilize. Take a break or shift focus.',
      verdict,
    };
  }
  if (d.coherence < RISK.coherenceCritical) {
    return {
      action: 'PAUSE',
      reason: `Coherence needs attention (${d.coherence.toFixed(2)} < ${RISK.coherenceCritical.toFixed(2)}) - moment to regroup`,
      guidance: 'Things are getting fragmented. Simplify, refocus, or take a breather.',
      verdict,
    };
  }
  if (verdict === 'high-risk') {
    return {
      action: 'PAUSE',
      reason: `UNITARES high-risk verdict (phi = ${d.phi.toFixed(2)}, risk_score = ${d.riskScore.toFixed(2)}; mostly ${d.phiDrag}) - safety pause suggested`,
      guidance:
        'This is a safety check, not a failure. Consider simplifying your approach and keeping complexity and confidence steady between updates.',
      verdict,
    };
  }
  // The load note names the cause when sustained work, not the current state, drives the score.
  const loadDriven = d.load > d.riskUnitares && d.riskScore >= RISK.approve;
  const cause = loadDriven ? ` after sustained high-complexity work (load ${d.load.toFixed(2)})` : '';
  const restNote = loadDriven ? ' The load eases with rest (5-minute time constant) and lighter work.' : '';
  if (d.riskScore < RISK.approve) {
    if (verdict === 'caution') {
      return {
        action: 'PROCEED',
        reason: `Proceeding mindfully (risk: ${d.riskScore.toFixed(2)}, phi: ${d.phi.toFixed(2)})`,
        guidance: 'Navigating complexity. Worth a moment of reflection.',
        verdict,
      };
    }
    return { action: 'PROCEED', reason: `Low risk (${pct(d.riskScore, 1)}) - healthy operating range`, verdict };
  }
  if (d.riskScore < RISK.revise) {
    const marginPct = ((RISK.revise - d.riskScore) / RISK.revise) * 100;
    const advice = marginPct < 20 ? 'avoid increasing complexity' : 'maintain current complexity';
    return {
      action: 'PROCEED',
      reason: `Moderate risk (${pct(d.riskScore, 1)})${cause} - PAUSE threshold: ${pct(RISK.revise, 0)}`,
      guidance: `${marginPct.toFixed(0)}% margin to PAUSE - ${advice}.${restNote}`,
      verdict,
    };
  }
  return {
    action: 'PAUSE',
    reason: `Risk threshold reached (${pct(d.riskScore, 1)} ≥ ${pct(RISK.revise, 0)})${cause}`,
    guidance: `Pause suggested: simplify approach, break into smaller steps, or take a break. Coherence: ${d.coherence.toFixed(2)} (critical: ${RISK.coherenceCritical.toFixed(2)}).${restNote}`,
    verdict,
  };
}

/** Names the largest penalty term of Phi ([Sc]) so a high-risk reason says why. */
function largestPhiPenalty(s: EisvState, drift: Drift): string {
  const driftPart = ((): string => {
    const parts: [number, string][] = [
      [drift.complexity, 'complexity changed from its recent level'],
      [drift.calibration, 'confidence changed from its recent level'],
      [drift.coherence, 'coherence moved from its recent level'],
      [drift.stability, 'decision instability'],
    ];
    parts.sort((a, b) => b[0] - a[0]);
    return parts[0]?.[1] ?? 'drift';
  })();
  const penalties: [number, string][] = [
    [PHI.wEta * drift.normSq, `drift between updates (|d_eta|^2 = ${drift.normSq.toFixed(2)}: ${driftPart})`],
    [PHI.wS * s.S, `entropy (S = ${s.S.toFixed(2)})`],
    [PHI.wI * (1 - s.I), `low integrity (I = ${s.I.toFixed(2)})`],
    [PHI.wV * Math.abs(s.V), `E-I imbalance (V = ${s.V.toFixed(2)})`],
    [PHI.wE * (1 - s.E), `low energy (E = ${s.E.toFixed(2)})`],
  ];
  penalties.sort((a, b) => b[0] - a[0]);
  return penalties[0]?.[1] ?? 'state';
}

function freshBaselines(): DriftBaselines {
  return {
    confidence: DRIFT.baselineConfidence,
    coherence: DRIFT.baselineCoherence,
    complexity: DRIFT.baselineComplexity,
    samples: 0,
  };
}

/**
 * Validates a persisted state. Keys this module adds may be missing (a state written before them);
 * they then start fresh. Values are clipped into today's bounds.
 */
function readState(prev: DynamicsState): {
  eisv: EisvState;
  updates: number;
  lastUpdateMs: number | null;
  memory: ModelMemory;
} {
  if (prev === null || typeof prev !== 'object' || prev.eisv === null || typeof prev.eisv !== 'object') {
    throw new RangeError('dynamics.eisv must be an object {E, I, S, V}; reset the agent to start fresh.');
  }
  const eisv: EisvState = {
    E: clamp(finite(prev.eisv.E, 'dynamics.eisv.E'), ...BOUNDS.E),
    I: clamp(finite(prev.eisv.I, 'dynamics.eisv.I'), ...BOUNDS.I),
    S: clamp(finite(prev.eisv.S, 'dynamics.eisv.S'), ...BOUNDS.S),
    V: clamp(finite(prev.eisv.V, 'dynamics.eisv.V'), ...BOUNDS.V),
  };
  const updates = finite(prev.updates, 'dynamics.updates');
  if (!Number.isInteger(updates) || updates < 0) {
    throw new RangeError(`dynamics.updates must be a whole number >= 0; got ${updates}.`);
  }
  const lastUpdateMs = prev.lastUpdateMs === null ? null : finite(prev.lastUpdateMs, 'dynamics.lastUpdateMs');

  let baselines = freshBaselines();
  if (prev.baselines !== undefined) {
    const b = prev.baselines as Partial<Record<keyof DriftBaselines, unknown>>;
    if (b === null || typeof b !== 'object') throw new RangeError('dynamics.baselines must be an object.');
    baselines = {
      confidence: unitInterval(b.confidence, 'dynamics.baselines.confidence'),
      coherence: unitInterval(b.coherence, 'dynamics.baselines.coherence'),
      complexity: unitInterval(b.complexity, 'dynamics.baselines.complexity'),
      samples: Math.max(0, Math.floor(finite(b.samples, 'dynamics.baselines.samples'))),
    };
  }
  let vHistory: number[] = [];
  if (prev.vHistory !== undefined) {
    if (!Array.isArray(prev.vHistory)) throw new RangeError('dynamics.vHistory must be an array of numbers.');
    vHistory = (prev.vHistory as unknown[])
      .slice(-VOID.window)
      .map((v, i) => clamp(finite(v, `dynamics.vHistory[${i}]`), ...BOUNDS.V));
  }
  const load = prev.load === undefined ? 0 : unitInterval(prev.load, 'dynamics.load');
  return { eisv, updates, lastUpdateMs, memory: { baselines, vHistory, load } };
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${field} must be a finite number; got ${String(value)}.`);
  }
  return value;
}

function unitInterval(value: unknown, field: string): number {
  const n = finite(value, field);
  if (n < 0 || n > 1) throw new RangeError(`${field} must be between 0 and 1; got ${n}.`);
  return n;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function pct(x: number, digits: number): string {
  return `${(x * 100).toFixed(digits)}%`;
}
