/**
 * The observability service behind `compare_me_to_similar`, `compare_agents`, `detect_anomalies`,
 * `aggregate_metrics`, `get_system_history` and the patterns, anomalies and summaries that
 * `observe_agent` and `list_agents` add: it validates input, reads agents through the store's
 * fleet-wide reads (./repository AgentReadRepository) and applies the formulas of ./observability.
 * Results are the tools' snake_case wire shapes.
 */
import { NotFoundError, ValidationError } from './errors';
import type { AgentReadRepository, AgentSeries, AgentSnapshot, AgentUpdateRecord } from './repository';
import { historyPoint, type HistoryPoint } from './governance';
import {
  ANOMALY_TYPES,
  COMPARABLE_STATUSES,
  EISV_LABELS,
  SEVERITY_RANK,
  SIMILARITY,
  VOID_SCAN_VALUES,
  VOID_EVENT,
  comparableOf,
  compareMetric,
  coherenceDrop,
  countBy,
  healthOf,
  insightsFor,
  mean,
  median,
  patternsOf,
  riskSpike,
  similarAgents,
  summarizeAnomalies,
  voidEvent,
  type AgentInsights,
  type Anomaly,
  type AnomalyType,
  type ComparableMetrics,
  type HealthStatus,
  type MetricStatistics,
  type Outlier,
  type Patterns,
  type Severity,
  type SimilarAgent,
  type SimilarPair,
} from './observability';
import { decodeCursor, encodeCursor, fingerprint } from '../knowledge/cursor';
import { OBSERVABILITY_LIMITS, checkAgentId, checkAgentIds, checkAnomalyTypes, checkMetrics, checkSeverity, noState, type CompareMetric } from './observability-checks';

export { COMPARE_METRICS, OBSERVABILITY_LIMITS, type CompareMetric } from './observability-checks';
export const DEFAULT_COMPARE_METRICS: readonly CompareMetric[] = ['risk_score', 'coherence', 'E', 'I', 'S', 'V'];
export const DEFAULT_ANOMALY_TYPES: readonly AnomalyType[] = ['risk_spike', 'coherence_drop'];
/** Statuses list_agents' summary always counts (V1's lifecycle statuses), others as they appear. */
export const LIFECYCLE_STATUSES = ['active', 'waiting_input', 'paused', 'archived', 'deleted'] as const;
const HEALTH_KEYS: readonly HealthStatus[] = ['healthy', 'moderate', 'critical', 'unknown'];

export interface CompareMeResult {
  agent_id: string;
  my_metrics: ComparableMetrics;
  /** Up to 3, most similar first. */
  similar_agents: SimilarAgent[];
  insights: AgentInsights[];
  message: string;
  /** Present when no agent is similar. */
  suggestion?: string;
  similarity_threshold: number;
  eisv_labels: typeof EISV_LABELS;
}

export interface ComparedAgent extends ComparableMetrics {
  agent_id: string;
  status: string;
  health_status: HealthStatus;
  update_count: number;
}

export interface CompareAgentsResult {
  agent_count: number;
  metrics_compared: CompareMetric[];
  comparison: {
    agents: ComparedAgent[];
    /** Per metric; null when no agent has a value. */
    statistics: Record<string, MetricStatistics | null>;
    /** Pairs closer than half a standard deviation, first 10. */
    similarities: SimilarPair[];
    /** Values more than 2 standard deviations from the mean. */
    outliers: Outlier[];
  };
  eisv_labels: typeof EISV_LABELS;
}

export type AgentAnomaly = Anomaly & { agent_id: string };

export interface DetectAnomaliesResult {
  /** High severity first. */
  anomalies: AgentAnomaly[];
  summary: ReturnType<typeof summarizeAnomalies>;
  agents_scanned: number;
  filters: { agent_ids: string[] | null; anomaly_types: AnomalyType[]; min_severity: Severity };
  eisv_labels: typeof EISV_LABELS;
}

type Fleet<T> = { E: T; I: T; S: T; V: T; coherence: T; risk_score: T };

export interface AggregateResult {
  aggregate: {
    total_agents: number;
    /** Agents that reported at least one update. */
    agents_with_data: number;
    total_updates: number;
    /** null without data (as every mean and median). */
    mean_risk_score: number | null;
    mean_coherence: number | null;
    means: Fleet<number | null>;
    medians: Fleet<number | null>;
    by_status: Record<string, number>;
    /** Each agent's last decision (`none` before its first update). */
    by_decision: Record<string, number>;
    health_breakdown?: Record<string, number>;
  };
  agent_ids: string[] | null;
  eisv_labels: typeof EISV_LABELS;
}

/** One update in the system history: an agent's history point with the row id and the agent. */
export interface SystemHistoryItem extends HistoryPoint {
  id: number;
  agent_id: string;
}

export interface SystemHistoryResult {
  /** Newest first. */
  updates: SystemHistoryItem[];
  count: number;
  agent_id: string | null;
  format: 'json' | 'csv';
  /** The page as CSV (header line first) when format is csv. */
  csv?: string;
  /** Present when older updates follow; pass it back as `cursor`. */
  next_cursor?: string;
}

export interface FleetSummary {
  /** Agents matching the status filter. */
  total: number;
  returned: number;
  by_status: Record<string, number>;
  by_health: Record<string, number>;
}

export class ObservabilityService {
  constructor(private readonly store: { readonly agentReads: AgentReadRepository }) {}

  /**
   * Agents whose E, I and S are each within `threshold` of this agent's, most similar first (up to
   * 3), with what they do better. Compares with active and waiting_input agents that have state.
   * @param threshold 0..1, default 0.15
   * @throws ValidationError (`agent_id` never updated, `similarity_threshold`); NotFoundError (agent_id)
   */
  async compareMeToSimilar(agentId: string, threshold: number = SIMILARITY.defaultThreshold): Promise<CompareMeResult> {
    const id = checkAgentId('agent_id', agentId);
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
      throw new ValidationError('similarity_threshold', `similarity_threshold must be a number from 0 to 1 (got ${JSON.stringify(threshold)}); 0.15 means within 0.15 on each of E, I and S.`);
    }
    const me = (await this.existing([id]))[0]!;
    if (!me.metrics) throw noState('agent_id', [id]);
    const mine = comparableOf(me.metrics);
    const peers = await this.store.agentReads.snapshots({
      statuses: COMPARABLE_STATUSES,
      limit: OBSERVABILITY_LIMITS.fleet,
      anyOrder: true,
      // A superset of the similar ones, read from the index; similarAgents applies the exact test.
      near: { E: mine.E, I: mine.I, S: mine.S, within: threshold },
    });
    const similar = similarAgents(id, mine, peers, threshold);
    return {
      agent_id: id,
      my_metrics: mine,
      similar_agents: similar,
      insights: insightsFor(mine, similar),
      message: similar.length ? `Found ${similar.length} similar agent(s). Here's how you compare:` : 'No similar agents found (within similarity threshold)',
      ...(similar.length ? {} : { suggestion: 'Try a larger similarity_threshold, or compare_agents with specific agent_ids.' }),
      similarity_threshold: threshold,
      eisv_labels: EISV_LABELS,
    };
  }

  /**
   * The agents' metrics side by side, per-metric statistics, similar pairs and > 2 sigma outliers.
   * @throws ValidationError (`agent_ids`: fewer than 2 distinct, too many, or fewer than 2 with
   *   state; `compare_metrics`); NotFoundError naming the unknown ids
   */
  async compareAgents(agentIds: readonly string[], metrics: readonly string[] = DEFAULT_COMPARE_METRICS): Promise<CompareAgentsResult> {
    const ids = checkAgentIds(agentIds);
    if (ids.length < 2) throw new ValidationError('agent_ids', 'agent_ids must name at least 2 different agents to compare (see list_agents).');
    const wanted = checkMetrics(metrics);
    const snapshots = await this.existing(ids);
    const withState = snapshots.filter((s) => s.metrics);
    if (withState.length < 2) throw noState('agent_ids', snapshots.filter((s) => !s.metrics).map((s) => s.id), 'at least 2 agents with state are needed');
    const agents: ComparedAgent[] = withState.map((s) => ({ agent_id: s.id, status: s.status, health_status: healthOf(s.metrics), update_count: s.updateCount, ...comparableOf(s.metrics!) }));
    const statistics: Record<string, MetricStatistics | null> = {};
    const similarities: SimilarPair[] = [];
    const outliers: Outlier[] = [];
    for (const metric of wanted) {
      const values = agents.flatMap((a) => (a[metric] === null ? [] : [{ agent_id: a.agent_id, value: a[metric] }]));
      const r = compareMetric(metric, values);
      statistics[metric] = r.statistics;
      similarities.push(...r.similarities);
      outliers.push(...r.outliers);
    }
    return { agent_count: agents.length, metrics_compared: wanted, comparison: { agents, statistics, similarities: similarities.slice(0, 10), outliers }, eisv_labels: EISV_LABELS };
  }

  /**
   * Risk spikes, coherence drops and void events in the recent history of the named agents (or of
   * the 50 most recently seen active agents), at `minSeverity` or above, high severity first.
   * @throws ValidationError (`agent_ids`, `anomaly_types`, `min_severity`); NotFoundError naming unknown ids
   */
  async detectAnomalies(options: { agentIds?: readonly string[]; types?: readonly string[]; minSeverity?: string } = {}): Promise<DetectAnomaliesResult> {
    const types = checkAnomalyTypes(options.types ?? DEFAULT_ANOMALY_TYPES);
    const minSeverity = checkSeverity(options.minSeverity ?? 'medium');
    const named = options.agentIds && options.agentIds.length ? checkAgentIds(options.agentIds) : null;
    const ids = named ? (await this.existing(named)).map((s) => s.id) : (await this.store.agentReads.snapshots({ statuses: ['active'], limit: OBSERVABILITY_LIMITS.autoScan })).map((s) => s.id);
    const anomalies: AgentAnomaly[] = [];
    for (const id of ids) {
      for (const a of await this.agentAnomalies(id, types)) {
        if (SEVERITY_RANK[a.severity] >= SEVERITY_RANK[minSeverity]) anomalies.push({ ...a, agent_id: id });
      }
    }
    // Array.prototype.sort is stable: within a severity, agents keep their scan order.
    anomalies.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
    return { anomalies, summary: summarizeAnomalies(anomalies), agents_scanned: ids.length, filters: { agent_ids: named, anomaly_types: types, min_severity: minSeverity }, eisv_labels: EISV_LABELS };
  }

  /**
   * One agent's trends (last 5 updates against the 5 before) and its anomalies of every type.
   * Does not check that the agent exists (an unknown one has no history: stable, none).
   */
  async agentPatterns(agentId: string): Promise<{ patterns: Patterns; anomalies: Anomaly[] }> {
    const series = await this.store.agentReads.recentSeries(agentId, { points: VOID_EVENT.window, vValues: VOID_SCAN_VALUES });
    return { patterns: patternsOf(series.points), anomalies: detectIn(series, ANOMALY_TYPES) };
  }

  /**
   * Fleet means and medians of E, I, S, V, coherence and risk, counts by status, by last decision
   * and by health, over the named agents or every agent.
   * @throws ValidationError (`agent_ids`); NotFoundError naming unknown ids
   */
  async aggregateMetrics(options: { agentIds?: readonly string[]; includeHealthBreakdown?: boolean } = {}): Promise<AggregateResult> {
    const named = options.agentIds && options.agentIds.length ? checkAgentIds(options.agentIds) : null;
    const agents = named ? await this.existing(named) : await this.store.agentReads.snapshots({ limit: OBSERVABILITY_LIMITS.fleet, anyOrder: true });
    const withData = agents.flatMap((a) => (a.metrics ? [a.metrics] : []));
    const pick = (f: (m: (typeof withData)[number]) => number) => withData.map(f);
    const columns: Fleet<number[]> = { E: pick((m) => m.E), I: pick((m) => m.I), S: pick((m) => m.S), V: pick((m) => m.V), coherence: pick((m) => m.coherence), risk_score: pick((m) => m.riskScore) };
    const fleet = (f: (values: number[]) => number | null): Fleet<number | null> => ({
      E: f(columns.E),
      I: f(columns.I),
      S: f(columns.S),
      V: f(columns.V),
      coherence: f(columns.coherence),
      risk_score: f(columns.risk_score),
    });
    const means = fleet((v) => (v.length ? mean(v) : null));
    return {
      aggregate: {
        total_agents: agents.length,
        agents_with_data: withData.length,
        total_updates: agents.reduce((n, a) => n + a.updateCount, 0),
        mean_risk_score: means.risk_score,
        mean_coherence: means.coherence,
        means,
        medians: fleet(median),
        by_status: countBy(agents, (a) => a.status),
        by_decision: countBy(agents, (a) => a.lastAction ?? 'none', ['PROCEED', 'PAUSE', 'none']),
        ...(options.includeHealthBreakdown === false ? {} : { health_breakdown: countBy(agents, (a) => healthOf(a.metrics), HEALTH_KEYS) }),
      },
      agent_ids: named,
      eisv_labels: EISV_LABELS,
    };
  }

  /**
   * Recent updates across agents (or of one), newest first, paged with `cursor`.
   * @param options.limit 1..500, default 50
   * @throws ValidationError (`limit`, `cursor`, `format`, `agent_id`); NotFoundError (agent_id)
   */
  async systemHistory(options: { agentId?: string; limit?: number; cursor?: string; format?: string } = {}): Promise<SystemHistoryResult> {
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > OBSERVABILITY_LIMITS.historyPage) {
      throw new ValidationError('limit', `limit must be an integer from 1 to ${OBSERVABILITY_LIMITS.historyPage} (got ${limit}).`);
    }
    const format = options.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new ValidationError('format', `format must be "json" or "csv" (got ${JSON.stringify(format)}).`);
    const agentId = options.agentId === undefined ? undefined : (await this.existing([checkAgentId('agent_id', options.agentId)]))[0]!.id;
    const fp = fingerprint(['system_history', agentId ?? null]);
    const beforeId = options.cursor ? (decodeCursor(options.cursor, 'recent', fp) as { beforeSeq: number }).beforeSeq : undefined;
    // One extra row tells whether another page exists.
    const rows = await this.store.agentReads.updates({ limit: limit + 1, beforeId, agentId });
    const page = rows.slice(0, limit).map(historyItem);
    const last = page[page.length - 1];
    return {
      updates: page,
      count: page.length,
      agent_id: agentId ?? null,
      format,
      ...(format === 'csv' ? { csv: toCsv(page) } : {}),
      ...(rows.length > limit && last ? { next_cursor: encodeCursor({ mode: 'recent', beforeSeq: last.id }, fp) } : {}),
    };
  }

  /**
   * list_agents' summary: agents matching `status` (every agent when absent) counted by status
   * (V1's lifecycle statuses always present) and by health.
   */
  async fleetSummary(options: { status?: string; returned: number }): Promise<FleetSummary> {
    const agents = await this.store.agentReads.snapshots({ ...(options.status ? { statuses: [options.status] } : {}), limit: OBSERVABILITY_LIMITS.fleet, anyOrder: true });
    return {
      total: agents.length,
      returned: options.returned,
      by_status: countBy(agents, (a) => a.status, LIFECYCLE_STATUSES),
      by_health: countBy(agents, (a) => healthOf(a.metrics), HEALTH_KEYS),
    };
  }

  private async agentAnomalies(agentId: string, types: readonly AnomalyType[]): Promise<Anomaly[]> {
    const wantsVoid = types.includes('void_event');
    // risk_spike reads 6 points, coherence_drop 5, a void scan the times of its window.
    const series = await this.store.agentReads.recentSeries(agentId, { points: wantsVoid ? VOID_EVENT.window : 6, vValues: wantsVoid ? VOID_SCAN_VALUES : 0 });
    return detectIn(series, types);
  }

  /** Snapshots of `ids` in that order. @throws NotFoundError naming every unknown id */
  private async existing(ids: readonly string[]): Promise<AgentSnapshot[]> {
    const found = new Map((await this.store.agentReads.snapshots({ ids, limit: ids.length })).map((s) => [s.id, s]));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) {
      throw new NotFoundError('agent', missing.join(', '), `No agent with agent_id ${missing.map((m) => `"${m}"`).join(', ')} is known. An agent appears after its first process_agent_update; see list_agents.`);
    }
    return ids.map((id) => found.get(id)!);
  }
}

function detectIn(series: AgentSeries, types: readonly AnomalyType[]): Anomaly[] {
  const out: Anomaly[] = [];
  if (types.includes('risk_spike')) pushIf(out, riskSpike(series.points));
  if (types.includes('coherence_drop')) pushIf(out, coherenceDrop(series.points));
  if (types.includes('void_event')) pushIf(out, voidEvent(series.V, series.points.map((p) => p.at), series.V.length < VOID_SCAN_VALUES));
  return out;
}

function pushIf(list: Anomaly[], a: Anomaly | null): void {
  if (a) list.push(a);
}

function historyItem(row: AgentUpdateRecord): SystemHistoryItem {
  return { id: row.id, agent_id: row.agentId, ...historyPoint(row) };
}

const CSV_COLUMNS = ['id', 'timestamp', 'agent_id', 'E', 'I', 'S', 'V', 'coherence', 'risk_score', 'decision', 'complexity', 'confidence', 'operation'] as const;

/** RFC 4180 CSV, newest first like the JSON page. */
function toCsv(items: readonly SystemHistoryItem[]): string {
  const cell = (v: string | number | null) => {
    const text = v === null ? '' : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const rows = items.map((u) => [u.id, u.at, u.agent_id, u.E, u.I, u.S, u.V, u.coherence, u.risk_score, u.action, u.complexity, u.confidence, u.operation].map(cell).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}
