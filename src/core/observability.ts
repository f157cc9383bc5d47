/**
 * Observability formulas: how agents compare with each other, how an agent trends, and what in its
 * recent history is anomalous. Pure functions over agent snapshots and history points
 * (./repository); ./observability-service reads the store and calls them. Results use the tools'
 * snake_case wire names.
 *
 * Sources (V1 = CIRWEL/governance-mcp-v1-backup @ e162fb76320ed254cd10090b609024d821556ced):
 * - [O]  V1 src/mcp_handlers/observability.py:
 *        handle_compare_me_to_similar: peers with status active or waiting_input; similar when
 *          |dE|, |dI|, |dS| <= threshold (default 0.15); similarity_score =
 *          1 - (|dE| + |dI| + |dS| + |dcoherence|) / 4; top 3; insights when a peer's I is higher by
 *          > 0.05, S lower by > 0.05, phi higher by > 0.05, or its verdict is safe and ours is not.
 *          cirwel/unitares @ 3ae9bae4072c86c6e56459f0505e64f9fa4dc90f has the same logic.
 *        handle_compare_agents: per metric mean and population std (numpy defaults); pairs closer
 *          than 0.5 std are similar (similarity 1 - |a - b| / (mean + 0.001), first 10 kept);
 *          outliers lie more than 2 std from the mean (only possible from 6 agents on: with n
 *          values no z-score exceeds (n - 1) / sqrt(n)).
 *        handle_detect_anomalies: severity ranks low 0, medium 1, high 2; sorted high first;
 *          summary {total_anomalies, by_severity, by_type}.
 *        handle_aggregate_metrics: fleet means and counts (medians and by-status counts are ours).
 * - [P]  V1 src/pattern_analysis.py:
 *        analyze_trend: mean of the last 5 values against the 5 before (fewer: all earlier ones);
 *          |change| < 0.05 is "stable", else "increasing" / "decreasing"; under 2 values "stable".
 *        analyze_agent_patterns: trend "improving" when risk decreases and coherence increases,
 *          "degrading" for the opposite, else "stable".
 *        detect_anomalies_in_history: risk_spike = mean(last 3 risk) - mean(previous 3, or all
 *          earlier ones when fewer; none when there are none, so 4 points are the minimum),
 *          > 0.15 medium, > 0.25 high; coherence_drop (>= 5 points) = mean(coherence[-5:-3]) -
 *          mean(last 3), > 0.05 medium, > 0.10 high, context.change negated (a drop is negative).
 * - [H]  V1 src/health_thresholds.py HealthThresholds.get_health_status: void active -> critical;
 *        risk < 0.35 healthy, < 0.60 moderate, else critical; no state -> unknown (list_agents).
 * - [L]  V1 src/governance_monitor.py UNITARESMonitor.get_eisv_labels.
 * - [Sc] verdict from Phi: ./eisv-params PHI (V1 governance_core/scoring.py), as ./eisv computes it.
 * - void_event is ours: V1 and UNITARES list the type in detect_anomalies' schema but never emit
 *   it. Here it is the update at which the agent's void became active, by the exact condition
 *   ./eisv uses for its void PAUSE (|V| > the adaptive threshold over the last 100 values of V,
 *   V1 config/governance_config.py get_void_threshold), looked for among the agent's last
 *   {@link VOID_EVENT}.window updates; the latest onset there is reported (a void that began
 *   earlier and lasts is not). Severity: high when the largest |V| / threshold since the onset
 *   reaches {@link VOID_EVENT}.highRatio, else medium. Note: with v1's parameters and ordinary
 *   work V stays within +-0.09 while the threshold is at least 0.10, so real void events are rare.
 */
import { voidThresholdOf, type UnitaresVerdict } from './eisv';
import { PHI, VOID } from './eisv-params';
import type { AgentPoint, AgentSnapshot, SnapshotMetrics } from './repository';

export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** [O] severity_levels */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2 };

export const ANOMALY_TYPES = ['risk_spike', 'coherence_drop', 'void_event'] as const;
export type AnomalyType = (typeof ANOMALY_TYPES)[number];

export type HealthStatus = 'healthy' | 'moderate' | 'critical' | 'unknown';
export type TrendWord = 'increasing' | 'decreasing' | 'stable';

/** Statuses compare_me_to_similar compares with. [O] */
export const COMPARABLE_STATUSES: readonly string[] = ['active', 'waiting_input'];

/** [P] analyze_trend: window and the change below which a series is stable. */
export const TREND = { window: 5, stableBelow: 0.05 } as const;
/** [P] detect_anomalies_in_history thresholds (risk and coherence are 0..1). */
export const ANOMALY_THRESHOLDS = {
  riskSpike: { medium: 0.15, high: 0.25 },
  coherenceDrop: { medium: 0.05, high: 0.1 },
} as const;
/** [H] risk bounds of the health statuses. */
export const HEALTH = { healthyBelow: 0.35, moderateBelow: 0.6 } as const;
/** [O] insight margins and similarity defaults. */
export const SIMILARITY = { defaultThreshold: 0.15, top: 3, insightMargin: 0.05 } as const;
/** Our void_event (see the module comment). */
export const VOID_EVENT = { window: 10, highRatio: 1.5 } as const;
/** V values a void scan reads: the window, the update before it, and each one's 100-value threshold history. */
export const VOID_SCAN_VALUES = VOID_EVENT.window + VOID.window;

/** [L] */
export const EISV_LABELS = {
  E: { label: 'Energy', description: 'Energy (divergence/productive capacity)', user_friendly: 'How engaged and energized your work feels', range: '[0.0, 1.0]' },
  I: { label: 'Information Integrity', description: 'Information integrity', user_friendly: 'Consistency and coherence of your approach', range: '[0.0, 1.0]' },
  S: { label: 'Entropy', description: 'Entropy (disorder/uncertainty)', user_friendly: 'How scattered or fragmented things are', range: '[0.0, 1.0]' },
  V: { label: 'Void Integral', description: 'Void integral (E-I imbalance accumulation)', user_friendly: 'Accumulated strain from energy-integrity mismatch', range: '(-inf, +inf)' },
} as const;

/** One finding in an agent's recent history. */
export interface Anomaly {
  type: AnomalyType;
  severity: Severity;
  /** ISO time of the update it is about: the latest one (spike, drop) or the onset (void). */
  timestamp: string | null;
  description: string;
  context: Record<string, number | boolean>;
}

/** The numbers agents are compared on. */
export interface ComparableMetrics {
  E: number;
  I: number;
  S: number;
  V: number;
  coherence: number;
  risk_score: number;
  phi: number | null;
  verdict: UnitaresVerdict | null;
}

export interface SimilarAgent {
  agent_id: string;
  /** 1 - mean absolute difference of E, I, S and coherence; at most 1. */
  similarity_score: number;
  metrics: ComparableMetrics;
  /** Peer minus me. */
  differences: { E: number; I: number; S: number; coherence: number };
  total_updates: number;
  status: string;
}

export interface AgentInsights {
  agent_id: string;
  insights: string[];
  total_updates: number;
}

export interface Patterns {
  risk_trend: TrendWord;
  coherence_trend: TrendWord;
  E_trend: TrendWord;
  trend: 'improving' | 'degrading' | 'stable';
}

export interface MetricStatistics {
  mean: number;
  /** Population standard deviation. */
  std: number;
  min: number;
  max: number;
  range: number;
}

export interface Outlier {
  agent_id: string;
  metric: string;
  value: number;
  mean: number;
  /** value - mean */
  deviation: number;
  /** deviation / std, beyond +-2 */
  z_score: number;
  reason: string;
}

export interface SimilarPair {
  agents: [string, string];
  metric: string;
  similarity: number;
  description: string;
}

/** Verdict of a Phi value, as ./eisv decides it. [Sc] */
export function verdictOf(phi: number | null): UnitaresVerdict | null {
  if (phi === null || !Number.isFinite(phi)) return null;
  return phi >= PHI.safe ? 'safe' : phi >= PHI.caution ? 'caution' : 'high-risk';
}

export function comparableOf(m: SnapshotMetrics): ComparableMetrics {
  return { E: m.E, I: m.I, S: m.S, V: m.V, coherence: m.coherence, risk_score: m.riskScore, phi: m.phi, verdict: verdictOf(m.phi) };
}

/** [H] */
export function healthOf(m: Pick<SnapshotMetrics, 'riskScore' | 'voidActive'> | null): HealthStatus {
  if (!m) return 'unknown';
  if (m.voidActive) return 'critical';
  return m.riskScore < HEALTH.healthyBelow ? 'healthy' : m.riskScore < HEALTH.moderateBelow ? 'moderate' : 'critical';
}

/** [H] for an agent's stored metrics (list_agents). */
export function healthOfMetrics(m: { risk_score: number; void_active: boolean } | null): HealthStatus {
  return healthOf(m ? { riskScore: m.risk_score, voidActive: m.void_active } : null);
}

/**
 * Peers within `threshold` of `me` on E, I and S, best first (ties by agent id), at most `top`.
 * Skips `meId`, peers whose status is not comparable and peers with no state yet. [O]
 */
export function similarAgents(meId: string, me: ComparableMetrics, peers: readonly AgentSnapshot[], threshold: number, top: number = SIMILARITY.top): SimilarAgent[] {
  const found: SimilarAgent[] = [];
  for (const peer of peers) {
    if (peer.id === meId || !peer.metrics || !COMPARABLE_STATUSES.includes(peer.status)) continue;
    const p = comparableOf(peer.metrics);
    const dE = Math.abs(me.E - p.E);
    const dI = Math.abs(me.I - p.I);
    const dS = Math.abs(me.S - p.S);
    if (dE > threshold || dI > threshold || dS > threshold) continue;
    const dC = Math.abs(me.coherence - p.coherence);
    found.push({
      agent_id: peer.id,
      similarity_score: 1 - (dE + dI + dS + dC) / 4,
      metrics: p,
      differences: { E: p.E - me.E, I: p.I - me.I, S: p.S - me.S, coherence: p.coherence - me.coherence },
      total_updates: peer.updateCount,
      status: peer.status,
    });
  }
  found.sort((a, b) => b.similarity_score - a.similarity_score || (a.agent_id < b.agent_id ? -1 : a.agent_id > b.agent_id ? 1 : 0));
  return found.slice(0, top);
}

/** What each similar peer does better, in V1's words; peers with nothing to say are left out. [O] */
export function insightsFor(me: ComparableMetrics, similar: readonly SimilarAgent[]): AgentInsights[] {
  const m = SIMILARITY.insightMargin;
  // V1 reads a missing phi as 0.0.
  const myPhi = me.phi ?? 0;
  const out: AgentInsights[] = [];
  for (const s of similar) {
    const p = s.metrics;
    const phi = p.phi ?? 0;
    const insights: string[] = [];
    if (p.I > me.I + m) insights.push(`Higher Information Integrity (${p.I.toFixed(2)} vs ${me.I.toFixed(2)})`);
    if (p.S < me.S - m) insights.push(`Lower Entropy (${p.S.toFixed(2)} vs ${me.S.toFixed(2)})`);
    if (phi > myPhi + m) insights.push(`Better phi score (${phi.toFixed(2)} vs ${myPhi.toFixed(2)}) - closer to 'safe' verdict`);
    if (p.verdict === 'safe' && me.verdict !== 'safe') insights.push(`Achieved 'safe' verdict (you're at '${me.verdict ?? 'unknown'}')`);
    if (insights.length) out.push({ agent_id: s.agent_id, insights, total_updates: s.total_updates });
  }
  return out;
}

/** Mean, population std, min, max and range; null for no values. */
export function statisticsOf(values: readonly number[]): MetricStatistics | null {
  if (!values.length) return null;
  const m = mean(values);
  const std = Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { mean: m, std, min, max, range: max - min };
}

/**
 * compare_agents' analysis of one metric: its statistics, the pairs closer than half a std, and
 * the agents further than 2 std from the mean. [O]
 */
export function compareMetric(metric: string, values: ReadonlyArray<{ agent_id: string; value: number }>): { statistics: MetricStatistics | null; similarities: SimilarPair[]; outliers: Outlier[] } {
  const stats = statisticsOf(values.map((v) => v.value));
  if (!stats || values.length < 2) return { statistics: stats, similarities: [], outliers: [] };
  const similarities: SimilarPair[] = [];
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      const a = values[i]!;
      const b = values[j]!;
      if (Math.abs(a.value - b.value) < stats.std * 0.5) {
        similarities.push({ agents: [a.agent_id, b.agent_id], metric, similarity: 1 - Math.abs(a.value - b.value) / (stats.mean + 0.001), description: `Both show similar ${metric} patterns` });
      }
    }
  }
  const outliers: Outlier[] = [];
  for (const { agent_id, value } of values) {
    const deviation = value - stats.mean;
    if (stats.std > 0 && Math.abs(deviation) > 2 * stats.std) {
      outliers.push({ agent_id, metric, value, mean: stats.mean, deviation, z_score: deviation / stats.std, reason: `${metric} is ${value > stats.mean ? 'above' : 'below'} average` });
    }
  }
  return { statistics: stats, similarities, outliers };
}

/** [P] analyze_trend */
export function trendOf(values: readonly number[], window: number = TREND.window): TrendWord {
  if (values.length < 2) return 'stable';
  const w = Math.min(window, values.length);
  const recent = values.slice(-w);
  const older = values.length >= 2 * w ? values.slice(-2 * w, -w) : values.slice(0, -w);
  if (!older.length) return 'stable';
  const change = mean(recent) - mean(older);
  if (Math.abs(change) < TREND.stableBelow) return 'stable';
  return change > 0 ? 'increasing' : 'decreasing';
}

/** Trends of risk, coherence and E over the points (oldest first; the last 10 suffice). [P] */
export function patternsOf(points: readonly AgentPoint[]): Patterns {
  const risk_trend = trendOf(points.map((p) => p.riskScore));
  const coherence_trend = trendOf(points.map((p) => p.coherence));
  const E_trend = trendOf(points.map((p) => p.E));
  const trend = risk_trend === 'decreasing' && coherence_trend === 'increasing' ? 'improving' : risk_trend === 'increasing' && coherence_trend === 'decreasing' ? 'degrading' : 'stable';
  return { risk_trend, coherence_trend, E_trend, trend };
}

/** [P] risk spike over the points (oldest first); null when none or too few points. */
export function riskSpike(points: readonly AgentPoint[]): Anomaly | null {
  if (points.length < 3) return null;
  const risk = points.map((p) => p.riskScore);
  const recent = risk.slice(-3);
  const older = risk.length >= 6 ? risk.slice(-6, -3) : risk.slice(0, -3);
  if (!older.length) return null;
  const before = mean(older);
  const now = mean(recent);
  const change = now - before;
  const t = ANOMALY_THRESHOLDS.riskSpike;
  if (!(change > t.medium)) return null;
  return {
    type: 'risk_spike',
    severity: change > t.high ? 'high' : 'medium',
    timestamp: points[points.length - 1]!.at,
    description: `Risk increased from ${before.toFixed(2)} to ${now.toFixed(2)} (${change.toFixed(2)} change)`,
    context: { previous_risk: before, current_risk: now, change },
  };
}

/** [P] coherence drop over the points (oldest first); null when none or fewer than 5 points. */
export function coherenceDrop(points: readonly AgentPoint[]): Anomaly | null {
  if (points.length < 5) return null;
  const coherence = points.map((p) => p.coherence);
  const before = mean(coherence.slice(-5, -3));
  const now = mean(coherence.slice(-3));
  const drop = before - now;
  const t = ANOMALY_THRESHOLDS.coherenceDrop;
  if (!(drop > t.medium)) return null;
  return {
    type: 'coherence_drop',
    severity: drop > t.high ? 'high' : 'medium',
    timestamp: points[points.length - 1]!.at,
    description: `Coherence dropped from ${before.toFixed(2)} to ${now.toFixed(2)} (${drop.toFixed(2)} change)`,
    context: { previous_coherence: before, current_coherence: now, change: -drop },
  };
}

/**
 * The void threshold ./eisv applies after an update whose V history (oldest first, this update's
 * V last) is `values`: 0.15 until 10 values, then mean(|V|) + 2 std(|V|) over the last 100,
 * clamped to 0.10..0.30 (V1 config/governance_config.py get_void_threshold): eisv.ts voidThresholdOf itself.
 */
export function voidThreshold(values: readonly number[]): number {
  return voidThresholdOf(values.slice(-VOID.window));
}

/**
 * Our void_event (module comment): the latest update among the last {@link VOID_EVENT}.window at
 * which the void became active.
 * @param V values of V, oldest first, the last one the agent's latest update's
 * @param times ISO times of the latest updates, aligned with the end of `V` (at least the window)
 * @param complete true when `V` is the agent's whole history (so V[0] is its first update); when
 *   false, only updates with 100 earlier values in `V` are judged (read {@link VOID_SCAN_VALUES})
 */
export function voidEvent(V: readonly number[], times: readonly string[], complete: boolean): Anomaly | null {
  const n = V.length;
  const first = Math.max(n - Math.min(VOID_EVENT.window, times.length), complete ? 0 : VOID.window);
  if (first >= n) return null;
  const threshold = (i: number) => voidThreshold(V.slice(0, i + 1));
  const active = (i: number) => Math.abs(V[i]!) > threshold(i);
  let onset = -1;
  for (let i = n - 1; i >= first && onset < 0; i--) {
    if (active(i) && (i === 0 || !active(i - 1))) onset = i;
  }
  if (onset < 0) return null;
  let peak = 0;
  for (let i = onset; i < n; i++) if (active(i)) peak = Math.max(peak, Math.abs(V[i]!) / threshold(i));
  const thr = threshold(onset);
  const ratio = Math.abs(V[onset]!) / thr;
  const ago = n - 1 - onset;
  const stillActive = active(n - 1);
  return {
    type: 'void_event',
    severity: peak >= VOID_EVENT.highRatio ? 'high' : 'medium',
    timestamp: times[times.length - n + onset] ?? null,
    description:
      `Void became active: |V| = ${Math.abs(V[onset]!).toFixed(3)} > threshold ${thr.toFixed(3)} (${ratio.toFixed(2)}x), ` +
      `${ago === 0 ? 'at the latest update' : `${ago} update${ago === 1 ? '' : 's'} ago`}; ${stillActive ? 'still active' : 'since recovered'}`,
    context: { V: V[onset]!, void_threshold: thr, ratio, peak_ratio: peak, updates_ago: ago, still_active: stillActive },
  };
}

/** {total_anomalies, by_severity, by_type} of a list of anomalies. [O] */
export function summarizeAnomalies(anomalies: readonly Anomaly[]): { total_anomalies: number; by_severity: Record<Severity, number>; by_type: Record<string, number> } {
  const by_severity: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  const by_type: Record<string, number> = {};
  for (const a of anomalies) {
    by_severity[a.severity] += 1;
    by_type[a.type] = (by_type[a.type] ?? 0) + 1;
  }
  return { total_anomalies: anomalies.length, by_severity, by_type };
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Middle value (mean of the two middle ones for an even count); null for no values. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** How many items fall in each key, starting from `keys` at 0 (so they are always present). */
export function countBy<T>(items: readonly T[], keyOf: (item: T) => string, keys: readonly string[] = []): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
  for (const item of items) {
    const k = keyOf(item);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
