/**
 * Input checks of the observability service (./observability-service) and the limits the tools'
 * schemas share (src/server/tools/observability-tools.ts): bad input is a ValidationError naming
 * the argument as callers spell it.
 */
import { ValidationError } from './errors';
import { GOVERNANCE_LIMITS } from './governance';
import { ANOMALY_TYPES, SEVERITY_RANK, type AnomalyType, type Severity } from './observability';

/** Limits the service checks; the tools' schemas (src/server/tools/observability-tools.ts) use the same numbers. */
export const OBSERVABILITY_LIMITS = {
  /** Agents one call may name (compare_agents, detect_anomalies, aggregate_metrics). */
  agentIds: 100,
  /** detect_anomalies without agent_ids scans this many active agents, most recently seen first. [V1: 50] */
  autoScan: 50,
  /** Most agents a fleet-wide read covers. */
  fleet: 10_000,
  /** Most updates one get_system_history page returns. */
  historyPage: 500,
} as const;

/** Metrics compare_agents can compare; the default is V1's handler default (phi is ours). */
export const COMPARE_METRICS = ['risk_score', 'coherence', 'E', 'I', 'S', 'V', 'phi'] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];

/** A trimmed agent id. @throws ValidationError naming `field` */
export function checkAgentId(field: string, value: unknown): string {
  if (typeof value !== 'string' || !value.trim()) throw new ValidationError(field, `${field} must be a non-empty agent id (see list_agents).`);
  const id = value.trim();
  if (id.length > GOVERNANCE_LIMITS.agentId) throw new ValidationError(field, `${field} is ${id.length} characters long; the limit is ${GOVERNANCE_LIMITS.agentId}.`);
  return id;
}

/** Trimmed, duplicates dropped (first kept). @throws ValidationError naming `agent_ids` */
export function checkAgentIds(values: readonly unknown[]): string[] {
  if (!Array.isArray(values)) throw new ValidationError('agent_ids', 'agent_ids must be an array of agent ids, e.g. ["agent_a", "agent_b"].');
  const ids = [...new Set(values.map((v) => checkAgentId('agent_ids', v)))];
  if (ids.length > OBSERVABILITY_LIMITS.agentIds) throw new ValidationError('agent_ids', `${ids.length} agent ids given; the limit is ${OBSERVABILITY_LIMITS.agentIds}.`);
  return ids;
}

/** @throws ValidationError naming `compare_metrics` */
export function checkMetrics(values: readonly string[]): CompareMetric[] {
  const bad = values.filter((v) => !(COMPARE_METRICS as readonly string[]).includes(v));
  if (bad.length || !values.length) {
    throw new ValidationError('compare_metrics', `compare_metrics must be a non-empty list of ${COMPARE_METRICS.join(', ')}${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}.`);
  }
  return [...new Set(values)] as CompareMetric[];
}

/** @throws ValidationError naming `anomaly_types` */
export function checkAnomalyTypes(values: readonly string[]): AnomalyType[] {
  const bad = values.filter((v) => !(ANOMALY_TYPES as readonly string[]).includes(v));
  if (bad.length || !values.length) {
    throw new ValidationError('anomaly_types', `anomaly_types must be a non-empty list of ${ANOMALY_TYPES.join(', ')}${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}.`);
  }
  return [...new Set(values)] as AnomalyType[];
}

/** @throws ValidationError naming `min_severity` */
export function checkSeverity(value: string): Severity {
  if (Object.hasOwn(SEVERITY_RANK, value)) return value as Severity;
  throw new ValidationError('min_severity', `min_severity must be low, medium or high (got ${JSON.stringify(value)}).`);
}

/** The error for agents that never reported an update, naming `field`. */
export function noState(field: string, ids: readonly string[], why?: string): ValidationError {
  return new ValidationError(field, `${ids.map((i) => `"${i}"`).join(', ')} ha${ids.length === 1 ? 's' : 've'} no EISV state yet (no process_agent_update so far)${why ? `; ${why}` : ''}.`);
}
