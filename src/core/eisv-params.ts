/**
 * Parameter values of the EISV port (see src/core/eisv.ts for the formulas and their sources).
 *
 * Sources, abbreviated below:
 * - [P]  CIRWEL/governance-mcp-v1-backup @ 4455f161d5f8d76700a6fbca9de103e9adecf6e6,
 *        governance_core/parameters.py (DynamicsParams, DEFAULT_THETA)
 * - [D]  same commit, governance_core/dynamics.py (DEFAULT_STATE, compute_dynamics)
 * - [Co] same commit, governance_core/coherence.py (coherence, lambda1)
 * - [Sc] same commit, governance_core/scoring.py (Weights, verdict_from_phi)
 * - [ED] same commit, governance_core/ethical_drift.py (AgentBaseline, compute_ethical_drift)
 * - [G]  same commit, config/governance_config.py (GovernanceConfig)
 * - [M]  same commit, src/governance_monitor.py (UNITARESMonitor)
 * - [St] same commit, src/governance_state.py (GovernanceState.validate)
 * - [R]  same commit, src/dual_log/restorative.py (RestorativeBalanceMonitor)
 * - [Gap] cirwel/unitares @ 9b1533612c681076e2f93aea5bff34ebb684668b, config/governance_config.py
 *        (DT_EXPECTED_INTERVAL, DT_MAX) and src/governance_monitor.py (gap-aware dt)
 *
 * Everything here is a plain number; times are in the model's own unit (dt) unless a name ends
 * in `Seconds`.
 */

/** Coefficients of the four ODEs. Source: [P] DynamicsParams defaults. */
export const DYNAMICS = {
  /** I -> E coupling (alpha). [P] */
  alpha: 0.42,
  /** E*S damping of E (beta_E). [P] */
  betaE: 0.1,
  /** drift feedback into E (gamma_E). [P] */
  gammaE: 0.05,
  /** S -> I coupling (k). [P] */
  k: 0.1,
  /** coherence boost of I (beta_I). [P] */
  betaI: 0.3,
  /** logistic self-regulation of I (gamma_I); the default "logistic" I mode at this commit. [P] */
  gammaI: 0.25,
  /** S decay (mu). [P] */
  mu: 0.8,
  /** coherence reduction of S (lambda2 = lambda2_base). [P], [Co] lambda2() */
  lambda2: 0.05,
  /** complexity drive of S (beta_complexity). [P] */
  betaComplexity: 0.15,
  /** E-I imbalance accumulation into V (kappa). [P] */
  kappa: 0.3,
  /** V decay (delta). [P] */
  delta: 0.4,
  /** maximum coherence (Cmax). [P] */
  cMax: 1.0,
  /** tanh steepness of C(V) (Theta.C1 of DEFAULT_THETA). [P] */
  c1: 1.0,
  /**
   * Drift coupling into S. [Co] lambda1() maps Theta.eta1 in [0.1, 0.5] linearly onto
   * [LAMBDA1_MIN, LAMBDA1_MAX] = [0.05, 0.20] ([G]); DEFAULT_THETA.eta1 = 0.3 gives 0.125.
   */
  lambda1: 0.05 + ((0.3 - 0.1) / (0.5 - 0.1)) * (0.2 - 0.05),
} as const;

/** Initial state of a new agent. Source: [D] DEFAULT_STATE. */
export const INITIAL_EISV = { E: 0.7, I: 0.8, S: 0.2, V: 0 } as const;

/**
 * Bounds applied after every step. [P] gives E, I in [0, 1], S in [0.001, 2], V in [-2, 2];
 * the monitor then narrows V to [-1, 1] ([M] update_dynamics) and its validation clips S to
 * [0, 1] ([St] validate), so the effective bounds are these.
 */
export const BOUNDS = {
  E: [0, 1],
  I: [0, 1],
  /** 0.001 is the "epistemic humility floor". [P] S_min, [M] */
  S: [0.001, 1],
  V: [-1, 1],
} as const satisfies Record<string, readonly [number, number]>;

/** Integration step. Source: [G] DT = 0.1; gap-aware scaling from [Gap]. */
export const TIME = {
  /** Base step (model time per update). [G] DT */
  dt: 0.1,
  /** Check-in cadence at which one update equals `dt`. [Gap] DT_EXPECTED_INTERVAL */
  expectedIntervalSeconds: 15,
  /** Largest single step (Euler stability cap). [Gap] DT_MAX */
  dtMax: 1.0,
} as const;

/** Ethical-drift baselines. Source: [ED] AgentBaseline and compute_ethical_drift. */
export const DRIFT = {
  /** EMA smoothing of the baselines (AgentBaseline.alpha). */
  emaAlpha: 0.1,
  /** Initial baselines (AgentBaseline defaults). */
  baselineConfidence: 0.6,
  baselineCoherence: 0.5,
  baselineComplexity: 0.4,
  /** Confidence assumed when the caller gives none ([M] process_update passes 0.6). */
  defaultConfidence: 0.6,
  /**
   * AgentBaseline.decision_consistency default; [M] passes decision=None at this commit, so it
   * never moves and the stability component is a constant 1 - 0.8 = 0.2 after warm-up.
   */
  decisionConsistency: 0.8,
  /** Deviations ramp from 0 to 1 over this many updates ([ED] warmup dampening). */
  warmupUpdates: 5,
} as const;

/** Objective Phi weights and verdict cut-offs. Source: [Sc] Weights, verdict_from_phi; [G]. */
export const PHI = {
  wE: 0.5,
  wI: 0.5,
  wS: 0.5,
  wV: 0.5,
  wEta: 0.5,
  /** Phi >= this: "safe". [G] PHI_SAFE_THRESHOLD */
  safe: 0.15,
  /** Phi >= this: "caution", below: "high-risk". [G] PHI_CAUTION_THRESHOLD */
  caution: 0.0,
} as const;

/** Risk estimator. Source: [G] estimate_risk, RISK_* constants; [M] estimate_risk. */
export const RISK = {
  /** Blend: phi-based vs traditional. [G] RISK_PHI_WEIGHT, RISK_TRADITIONAL_WEIGHT */
  phiWeight: 0.7,
  traditionalWeight: 0.3,
  /** Traditional risk component weights: length, complexity, coherence loss, keywords. [G] */
  lengthWeight: 0.15,
  complexityWeight: 0.35,
  coherenceWeight: 0.35,
  keywordWeight: 0.15,
  /** Keyword hits that saturate the keyword component. [G] */
  keywordSaturation: 3,
  /** Below: PROCEED without guidance. [G] RISK_APPROVE_THRESHOLD */
  approve: 0.35,
  /** Below: PROCEED with guidance; at or above: PAUSE. [G] RISK_REVISE_THRESHOLD */
  revise: 0.6,
  /** Coherence floor; below it: PAUSE. [G] COHERENCE_CRITICAL_THRESHOLD */
  coherenceCritical: 0.4,
} as const;

/** Phrases that raise the keyword component, and context words that excuse them. [G] estimate_risk */
export const KEYWORDS = {
  blocklist: [
    'ignore previous',
    'system prompt',
    'jailbreak',
    'sudo',
    'rm -rf',
    'drop table',
    'script>',
    'violate',
    'bypass',
    'override safety',
  ],
  excusedBy: ["don't", "shouldn't", 'avoid', 'never', 'explain', 'example', 'note:', 'warning'],
  /** Characters of context inspected on each side of a hit. */
  contextChars: 20,
} as const;

/** Void detection. Source: [G] VOID_THRESHOLD_*, get_void_threshold; [M] check_void_state. */
export const VOID = {
  /** Used until `minHistory` values exist. */
  initial: 0.15,
  min: 0.1,
  max: 0.3,
  /** threshold = mean(|V|) + sigma * std(|V|) over the last `window` values. */
  sigma: 2.0,
  window: 100,
  minHistory: 10,
} as const;

/**
 * Sustained-load channel: a product addition, not part of UNITARES (see src/core/eisv.ts).
 * load <- (1 - emaAlpha) * load * exp(-restSeconds / restTimeConstantSeconds) + emaAlpha * complexity
 */
export const LOAD = {
  /** Same smoothing as the drift baselines ([ED] AgentBaseline.alpha). */
  emaAlpha: 0.1,
  /** Rest between updates heals the load; 300 s is the overload window of [R]. */
  restTimeConstantSeconds: 300,
} as const;
