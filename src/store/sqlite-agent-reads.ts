/**
 * AgentReadRepository over node:sqlite: the fleet-wide reads of the observability tools
 * (../core/observability-service). Snapshots come from the covering index `agents_snapshot`
 * (migrations 3 and 6), so reading every agent never touches the rows' large `dynamics` JSON.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { AgentReadRepository, AgentSeries, AgentSnapshot, AgentUpdateRecord, SnapshotQuery } from '../core/repository';
import { StatementCache } from './sqlite';
import { num, str } from './rows';
import { toPoint, toSnapshot, toUpdate } from './records';

/**
 * The snapshot columns. The json_extract expressions are the ones indexed by `agents_snapshot`
 * (migrations.ts, version 6), character for character: SQLite serves them from the index only then.
 */
const SNAPSHOT_COLUMNS = `status, last_seen_at, id, update_count, last_action,
  json_extract(last_metrics, '$.E') AS E, json_extract(last_metrics, '$.I') AS I, json_extract(last_metrics, '$.S') AS S,
  json_extract(last_metrics, '$.V') AS V, json_extract(last_metrics, '$.coherence') AS coherence,
  json_extract(last_metrics, '$.risk_score') AS risk_score, json_extract(last_metrics, '$.phi') AS phi,
  json_extract(last_metrics, '$.void_active') AS void_active`;

/**
 * The snapshot query for a filter shape; parameters: the statuses (JSON array) if filtered, the
 * ids (JSON array) if filtered, the E, I and S bounds (low, high each) if near, then the limit. json_each keeps one prepared statement per shape
 * whatever the number of values. Exported for the test that checks SQLite's plan uses the index.
 */
export function snapshotSql(filter: { statuses: boolean; ids: boolean; anyOrder?: boolean; near?: boolean }): string {
  const where = [
    ...(filter.statuses ? ['status IN (SELECT value FROM json_each(?))'] : []),
    ...(filter.ids ? ['id IN (SELECT value FROM json_each(?))'] : []),
    // Evaluated on the index's copies of the numbers: agents that are not near are never read out.
    ...(filter.near ? (['E', 'I', 'S'] as const).map((k) => `json_extract(last_metrics, '$.${k}') BETWEEN ? AND ?`) : []),
  ];
  // Without the hint the planner may walk agents_last_seen to skip the sort, and then read every
  // row with its dynamics; named ids are better found by primary key.
  const from = filter.ids ? 'agents' : 'agents INDEXED BY agents_snapshot';
  // The sort is a temporary B-tree over every row (a third of the read for 1,000 agents).
  const order = filter.anyOrder ? '' : 'ORDER BY last_seen_at DESC, id';
  return `SELECT ${SNAPSHOT_COLUMNS} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ${order} LIMIT ?`;
}

/** Widening of `near` bounds, far below any meaningful difference of E, I or S (0..1). */
const NEAR_SLACK = 1e-9;

const POINT_COLUMNS = 'id, at, E, I, S, V, coherence, risk_score, action';


export class SqliteAgentReadRepository implements AgentReadRepository {
  private readonly sql: StatementCache;

  constructor(db: DatabaseSync) {
    this.sql = new StatementCache(db);
  }

  snapshots(options: SnapshotQuery): Promise<AgentSnapshot[]> {
    return settle(() => {
      const params: Array<string | number> = [];
      if (options.statuses) params.push(JSON.stringify(options.statuses));
      if (options.ids) params.push(JSON.stringify(options.ids));
      const near = options.near;
      if (near) {
        const w = near.within + NEAR_SLACK;
        params.push(near.E - w, near.E + w, near.I - w, near.I + w, near.S - w, near.S + w);
      }
      return this.sql
        .get(snapshotSql({ statuses: options.statuses !== undefined, ids: options.ids !== undefined, anyOrder: options.anyOrder === true, near: near !== undefined }))
        .all(...params, options.limit)
        .map((row) => toSnapshot(row, sqliteVoidActive));
    });
  }

  recentSeries(agentId: string, options: { points: number; vValues?: number }): Promise<AgentSeries> {
    // Both statements run in this one synchronous call, so no write lands between them.
    return settle(() => {
      const points = options.points > 0 ? this.sql.get(`SELECT ${POINT_COLUMNS} FROM agent_updates WHERE agent_id = ? ORDER BY id DESC LIMIT ?`).all(agentId, options.points) : [];
      const vValues = options.vValues ?? 0;
      // One JSON array instead of up to 110 row objects: about half the time for the void scan.
      const vRow =
        vValues > 0
          ? (this.sql.get('SELECT json_group_array(V) AS v FROM (SELECT V FROM agent_updates WHERE agent_id = ? ORDER BY id DESC LIMIT ?)').get(agentId, vValues))
          : undefined;
      const newestFirst = vRow ? (JSON.parse(str(vRow.v)) as number[]) : [];
      return { points: points.map(toPoint).reverse(), V: newestFirst.reverse() };
    });
  }

  updates(options: { limit: number; beforeId?: number; agentId?: string }): Promise<AgentUpdateRecord[]> {
    return settle(() => {
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (options.agentId !== undefined) {
        where.push('agent_id = ?');
        params.push(options.agentId);
      }
      if (options.beforeId !== undefined) {
        where.push('id < ?');
        params.push(options.beforeId);
      }
      const sql = `SELECT * FROM agent_updates ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      return this.sql
        .get(sql)
        .all(...params, options.limit)
        .map(toUpdate);
    });
  }
}

/** Runs a synchronous read and hands its value (or its error, as a rejection) over as a promise. */
function settle<T>(read: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(read()));
}

/** json_extract gives the JSON boolean as 1 / 0. */
const sqliteVoidActive = (value: unknown) => num(value) === 1;
