/**
 * The task queue's storage interface (implemented by ../store/sqlite-tasks). Every method applies
 * lease expiry first: a `claimed` task whose lease ended at or before `nowMs` is back to `pending`
 * (claimed_by and lease cleared) before the method reads or writes anything, so no timer is needed.
 */

export const TASK_STATUSES = ['pending', 'claimed', 'completed', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** A task as every transport returns it (snake_case; times ISO-8601 UTC). */
export interface TaskRecord {
  task_id: string;
  description: string;
  status: TaskStatus;
  /** YYYY-MM-DD or null. */
  due_date: string | null;
  priority: TaskPriority;
  tags: string[];
  created_by: string;
  /** The lease holder while `claimed`; the last holder after complete/fail; null when never claimed or requeued. */
  claimed_by: string | null;
  /** ISO time the lease ends (only while `claimed`). */
  lease_expires_at: string | null;
  /** The completion result or the failure reason. */
  result: string | null;
  created_at: string;
  updated_at: string;
}

export interface NewTask {
  taskId: string;
  description: string;
  status: 'pending' | 'completed' | 'failed';
  dueDate: string | null;
  priority: TaskPriority;
  tags: string[];
  createdBy: string;
  createdAtMs: number;
}

export interface TaskFilters {
  status?: TaskStatus;
  claimedBy?: string;
  tag?: string;
  limit: number;
  offset: number;
}

/** What a conditional write found when it changed nothing (the service turns it into an error). */
export type TaskWriteOutcome = { ok: true; task: TaskRecord } | { ok: false; current: TaskRecord | undefined };

export interface TaskRepository {
  /** @throws ConflictError when `taskId` exists */
  insert(task: NewTask): Promise<TaskRecord>;
  get(taskId: string, nowMs: number): Promise<TaskRecord | undefined>;
  /** Ordered by priority (critical first), then due date (none last), then age (oldest first). */
  list(filters: TaskFilters, nowMs: number): Promise<{ items: TaskRecord[]; total: number }>;
  /**
   * One conditional UPDATE: succeeds when the task is `pending`, or `claimed` by `agentId`
   * (a renewal); with `renewOnly`, only the latter. The lease ends at nowMs + leaseMs.
   */
  claim(taskId: string, agentId: string, nowMs: number, leaseMs: number, renewOnly: boolean): Promise<TaskWriteOutcome>;
  /** One conditional UPDATE: succeeds only when `agentId` holds the task's lease. */
  finish(taskId: string, agentId: string, nowMs: number, to: 'completed' | 'failed' | 'pending', result: string): Promise<TaskWriteOutcome>;
}
