/**
 * AgentRepository over PostgreSQL (tables `agents`, `agent_updates`). Several servers may update
 * one agent at once: {@link PgAgentRepository.updateAtomically} writes an update only if the agent
 * is still at the version (`update_count`) its decision was computed from, so two updates of one
 * agent never both start from the same state (no lost update). Within one process, reads and writes
 * of one agent also run in call order (the interface's promise: a read issued after a write sees it).
 */
import type { DynamicsState } from '../../core/eisv';
import type { AgentRecord, AgentRepository, AgentUpdateRecord, DecideUpdate, EnsureAgentInput, RecordUpdateInput } from '../../core/repository';
import { iso, parseJson, type Row } from '../rows';
import { toAgent, toUpdate } from '../records';
import { int, type PgPool, type Queryable } from './pool';
import { AgentStateCache, STATE_CACHE_ENTRIES, type AgentConditions, type KnownState } from './agent-state-cache';
import { conditionOf } from './dialectic';
import { complexityCap } from '../../dialectic/limits';
import { KeyedQueue } from './queue';

const UPSERT_SEEN = `
  INSERT INTO agents (id, client_name, client_version, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)
  ON CONFLICT (id) DO UPDATE SET
    last_seen_at = GREATEST(agents.last_seen_at, excluded.last_seen_at),
    client_name = coalesce(excluded.client_name, agents.client_name),
    client_version = coalesce(excluded.client_version, agents.client_version)
  RETURNING *, (xmax = 0) AS inserted`;

/** The agent's dialectic conditions as the dialectic repository's `conditions` reads them (in id order), as a JSON array. */
const CONDITIONS_OF = `SELECT coalesce(json_agg(json_build_object('action', action, 'target', target, 'value', value, 'unit', unit, 'original', original) ORDER BY id), '[]') AS conditions
  FROM agent_conditions WHERE agent_id = $1`;

/**
 * The agent's state, version and `conditions_version` (null columns: no such agent) with its
 * conditions, from one snapshot: one row whatever exists.
 */
const READ_STATE = `SELECT a.dynamics, a.update_count, a.conditions_version, c.conditions FROM (${CONDITIONS_OF}) c LEFT JOIN agents a ON a.id = $1`;

/** The stored row's small columns: the caller has the dynamics and metrics it just wrote. */
const SMALL_COLUMNS = `id, display_name, client_name, client_version, created_at, last_seen_at, last_action, last_reason, last_guidance,
  last_decision_at, update_count, status, meta`;

/**
 * The history row of the agent row returned by the CTE `a` (none when `a` is empty). Parameters
 * $1-$10 are {@link decisionParams}, $11-$19 {@link historyParams}.
 */
const HISTORY_FROM_A = `h AS (
    INSERT INTO agent_updates (agent_id, at, operation, complexity, confidence, "E", "I", "S", "V", coherence, risk_score, action, reason, guidance, simulated)
    SELECT a.id, $4, $11::text, $12::float8, $13::float8, $14::float8, $15::float8, $16::float8, $17::float8, $18::float8, $19::float8, $7, $8, $9, 0 FROM a
  )`;

/** A new agent with its first decision, and its history row; no row when the agent exists by now. */
const INSERT_NEW = `
  WITH a AS (
    INSERT INTO agents (id, client_name, client_version, created_at, last_seen_at, dynamics, last_metrics, last_action, last_reason,
      last_guidance, last_decision_at, update_count, status) VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $4, 1, $10)
    ON CONFLICT (id) DO NOTHING
    RETURNING ${SMALL_COLUMNS}
  ), ${HISTORY_FROM_A}
  SELECT * FROM a`;

/**
 * The decision and its history row, only if the agent's `update_count` is still $20 (the version
 * read) and its `conditions_version` still $21 (the cap decided with is still its cap: storing
 * conditions bumps it in the same transaction, src/store/postgres/dialectic.ts): no row otherwise.
 * Under READ COMMITTED an UPDATE that finds the row changed by a concurrent transaction waits for
 * it and re-checks its WHERE on the committed row
 * (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED), so of two
 * writers that read one version only the first matches, and a resolution that commits while this
 * write waits for the row is seen (a subquery on `agent_conditions` would not be: it keeps the
 * statement's snapshot).
 */
const UPDATE_IF_UNCHANGED = `
  WITH a AS (
    UPDATE agents SET
      last_seen_at = GREATEST(last_seen_at, $4),
      client_name = coalesce($2, client_name),
      client_version = coalesce($3, client_version),
      dynamics = $5, last_metrics = $6, last_action = $7, last_reason = $8, last_guidance = $9, last_decision_at = $4,
      update_count = update_count + 1,
      status = $10
    WHERE id = $1 AND update_count = $20 AND conditions_version = $21
    RETURNING ${SMALL_COLUMNS}
  ), ${HISTORY_FROM_A}
  SELECT * FROM a`;

/** As INSERT_NEW, or else the decision over the existing row whatever its version (callers holding its row lock, or recordUpdate). */
const UPSERT_DECISION = `
  WITH a AS (
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
    RETURNING ${SMALL_COLUMNS}
  ), ${HISTORY_FROM_A}
  SELECT * FROM a`;

/**
 * Attempts of the optimistic write before an update takes the agent's row lock instead. Within one
 * server the per-agent queue orders the updates, so an attempt fails only when another server
 * wrote the agent between its read and its write.
 */
export const OPTIMISTIC_ATTEMPTS = 3;

export class PgAgentRepository implements AgentRepository {
  /** Per agent id: reads and writes of one agent in call order within this process. */
  private readonly order = new KeyedQueue();
  /** The state this server last wrote per agent: the next update of it skips the read. */
  private readonly known: AgentStateCache;

  /**
   * @param options.optimisticAttempts see {@link OPTIMISTIC_ATTEMPTS} (0: always lock)
   * @param options.stateCache agents whose last written state is kept, see {@link STATE_CACHE_ENTRIES} (0: read before every update)
   */
  constructor(
    private readonly db: PgPool,
    private readonly options: { optimisticAttempts?: number; stateCache?: number } = {},
  ) {
    this.known = new AgentStateCache(options.stateCache ?? STATE_CACHE_ENTRIES);
  }

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
    return this.order.run(input.agentId, () => {
      // Written over any version: the next update reads it rather than trusting a count + 1.
      this.known.forget(input.agentId);
      return writeDecision(this.db, input);
    });
  }

  /**
   * Decides from the agent's state and version, and writes the update with its history row in one
   * autocommit statement that matches only if the agent is still at that version (a new agent: only
   * if nobody created it meanwhile). The state is the one this server last wrote (one round trip)
   * when it has it ({@link AgentStateCache}), else read without a lock (two round trips); no
   * explicit transaction. An update that lost to another server's write reads again and `decide`
   * runs again on the new state; after {@link OPTIMISTIC_ATTEMPTS} lost races from a read it takes
   * the agent's row lock (`SELECT ... FOR UPDATE` from read to commit), which cannot lose. Nothing
   * is written when `decide` throws.
   * @returns the stored agent, whether it existed before, and the input `decide` returned last
   * @throws StoreUnavailableError when the database cannot be reached (the update then may or may not be stored)
   */
  updateAtomically(agentId: string, atMs: number, decide: DecideUpdate): Promise<{ agent: AgentRecord; existed: boolean; input: RecordUpdateInput }> {
    return this.order.run(agentId, async () => {
      try {
        return (await this.optimistic(agentId, decide)) ?? (await this.locked(agentId, atMs, decide));
      } catch (err) {
        this.known.forget(agentId);
        throw err;
      }
    });
  }

  /** The optimistic attempts; undefined when every one lost a race. */
  private async optimistic(agentId: string, decide: DecideUpdate): Promise<{ agent: AgentRecord; existed: boolean; input: RecordUpdateInput } | undefined> {
    const attempts = this.options.optimisticAttempts ?? OPTIMISTIC_ATTEMPTS;
    let known: KnownState | undefined = this.known.get(agentId);
    let conditions: AgentConditions | undefined = known;
    // An attempt from the cached state is extra: it loses only when another server wrote since.
    for (let attempt = known && attempts > 0 ? -1 : 0; attempt < attempts; attempt++) {
      if (!conditions) {
        const row = (await this.prepared('agent_state', READ_STATE, [agentId])).rows[0] as Row;
        conditions = conditionsOf(row);
        known = row.update_count == null ? undefined : { ...conditions, dynamics: typeof row.dynamics === 'string' ? row.dynamics : null, version: int(row.update_count) };
      }
      const input = await decide(known ? { dynamics: parseJson<DynamicsState | null>(known.dynamics, null) } : undefined, conditions.complexityCap);
      const decision = decisionParams(input);
      const params = [...decision, ...historyParams(input)];
      const written = known
        ? await this.prepared('agent_update_if_unchanged', UPDATE_IF_UNCHANGED, [...params, known.version, conditions.conditionsVersion])
        : await this.prepared('agent_insert_new', INSERT_NEW, params);
      const row = written.rows[0] as Row | undefined;
      if (row) {
        // Not after creating the agent: a resolution committed between the read and the insert
        // stored conditions but had no row to bump, so the next update reads them.
        if (known) this.known.remember(agentId, { ...conditions, dynamics: decision[4] as string, version: int(row.update_count) });
        return { agent: stored(row, input), existed: known !== undefined, input };
      }
      this.known.stale(agentId);
      known = conditions = undefined;
    }
    return undefined;
  }

  /** The update under the agent's row lock, from read to commit. */
  private async locked(agentId: string, atMs: number, decide: DecideUpdate): Promise<{ agent: AgentRecord; existed: boolean; input: RecordUpdateInput }> {
    const done = await this.db.transaction(async (c) => {
      const created = await c.query('INSERT INTO agents (id, created_at, last_seen_at) VALUES ($1, $2, $2) ON CONFLICT (id) DO NOTHING', [agentId, iso(atMs)]);
      // Under the row lock: no resolution can bump conditions_version until this commits.
      const locked = await c.query('SELECT dynamics, conditions_version FROM agents WHERE id = $1 FOR UPDATE', [agentId]);
      const conditions = conditionsOf({ ...((await c.query(CONDITIONS_OF, [agentId])).rows[0] as Row), conditions_version: (locked.rows[0] as Row | undefined)?.conditions_version ?? 0 });
      const existed = created.rowCount === 0;
      const current = existed ? { dynamics: parseJson<DynamicsState | null>((locked.rows[0] as Row | undefined)?.dynamics, null) } : undefined;
      const input = await decide(current, conditions.complexityCap);
      return { agent: await writeDecision(c, input), existed, input, conditions };
    });
    this.known.remember(agentId, { ...done.conditions, dynamics: JSON.stringify(done.input.dynamics), version: done.agent.updateCount });
    return { agent: done.agent, existed: done.existed, input: done.input };
  }

  /**
   * One statement prepared once per connection under `name` (node-pg's named statements): the hot
   * path skips PostgreSQL's parse and plan of the same text on every call.
   * @throws StoreUnavailableError when the database cannot be reached
   */
  private async prepared(name: string, text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }> {
    try {
      return await this.db.pool.query({ name, text, values });
    } catch (err) {
      throw this.db.translate(err);
    }
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

/** $1-$10 of the write statements: the agent row's new values. */
function decisionParams(input: RecordUpdateInput): unknown[] {
  const { decision } = input;
  return [
    input.agentId,
    input.clientName ?? null,
    input.clientVersion ?? null,
    iso(input.atMs),
    JSON.stringify(input.dynamics),
    JSON.stringify(input.metrics),
    decision.action,
    decision.reason,
    decision.guidance ?? null,
    decision.action === 'PAUSE' ? 'paused' : 'active',
  ];
}

/** $11-$19: the history row's own values. */
function historyParams(input: RecordUpdateInput): unknown[] {
  const { metrics } = input;
  return [input.operation, input.complexity, input.confidence ?? null, metrics.E, metrics.I, metrics.S, metrics.V, metrics.coherence, metrics.risk_score];
}

/** The cap of a row with `conditions` ({@link CONDITIONS_OF}: node-pg parses the json column into an array) and `conditions_version` (null: no agent row yet, i.e. 0 once inserted). */
function conditionsOf(row: Row): AgentConditions {
  return { complexityCap: complexityCap((row.conditions as unknown as Row[]).map(conditionOf)), conditionsVersion: row.conditions_version == null ? 0 : int(row.conditions_version) };
}

function stored(row: Row, input: RecordUpdateInput): AgentRecord {
  return { ...toAgent(row), dynamics: input.dynamics, lastMetrics: input.metrics };
}

/**
 * Creates the agent if new or records its decision over any version, and appends the history row,
 * in one statement: for recordUpdate (one server's own order) and under the agent's row lock.
 */
async function writeDecision(c: Queryable, input: RecordUpdateInput): Promise<AgentRecord> {
  const r = await c.query(UPSERT_DECISION, [...decisionParams(input), ...historyParams(input)]);
  return stored(r.rows[0] as Row, input);
}
