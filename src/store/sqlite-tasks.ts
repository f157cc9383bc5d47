/**
 * TaskRepository over node:sqlite: the `tasks` table (migration 7). Claims and finishes are one
 * conditional UPDATE each inside a durable write: node:sqlite runs it synchronously on the one
 * connection, and the WHERE clause re-checks the state, so of two agents claiming the same task
 * exactly one changes the row.
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { ConflictError } from '../core/errors';
import { durableWrite, StatementCache } from './sqlite';
import { iso, num, type Row } from './rows';
import { toTask } from './records';
import type { NewTask, TaskFilters, TaskRecord, TaskRepository, TaskWriteOutcome } from '../tasks/repository';

/** Leases ended at or before `now` go back to the queue (ISO strings compare in time order). */
const EXPIRE = "UPDATE tasks SET status = 'pending', claimed_by = NULL, lease_expires_at = NULL, updated_at = ? WHERE status = 'claimed' AND lease_expires_at <= ?";
const PRIORITY_RANK = "CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END";
const INSERT = `INSERT INTO tasks (task_id, description, status, due_date, priority, tags, created_by, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const CLAIM = `UPDATE tasks SET status = 'claimed', claimed_by = ?, lease_expires_at = ?, updated_at = ?
  WHERE task_id = ? AND (status = 'pending' OR (status = 'claimed' AND claimed_by = ?))`;
const RENEW = `UPDATE tasks SET lease_expires_at = ?, updated_at = ? WHERE task_id = ? AND status = 'claimed' AND claimed_by = ?`;
const FINISH = `UPDATE tasks SET status = ?, claimed_by = ?, lease_expires_at = NULL, result = ?, updated_at = ?
  WHERE task_id = ? AND status = 'claimed' AND claimed_by = ?`;

export class SqliteTaskRepository implements TaskRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: DatabaseSync) {
    this.sql = new StatementCache(db);
  }

  insert(task: NewTask): Promise<TaskRecord> {
    return durableWrite(this.db, () => {
      if (this.sql.get('SELECT 1 FROM tasks WHERE task_id = ?').get(task.taskId)) {
        throw new ConflictError(`A task with task_id "${task.taskId}" already exists. Leave task_id out to have one generated, or use another.`);
      }
      const at = iso(task.createdAtMs);
      this.sql.get(INSERT).run(task.taskId, task.description, task.status, task.dueDate, task.priority, JSON.stringify(task.tags), task.createdBy, at, at);
      return this.read(task.taskId)!;
    });
  }

  get(taskId: string, nowMs: number): Promise<TaskRecord | undefined> {
    return durableWrite(this.db, () => {
      this.expire(nowMs);
      return this.read(taskId);
    });
  }

  list(filters: TaskFilters, nowMs: number): Promise<{ items: TaskRecord[]; total: number }> {
    return durableWrite(this.db, () => {
      this.expire(nowMs);
      let where = 'WHERE 1 = 1';
      const params: SQLInputValue[] = [];
      if (filters.status !== undefined) {
        where += ' AND status = ?';
        params.push(filters.status);
      }
      if (filters.claimedBy !== undefined) {
        where += ' AND claimed_by = ?';
        params.push(filters.claimedBy);
      }
      if (filters.tag !== undefined) {
        where += ' AND EXISTS (SELECT 1 FROM json_each(tasks.tags) WHERE value = ?)';
        params.push(filters.tag);
      }
      const rows = this.sql
        .get(`SELECT * FROM tasks ${where} ORDER BY ${PRIORITY_RANK}, due_date IS NULL, due_date, seq LIMIT ? OFFSET ?`)
        .all(...params, filters.limit, filters.offset);
      const total = num((this.sql.get(`SELECT count(*) AS n FROM tasks ${where}`).get(...params) as Row).n);
      return { items: rows.map((r) => toTask(r as Row)), total };
    });
  }

  claim(taskId: string, agentId: string, nowMs: number, leaseMs: number, renewOnly: boolean): Promise<TaskWriteOutcome> {
    return durableWrite(this.db, () => {
      this.expire(nowMs);
      const at = iso(nowMs);
      const until = iso(nowMs + leaseMs);
      const changes = renewOnly ? this.sql.get(RENEW).run(until, at, taskId, agentId).changes : this.sql.get(CLAIM).run(agentId, until, at, taskId, agentId).changes;
      return this.outcome(taskId, Number(changes));
    });
  }

  finish(taskId: string, agentId: string, nowMs: number, to: 'completed' | 'failed' | 'pending', result: string): Promise<TaskWriteOutcome> {
    return durableWrite(this.db, () => {
      this.expire(nowMs);
      // A requeued task has no holder; a finished one keeps who finished it.
      const changes = this.sql.get(FINISH).run(to, to === 'pending' ? null : agentId, result, iso(nowMs), taskId, agentId).changes;
      return this.outcome(taskId, Number(changes));
    });
  }

  private outcome(taskId: string, changes: number): TaskWriteOutcome {
    const task = this.read(taskId);
    return changes > 0 && task ? { ok: true, task } : { ok: false, current: task };
  }

  private expire(nowMs: number): void {
    const at = iso(nowMs);
    this.sql.get(EXPIRE).run(at, at);
  }

  private read(taskId: string): TaskRecord | undefined {
    const row = this.sql.get('SELECT * FROM tasks WHERE task_id = ?').get(taskId);
    return row ? toTask(row) : undefined;
  }
}
