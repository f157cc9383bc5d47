/** AgentRepository over node:sqlite (tables `agents` and `agent_updates`, see migrations.ts). */
import type { DatabaseSync } from 'node:sqlite';
import type { DynamicsState } from '../core/eisv';
import { durableWrite, StatementCache } from './sqlite';
import { iso, num, parseJson, type Row } from './rows';
import { toAgent, toUpdate } from './records';
import type { AgentRecord, AgentRepository, AgentUpdateRecord, EnsureAgentInput, RecordUpdateInput } from '../core/repository';
import { runAsPromise } from '../util/promise';

const UPSERT_SEEN = `
  INSERT INTO agents (id, client_name, client_version, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET
    last_seen_at = max(agents.last_seen_at, excluded.last_seen_at),
    client_name = coalesce(excluded.client_name, agents.client_name),
    client_version = coalesce(excluded.client_version, agents.client_version)`;

/**
 * Registers the agent if new (as UPSERT_SEEN does, client info included) and records its decision,
 * returning the stored row's small columns: one statement instead of upsert + update + re-read.
 * The dynamics and metrics are not returned: the caller just wrote them.
 */
const RECORD_DECISION = `
  INSERT INTO agents (id, client_name, client_version, created_at, last_seen_at, dynamics, last_metrics, last_action, last_reason,
    last_guidance, last_decision_at, update_count, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
  ON CONFLICT(id) DO UPDATE SET
    last_seen_at = max(agents.last_seen_at, excluded.last_seen_at),
    client_name = coalesce(excluded.client_name, agents.client_name),
    client_version = coalesce(excluded.client_version, agents.client_version),
    dynamics = excluded.dynamics,
    last_metrics = excluded.last_metrics,
    last_action = excluded.last_action,
    last_reason = excluded.last_reason,
    last_guidance = excluded.last_guidance,
    last_decision_at = excluded.last_decision_at,
    update_count = agents.update_count + 1,
    status = excluded.status
  RETURNING id, display_name, client_name, client_version, created_at, last_seen_at, last_action, last_reason, last_guidance,
    last_decision_at, update_count, status, meta`;

const INSERT_UPDATE = `INSERT INTO agent_updates (agent_id, at, operation, complexity, confidence, E, I, S, V, coherence, risk_score,
  action, reason, guidance, simulated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`;

export class SqliteAgentRepository implements AgentRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: DatabaseSync) {
    this.sql = new StatementCache(db);
  }

  async ensure(input: EnsureAgentInput): Promise<{ agent: AgentRecord; created: boolean }> {
    const at = iso(input.atMs);
    return durableWrite(this.db, () => {
      const created = this.sql.get('SELECT 1 FROM agents WHERE id = ?').get(input.id) === undefined;
      this.sql.get(UPSERT_SEEN).run(input.id, input.clientName ?? null, input.clientVersion ?? null, at, at);
      return { agent: this.read(input.id)!, created };
    });
  }

  get(id: string): Promise<AgentRecord | undefined> {
    return runAsPromise(() => this.read(id));
  }

  dynamics(id: string): Promise<{ dynamics: DynamicsState | null } | undefined> {
    return runAsPromise(() => {
      const row = this.sql.get('SELECT dynamics FROM agents WHERE id = ?').get(id);
      return row ? { dynamics: parseJson<DynamicsState | null>(row.dynamics, null) } : undefined;
    });
  }

  list(options: { limit: number; status?: string }): Promise<AgentRecord[]> {
    return runAsPromise(() => {
      const rows =
        options.status === undefined
          ? this.sql.get('SELECT * FROM agents ORDER BY last_seen_at DESC, id LIMIT ?').all(options.limit)
          : this.sql.get('SELECT * FROM agents WHERE status = ? ORDER BY last_seen_at DESC, id LIMIT ?').all(options.status, options.limit);
      return rows.map((row) => toAgent(row as Row));
    });
  }

  recordUpdate(input: RecordUpdateInput): Promise<AgentRecord> {
    const at = iso(input.atMs);
    const { metrics, decision } = input;
    return durableWrite(this.db, () => {
      const row = this.sql
        .get(RECORD_DECISION)
        .get(
          input.agentId,
          input.clientName ?? null,
          input.clientVersion ?? null,
          at,
          at,
          JSON.stringify(input.dynamics),
          JSON.stringify(metrics),
          decision.action,
          decision.reason,
          decision.guidance ?? null,
          at,
          decision.action === 'PAUSE' ? 'paused' : 'active',
        ) as Row;
      this.sql
        .get(INSERT_UPDATE)
        .run(
          input.agentId,
          at,
          input.operation,
          input.complexity,
          input.confidence ?? null,
          metrics.E,
          metrics.I,
          metrics.S,
          metrics.V,
          metrics.coherence,
          metrics.risk_score,
          decision.action,
          decision.reason,
          decision.guidance ?? null,
        );
      return { ...toAgent(row), dynamics: input.dynamics, lastMetrics: metrics };
    });
  }

  history(agentId: string, options: { limit: number }): Promise<AgentUpdateRecord[]> {
    return runAsPromise(() => {
      if (options.limit <= 0) return [];
      const rows = this.sql.get('SELECT * FROM agent_updates WHERE agent_id = ? ORDER BY id DESC LIMIT ?').all(agentId, options.limit);
      return rows.map((row) => toUpdate(row as Row)).reverse();
    });
  }

  counts(): Promise<{ agents: number; updates: number }> {
    return runAsPromise(() => {
      const row = this.sql.get('SELECT (SELECT count(*) FROM agents) AS agents, (SELECT count(*) FROM agent_updates) AS updates').get() as Row;
      return { agents: num(row.agents), updates: num(row.updates) };
    });
  }

  private read(id: string): AgentRecord | undefined {
    const row = this.sql.get('SELECT * FROM agents WHERE id = ?').get(id);
    return row ? toAgent(row) : undefined;
  }
}
