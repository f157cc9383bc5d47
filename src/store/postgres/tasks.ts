/**
 * TaskRepository over PostgreSQL (table `tasks`). A claim or a finish is one conditional
 * `UPDATE ... WHERE <state> RETURNING *`: under READ COMMITTED an UPDATE that waited for another
 * transaction's row lock re-checks its WHERE clause on the row that transaction committed
 * (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED), so of
 * servers claiming one task at once exactly one changes it; the others find it claimed.
 */
import { ConflictError } from '../../core/errors';
import type { NewTask, TaskFilters, TaskRecord, TaskRepository, TaskWriteOutcome } from '../../tasks/repository';
import { iso, type Row } from '../rows';
import { toTask } from '../records';
import { int, type PgPool } from './pool';

const EXPIRE_ONE = `UPDATE tasks SET status = 'pending', claimed_by = NULL, lease_expires_at = NULL, updated_at = $1
  WHERE task_id = $2 AND status = 'claimed' AND lease_expires_at <= $1`;
/** Rows another transaction holds are skipped (it is claiming or expiring them): no deadlock between two sweeps. */
const EXPIRE_ALL = `UPDATE tasks SET status = 'pending', claimed_by = NULL, lease_expires_at = NULL, updated_at = $1
  WHERE seq IN (SELECT seq FROM tasks WHERE status = 'claimed' AND lease_expires_at <= $1 ORDER BY seq FOR UPDATE SKIP LOCKED)`;
const PRIORITY_RANK = "CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END";
const CLAIM = `UPDATE tasks SET status = 'claimed', claimed_by = $1, lease_expires_at = $2, updated_at = $3
  WHERE task_id = $4 AND (status = 'pending' OR (status = 'claimed' AND claimed_by = $1)) RETURNING *`;
const RENEW = `UPDATE tasks SET lease_expires_at = $1, updated_at = $2 WHERE task_id = $3 AND status = 'claimed' AND claimed_by = $4 RETURNING *`;
const FINISH = `UPDATE tasks SET status = $1, claimed_by = $2, lease_expires_at = NULL, result = $3, updated_at = $4
  WHERE task_id = $5 AND status = 'claimed' AND claimed_by = $6 RETURNING *`;

export class PgTaskRepository implements TaskRepository {
  constructor(private readonly db: PgPool) {}

  async insert(task: NewTask): Promise<TaskRecord> {
    const at = iso(task.createdAtMs);
    try {
      const r = await this.db.query(
        `INSERT INTO tasks (task_id, description, status, due_date, priority, tags, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING *`,
        [task.taskId, task.description, task.status, task.dueDate, task.priority, JSON.stringify(task.tags), task.createdBy, at],
      );
      return toTask(r.rows[0] as Row);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') {
        throw new ConflictError(`A task with task_id "${task.taskId}" already exists. Leave task_id out to have one generated, or use another.`);
      }
      throw err;
    }
  }

  async get(taskId: string, nowMs: number): Promise<TaskRecord | undefined> {
    await this.db.query(EXPIRE_ONE, [iso(nowMs), taskId]);
    return this.read(taskId);
  }

  async list(filters: TaskFilters, nowMs: number): Promise<{ items: TaskRecord[]; total: number }> {
    await this.db.query(EXPIRE_ALL, [iso(nowMs)]);
    let where = 'WHERE true';
    const params: unknown[] = [];
    if (filters.status !== undefined) where += ` AND status = $${params.push(filters.status)}`;
    if (filters.claimedBy !== undefined) where += ` AND claimed_by = $${params.push(filters.claimedBy)}`;
    if (filters.tag !== undefined) where += ` AND tags::jsonb ? $${params.push(filters.tag)}`;
    const [rows, count] = await Promise.all([
      this.db.query(
        `SELECT * FROM tasks ${where} ORDER BY ${PRIORITY_RANK}, due_date IS NULL, due_date, seq LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filters.limit, filters.offset],
      ),
      this.db.query(`SELECT count(*) AS n FROM tasks ${where}`, params),
    ]);
    return { items: rows.rows.map((r) => toTask(r as Row)), total: int((count.rows[0] as Row).n) };
  }

  async claim(taskId: string, agentId: string, nowMs: number, leaseMs: number, renewOnly: boolean): Promise<TaskWriteOutcome> {
    const at = iso(nowMs);
    await this.db.query(EXPIRE_ONE, [at, taskId]);
    const until = iso(nowMs + leaseMs);
    const r = renewOnly ? await this.db.query(RENEW, [until, at, taskId, agentId]) : await this.db.query(CLAIM, [agentId, until, at, taskId]);
    return this.outcome(taskId, r.rows[0] as Row | undefined);
  }

  async finish(taskId: string, agentId: string, nowMs: number, to: 'completed' | 'failed' | 'pending', result: string): Promise<TaskWriteOutcome> {
    const at = iso(nowMs);
    await this.db.query(EXPIRE_ONE, [at, taskId]);
    // A requeued task has no holder; a finished one keeps who finished it.
    const r = await this.db.query(FINISH, [to, to === 'pending' ? null : agentId, result, at, taskId, agentId]);
    return this.outcome(taskId, r.rows[0] as Row | undefined);
  }

  private async outcome(taskId: string, changed: Row | undefined): Promise<TaskWriteOutcome> {
    if (changed) return { ok: true, task: toTask(changed) };
    return { ok: false, current: await this.read(taskId) };
  }

  private async read(taskId: string): Promise<TaskRecord | undefined> {
    const r = await this.db.query('SELECT * FROM tasks WHERE task_id = $1', [taskId]);
    return r.rows[0] ? toTask(r.rows[0] as Row) : undefined;
  }
}
