/** AgentReadRepository over PostgreSQL: the fleet-wide reads of the observability tools. */
import type { AgentReadRepository, AgentSeries, AgentSnapshot, AgentUpdateRecord, SnapshotQuery } from '../../core/repository';
import { num, type Row } from '../rows';
import { toPoint, toSnapshot, toUpdate } from '../records';
import type { PgPool } from './pool';

const metric = (key: string) => `(last_metrics::jsonb ->> '${key}')::double precision`;
const SNAPSHOT_COLUMNS = `status, last_seen_at, id, update_count, last_action, ${metric('E')} AS "E", ${metric('I')} AS "I", ${metric('S')} AS "S",
  ${metric('V')} AS "V", ${metric('coherence')} AS coherence, ${metric('risk_score')} AS risk_score, ${metric('phi')} AS phi,
  (last_metrics::jsonb ->> 'void_active') AS void_active`;

/** Widening of `near` bounds (as the SQLite store). */
const NEAR_SLACK = 1e-9;

export class PgAgentReadRepository implements AgentReadRepository {
  constructor(private readonly db: PgPool) {}

  async snapshots(options: SnapshotQuery): Promise<AgentSnapshot[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    if (options.statuses) where.push(`status = ANY(${p([...options.statuses])}::text[])`);
    if (options.ids) where.push(`id = ANY(${p([...options.ids])}::text[])`);
    if (options.near) {
      const w = options.near.within + NEAR_SLACK;
      for (const k of ['E', 'I', 'S'] as const) where.push(`${metric(k)} BETWEEN ${p(options.near[k] - w)} AND ${p(options.near[k] + w)}`);
    }
    const order = options.anyOrder ? '' : 'ORDER BY last_seen_at DESC, id';
    const r = await this.db.query(`SELECT ${SNAPSHOT_COLUMNS} FROM agents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${order} LIMIT ${p(options.limit)}`, params);
    return r.rows.map((row) => toSnapshot(row as Row, pgVoidActive));
  }

  async recentSeries(agentId: string, options: { points: number; vValues?: number }): Promise<AgentSeries> {
    const vValues = options.vValues ?? 0;
    const n = Math.max(options.points, vValues, 0);
    if (n === 0) return { points: [], V: [] };
    // One statement, one snapshot: both parts end at the same update.
    const r = await this.db.query('SELECT id, at, "E", "I", "S", "V", coherence, risk_score, action FROM agent_updates WHERE agent_id = $1 ORDER BY id DESC LIMIT $2', [agentId, n]);
    const rows = r.rows as Row[];
    return {
      points: rows.slice(0, Math.max(options.points, 0)).map(toPoint).reverse(),
      V: rows.slice(0, vValues).map((row) => num(row.V)).reverse(),
    };
  }

  async updates(options: { limit: number; beforeId?: number; agentId?: string }): Promise<AgentUpdateRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.agentId !== undefined) where.push(`agent_id = $${params.push(options.agentId)}`);
    if (options.beforeId !== undefined) where.push(`id < $${params.push(options.beforeId)}`);
    const r = await this.db.query(`SELECT * FROM agent_updates ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.push(options.limit)}`, params);
    return r.rows.map((row) => toUpdate(row as Row));
  }
}

/** `->>` gives the extracted JSON boolean as the text 'true' / 'false'. */
const pgVoidActive = (value: unknown) => value === 'true';
