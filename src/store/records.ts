/**
 * Row -> record mappings shared by the SQLite and the PostgreSQL stores: both keep the same column
 * names (src/store/migrations.ts, src/store/postgres/migrations.ts), so one mapping serves both and
 * the two stores cannot drift apart in what a record holds.
 */
import type { AgentPoint, AgentRecord, AgentSnapshot, AgentUpdateRecord } from '../core/repository';
import type { DynamicsState, GovernanceMetrics } from '../core/eisv';
import type { DiscoveryRecord, EdgeRecord, ScoredDiscovery } from '../knowledge/repository';
import type { TaskPriority, TaskRecord, TaskStatus } from '../tasks/repository';
import type { ObservedEvent, ObservedSession } from '../hooks/repository';
import type { ObservedSource } from '../hooks/source';
import { num, numOrNull, parseJson, str, strOrNull, type Row } from './rows';

/** The EISV columns (E, I, S, V, coherence, risk_score) of a history or snapshot row, in that key order. */
function eisvOf(row: Row): { E: number; I: number; S: number; V: number; coherence: number; riskScore: number } {
  return { E: num(row.E), I: num(row.I), S: num(row.S), V: num(row.V), coherence: num(row.coherence), riskScore: num(row.risk_score) };
}

/** An `agents` row as the core's record. */
export function toAgent(row: Row): AgentRecord {
  const action = strOrNull(row.last_action);
  return {
    id: str(row.id),
    displayName: strOrNull(row.display_name),
    clientName: strOrNull(row.client_name),
    clientVersion: strOrNull(row.client_version),
    createdAt: str(row.created_at),
    lastSeenAt: str(row.last_seen_at),
    dynamics: parseJson<DynamicsState | null>(row.dynamics, null),
    lastMetrics: parseJson<GovernanceMetrics | null>(row.last_metrics, null),
    lastDecision:
      action === 'PROCEED' || action === 'PAUSE'
        ? {
            action,
            reason: str(row.last_reason),
            ...(row.last_guidance != null ? { guidance: str(row.last_guidance) } : {}),
            at: str(row.last_decision_at),
          }
        : null,
    updateCount: num(row.update_count),
    status: str(row.status),
    meta: parseJson<Record<string, unknown>>(row.meta, {}),
  };
}

/** An `agent_updates` row as the core's record. */
export function toUpdate(row: Row): AgentUpdateRecord {
  return {
    id: num(row.id),
    agentId: str(row.agent_id),
    at: str(row.at),
    operation: str(row.operation),
    complexity: num(row.complexity),
    confidence: numOrNull(row.confidence),
    ...eisvOf(row),
    action: str(row.action) === 'PAUSE' ? 'PAUSE' : 'PROCEED',
    reason: str(row.reason),
    guidance: strOrNull(row.guidance),
    simulated: num(row.simulated) !== 0,
  };
}

/**
 * A row of the agents snapshot read (id, status, update_count, last_seen_at, last_action and the
 * latest metrics extracted from `last_metrics`: E, I, S, V, coherence, risk_score, phi, void_active)
 * as the core's snapshot; `metrics` is null before the first update (every extracted number is
 * NULL then). `voidActive` decodes the extracted JSON boolean, which each store returns its own way.
 */
export function toSnapshot(row: Row, voidActive: (value: unknown) => boolean): AgentSnapshot {
  const action = strOrNull(row.last_action);
  const metrics =
    row.E == null || row.I == null || row.S == null || row.V == null
      ? null
      : {
          ...eisvOf(row),
          phi: numOrNull(row.phi),
          voidActive: voidActive(row.void_active),
        };
  return {
    id: str(row.id),
    status: str(row.status),
    updateCount: num(row.update_count),
    lastSeenAt: str(row.last_seen_at),
    lastAction: action === 'PROCEED' || action === 'PAUSE' ? action : null,
    metrics,
  };
}

/** A history row as a chart point (agent_updates: id, at, E, I, S, V, coherence, risk_score, action). */
export function toPoint(row: Row): AgentPoint {
  return {
    id: num(row.id),
    at: str(row.at),
    ...eisvOf(row),
    action: str(row.action) === 'PAUSE' ? 'PAUSE' : 'PROCEED',
  };
}

/** A `discoveries` row (with its `tags` as a JSON array) as the knowledge graph's record. */
export function toDiscovery(row: Row): DiscoveryRecord {
  const tags = parseJson<unknown>(row.tags, []);
  return {
    seq: num(row.seq),
    id: str(row.id),
    agentId: str(row.agent_id),
    discoveryType: str(row.discovery_type),
    summary: str(row.summary),
    details: str(row.details),
    tags: Array.isArray(tags) ? tags.map(String) : [],
    status: str(row.status),
    severity: strOrNull(row.severity),
    createdAt: str(row.created_at),
    updatedAt: str(row.updated_at),
  };
}

/** A ranked discovery row: the record plus its `score` column. */
export function toScored(row: Row): ScoredDiscovery {
  return { ...toDiscovery(row), score: num(row.score) };
}

/** A `discovery_edges` row. */
export function toEdge(row: Row): EdgeRecord {
  return {
    fromId: str(row.from_id),
    toId: str(row.to_id),
    relation: str(row.relation),
    agentId: strOrNull(row.agent_id),
    createdAt: str(row.created_at),
  };
}

/** A `tasks` row (with its `tags` as a JSON array) as the queue's record. */
export function toTask(row: Row): TaskRecord {
  return {
    task_id: str(row.task_id),
    description: str(row.description),
    status: str(row.status) as TaskStatus,
    due_date: strOrNull(row.due_date),
    priority: str(row.priority) as TaskPriority,
    tags: parseJson<string[]>(row.tags, []),
    created_by: str(row.created_by),
    claimed_by: strOrNull(row.claimed_by),
    lease_expires_at: strOrNull(row.lease_expires_at),
    result: strOrNull(row.result),
    created_at: str(row.created_at),
    updated_at: str(row.updated_at),
  };
}

/** An `observed_sessions` row (a Codex session seen through hooks). */
export function toObservedSession(r: Row): ObservedSession {
  return {
    session_id: str(r.session_id),
    agent_id: str(r.agent_id),
    source: str(r.source) as ObservedSource,
    originator: strOrNull(r.originator),
    codex_version: strOrNull(r.codex_version),
    cwd: strOrNull(r.cwd),
    model: strOrNull(r.model),
    permission_mode: strOrNull(r.permission_mode),
    transcript_path: strOrNull(r.transcript_path),
    first_seen_at: str(r.first_seen_at),
    last_event_at: str(r.last_event_at),
    last_event: str(r.last_event),
    tool_calls: num(r.tool_calls),
    tool_calls_denied: num(r.tool_calls_denied),
    approvals: num(r.approvals),
    approvals_denied: num(r.approvals_denied),
    turns: num(r.turns),
  };
}

/** An `observed_events` row. */
export function toObservedEvent(r: Row): ObservedEvent {
  const d = strOrNull(r.decision);
  return {
    seq: num(r.seq),
    at: str(r.at),
    event: str(r.event),
    tool_name: strOrNull(r.tool_name),
    summary: strOrNull(r.summary),
    decision: d === 'allow' || d === 'deny' ? d : null,
    reason: strOrNull(r.reason),
  };
}
