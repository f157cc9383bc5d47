/**
 * Output schemas of the observability tools (./observability-tools), published as MCP
 * `outputSchema`: they document each field of the answers of src/core/observability-service.ts.
 * Loose objects: a client may rely on the fields named here, and more may follow.
 */
import { z } from 'zod';
import { ANOMALY_TYPES, SEVERITIES } from '../../core/observability';

const unit = (what: string) => z.number().describe(`${what}, 0..1`);
const verdict = z.enum(['safe', 'caution', 'high-risk']).nullable().describe('UNITARES verdict from phi (null when phi is unknown).');
const health = z.enum(['healthy', 'moderate', 'critical', 'unknown']).describe('void active or risk >= 0.60: critical; risk >= 0.35: moderate; else healthy; no state: unknown.');
const counts = z.record(z.string(), z.number().int());
const labels = z.looseObject({}).describe('What E, I, S and V mean (label, description, range).');

/** The numbers agents are compared on. */
export const comparableSchema = z.looseObject({
  E: unit('Energy'),
  I: unit('Information integrity'),
  S: unit('Entropy'),
  V: z.number().describe('Void: accumulated E-I imbalance, -1..1'),
  coherence: unit('Coherence C(V)'),
  risk_score: unit('Risk'),
  phi: z.number().nullable().describe('UNITARES objective Phi (null when unknown).'),
  verdict,
});

export const anomalySchema = z.looseObject({
  type: z.enum(ANOMALY_TYPES),
  severity: z.enum(SEVERITIES),
  timestamp: z.string().nullable().describe('ISO time of the update the finding is about (a void event: its onset).'),
  description: z.string(),
  context: z.record(z.string(), z.union([z.number(), z.boolean()])).describe('The numbers behind the finding (previous/current means and change; a void event: V, void_threshold, ratio, peak_ratio, updates_ago, still_active).'),
});

export const patternsSchema = z.looseObject({
  risk_trend: z.enum(['increasing', 'decreasing', 'stable']).describe('Mean of the last 5 updates against the 5 before; a change under 0.05 is stable.'),
  coherence_trend: z.enum(['increasing', 'decreasing', 'stable']),
  E_trend: z.enum(['increasing', 'decreasing', 'stable']),
  trend: z.enum(['improving', 'degrading', 'stable']).describe('improving: risk decreasing and coherence increasing; degrading: the opposite.'),
});

export const compareMeOutput = z.looseObject({
  agent_id: z.string(),
  my_metrics: comparableSchema,
  similar_agents: z
    .array(
      z.looseObject({
        agent_id: z.string(),
        similarity_score: z.number().max(1).describe('1 - mean of |dE|, |dI|, |dS|, |dcoherence|.'),
        metrics: comparableSchema,
        differences: z.looseObject({ E: z.number(), I: z.number(), S: z.number(), coherence: z.number() }).describe('The peer minus you.'),
        total_updates: z.number().int(),
        status: z.string(),
      }),
    )
    .describe('Up to 3 active or waiting_input agents within similarity_threshold on each of E, I and S, most similar first.'),
  insights: z.array(z.looseObject({ agent_id: z.string(), insights: z.array(z.string()), total_updates: z.number().int() })).describe('What similar agents do better (higher I, lower S, better phi, a safe verdict).'),
  message: z.string(),
  suggestion: z.string().optional(),
  similarity_threshold: z.number(),
  eisv_labels: labels,
});

const statistics = z.looseObject({ mean: z.number(), std: z.number().describe('Population standard deviation.'), min: z.number(), max: z.number(), range: z.number() });

export const compareAgentsOutput = z.looseObject({
  agent_count: z.number().int(),
  metrics_compared: z.array(z.string()),
  comparison: z.looseObject({
    agents: z.array(comparableSchema.extend({ agent_id: z.string(), status: z.string(), health_status: health, update_count: z.number().int() })),
    statistics: z.record(z.string(), statistics.nullable()),
    similarities: z.array(z.looseObject({ agents: z.array(z.string()), metric: z.string(), similarity: z.number(), description: z.string() })).describe('Pairs closer than half a standard deviation on a metric (first 10).'),
    outliers: z
      .array(z.looseObject({ agent_id: z.string(), metric: z.string(), value: z.number(), mean: z.number(), deviation: z.number(), z_score: z.number(), reason: z.string() }))
      .describe('Values more than 2 standard deviations from the mean (needs at least 6 agents to be possible).'),
  }),
  eisv_labels: labels,
});

export const detectAnomaliesOutput = z.looseObject({
  anomalies: z.array(anomalySchema.extend({ agent_id: z.string() })).describe('High severity first.'),
  summary: z.looseObject({ total_anomalies: z.number().int(), by_severity: z.looseObject({ high: z.number().int(), medium: z.number().int(), low: z.number().int() }), by_type: counts }),
  agents_scanned: z.number().int(),
  filters: z.looseObject({ agent_ids: z.array(z.string()).nullable(), anomaly_types: z.array(z.string()), min_severity: z.string() }),
  eisv_labels: labels,
});

const fleet = z.looseObject({ E: z.number().nullable(), I: z.number().nullable(), S: z.number().nullable(), V: z.number().nullable(), coherence: z.number().nullable(), risk_score: z.number().nullable() });

export const aggregateOutput = z.looseObject({
  aggregate: z.looseObject({
    total_agents: z.number().int(),
    agents_with_data: z.number().int().describe('Agents with at least one update (the means and medians are over these).'),
    total_updates: z.number().int(),
    mean_risk_score: z.number().nullable(),
    mean_coherence: z.number().nullable(),
    means: fleet,
    medians: fleet,
    by_status: counts,
    by_decision: counts.describe("Each agent's last decision: PROCEED, PAUSE, none (no update yet)."),
    health_breakdown: counts.optional().describe('healthy, moderate, critical, unknown.'),
  }),
  agent_ids: z.array(z.string()).nullable(),
  eisv_labels: labels,
});

export const systemHistoryOutput = z.looseObject({
  updates: z
    .array(
      z.looseObject({
        id: z.number().int(),
        agent_id: z.string(),
        at: z.string(),
        operation: z.string(),
        complexity: z.number(),
        confidence: z.number().nullable(),
        E: z.number(),
        I: z.number(),
        S: z.number(),
        V: z.number(),
        coherence: z.number(),
        risk_score: z.number(),
        action: z.enum(['PROCEED', 'PAUSE']),
        reason: z.string(),
        guidance: z.string().optional(),
      }),
    )
    .describe('Newest first.'),
  count: z.number().int(),
  agent_id: z.string().nullable(),
  format: z.enum(['json', 'csv']),
  csv: z.string().optional().describe('format csv: the page as CSV, header first (id,timestamp,agent_id,E,I,S,V,coherence,risk_score,decision,complexity,confidence,operation).'),
  next_cursor: z.string().optional().describe('Present when older updates follow: pass it back as cursor.'),
});

export const listAgentsOutput = z.looseObject({
  agents: z.array(z.looseObject({ agent_id: z.string(), status: z.string(), health_status: health })).describe('Most recently seen first.'),
  count: z.number().int(),
  total: z.number().int().describe('Every agent the server knows.'),
  summary: z.looseObject({
    total: z.number().int().describe('Agents matching the status filter.'),
    returned: z.number().int(),
    by_status: counts,
    by_health: counts,
  }),
  grouped: z.record(z.string(), z.array(z.looseObject({ agent_id: z.string() }))).optional().describe('grouped: true: the returned agents by status.'),
  touched_agents: z
    .array(
      z.object({
        agent_id: z.string(),
        first_seen_at: z.string(),
        last_seen_at: z.string(),
        tool_calls: z.number().int(),
        last_tool: z.string(),
        client_name: z.string().optional(),
      }),
    )
    .optional()
    .describe('include_touched: true: agents that called tools since the server started, most recent first.'),
});

export const observeOutput = z.looseObject({
  agent_id: z.string(),
  status: z.string(),
  eisv: z.looseObject({ E: z.number(), I: z.number(), S: z.number(), V: z.number() }),
  history: z.array(z.looseObject({ at: z.string() })),
  trend: z.looseObject({}),
  patterns: patternsSchema.optional(),
  anomalies: z.array(anomalySchema).optional().describe("This agent's risk spikes, coherence drops and void events."),
});
