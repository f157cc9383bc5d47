/**
 * AgentRepository over PostgreSQL (tables `agents`, `agent_updates`). Several servers may update
 * one agent at once: {@link PgAgentRepository.updateAtomically} locks the agent's row from the
 * read of its dynamics to the commit, so two updates of one agent never both start from the same
 * state (no lost update). Within one process, reads and writes of one agent also run in call order
 * (the interface's promise: a read issued after a write sees it).
 */
import type { DynamicsState } from '../../core/eisv';
import type { AgentRecord, AgentRepository, AgentUpdateRecord, DecideUpdate, EnsureAgentInput, RecordUpdateInput } from '../../core/repository';
import { iso, parseJson, type Row } from '../rows';
import { toAgent, toUpdate } from '../records';
import { int, type PgPool, type Queryable } from './pool';
import { KeyedQueue } from './queue';

const UPSERT_SEEN = `
  INSERT INTO agents (id, client_name, client_version, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)
  ON CONFLICT (id) DO UPDATE SET
    last_seen_at = GREATEST(agents.last_seen_at, excluded.last_seen_at),
    client_name = coalesce(excluded.client_name, agents.client_name),
    client_version = coalesce(excluded.client_version, agents.client_version)
  RETURNING *, (xmax = 0) AS inserted`;

const RECORD_DECISION = `
  INSERT INTO agents (id, client_name, client_version, created_at, last_seen_at, dynamics, last_metrics, last_action, last_reason,
    last_guidance, last_decision_at, update_count, status) VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $4, 1, $10)
  ON CONFLICT (id) DO UPDATE SET
    last_seen_at = GREATEST(agents.last_seen_at, excluded.last_seen_at),
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
  RETURNING *`;

const INSERT_UPDATE = `INSERT INTO agent_updates (agent_id, at, operation, complexity, confidence, "E", "I", "S", "V", coherence, risk_score,
  action, reason, guidance, simulated) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0)`;

export class PgAgentRepository implements AgentRepository {
  /** Per agent id: reads and writes of one agent in call order within this process. */
  private readonly order = new KeyedQueue();

  constructor(private readonly db: PgPool) {}

  ensure(input: EnsureAgentInput): Promise<{ agent: AgentRecord; created: boolean }> {
    return this.order.run(input.id, async () => {
      const r = await this.db.query(UPSERT_SEEN, [input.id, input.clientName ?? null, input.clientVersion ?? null, iso(input.atMs)]);
      const row = r.rows[0] as Row & { inserted?: boolean };
      return { agent: toAgent(row), created: row.inserted === true };
    });
  }

  get(id: string): Promise<AgentRecord | undefined> {
    return this.order.after(id, async () => {
      const r = await this.db.query('SELECT * FROM agents WHERE id = $1', [id]);
      return r.rows[0] ? toAgent(r.rows[0] as Row) : undefined;
    });
  }

  dynamics(id: string): Promise<{ dynamics: DynamicsState | null } | undefined> {
    return this.order.after(id, async () => {
      const r = await this.db.query('SELECT dynamics FROM agents WHERE id = $1', [id]);
      const row = r.rows[0] as Row | undefined;
      return row ? { dynamics: parseJson<DynamicsState | null>(row.dynamics, null) } : undefined;
    });
  }

  async list(options: { limit: number; status?: string }): Promise<AgentRecord[]> {
    const r =
      options.status === undefined
        ? await this.db.query('SELECT * FROM agents ORDER BY last_seen_at DESC, id LIMIT $1', [options.limit])
        : await this.db.query('SELECT * FROM agents WHERE status = $1 ORDER BY last_seen_at DESC, id LIMIT $2', [options.status, options.limit]);
    return r.rows.map((row) => toAgent(row as Row));
  }

  recordUpdate(input: RecordUpdateInput): Promise<AgentRecord> {
    return this.order.run(input.agentId, () => this.db.transaction((c) => writeUpdate(c, input)));
  }

  /**
   * Read, decide and write one update of `agentId` as one transaction holding the agent's row lock
   * (`SELECT ... FOR UPDATE`; an unknown agent's row is inserted first so that it can be locked,
   * and removed again with the transaction if `decide` throws). Of two servers updating one agent
   * at once, the second reads the first one's result.
   * @returns the stored agent, whether it existed before, and the input `decide` returned
   */
  updateAtomically(agentId: string, atMs: number, decide: DecideUpdate): Promise<{ agent: AgentRecord; existed: boolean; input: RecordUpdateInput }> {
    return this.order.run(agentId, () =>
      this.db.transaction(async (c) => {
        const at = iso(atMs);
        const created = await c.query('INSERT INTO agents (id, created_at, last_seen_at) VALUES ($1, $2, $2) ON CONFLICT (id) DO NOTHING', [agentId, at]);
        const locked = await c.query('SELECT dynamics FROM agents WHERE id = $1 FOR UPDATE', [agentId]);
        const existed = created.rowCount === 0;
        const current = existed ? { dynamics: parseJson<DynamicsState | null>((locked.rows[0] as Row | undefined)?.dynamics, null) } : undefined;
        const input = await decide(current);
        return { agent: await writeUpdate(c, input), existed, input };
      }),
    );
  }

  async history(agentId: string, options: { limit: number }): Promise<AgentUpdateRecord[]> {
    if (options.limit <= 0) return [];
    return this.order.after(agentId, async () => {
      const r = await this.db.query('SELECT * FROM agent_updates WHERE agent_id = $1 ORDER BY id DESC LIMIT $2', [agentId, options.limit]);
      return r.rows.map((row) => toUpdate(row as Row)).reverse();
    });
  }

  async counts(): Promise<{ agents: number; updates: number }> {
    const r = await this.db.query('SELECT (SELECT count(*) FROM agents) AS agents, (SELECT count(*) FROM agent_updates) AS updates');
    const row = r.rows[0] as Row;
    return { agents: int(row.agents), updates: int(row.updates) };
  }
}

async function writeUpdate(c: Queryable, input: RecordUpdateInput): Promise<AgentRecord> {
  const at = iso(input.atMs);
  const { metrics, decision } = input;
  const r = await c.query(RECORD_DECISION, [
    input.agentId,
    input.clientName ?? null,
    input.clientVersion ?? null,
    at,
    JSON.stringify(input.dynamics),
    JSON.stringify(metrics),
    decision.action,
    decision.reason,
    decision.guidance ?? null,
    decision.action === 'PAUSE' ? 'paused' : 'active',
  ]);
  await c.query(INSERT_UPDATE, [
    input.agentId, at, input.operation, input.complexity, input.confidence ?? null,
    metrics.E, metrics.I, metrics.S, metrics.V, metrics.coherence, metrics.risk_score,
    decision.action, decision.reason, decision.guidance ?? null,
  ]);
  return { ...toAgent(r.rows[0] as Row), dynamics: input.dynamics, lastMetrics: metrics };
}
