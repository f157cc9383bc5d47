/**
 * The task queue: agents post tasks, claim one under a lease, and complete or fail it. A lease
 * (default {@link DEFAULT_LEASE_SECONDS}) is renewed by its holder claiming again (or `renew`);
 * when it ends the task is back in the queue: the repository applies expiry on every read and
 * write, so no timer runs. Task JSON follows seed 003 (`{task_id, description, status, due_date}`,
 * repository hvrryh-web/test, `agent/mcp_server.py`), extended with priority, tags and the lease.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import type { GovernanceEvents } from '../core/events';
import { GOVERNANCE_LIMITS } from '../core/governance';
import type { TaskPriority, TaskRecord, TaskRepository, TaskStatus, TaskWriteOutcome } from './repository';
import { TASK_PRIORITIES, TASK_STATUSES } from './repository';

/** Limits shared by the service and the tool schemas (characters unless stated). */
export const TASK_LIMITS = {
  taskId: 200,
  description: 10_000,
  tag: 64,
  tags: 20,
  agentId: GOVERNANCE_LIMITS.agentId,
  result: 20_000,
  page: 200,
  /** Lease length, seconds. */
  leaseMinSeconds: 1,
  leaseMaxSeconds: 24 * 3600,
} as const;
export const DEFAULT_LEASE_SECONDS = 600;
export const DEFAULT_PAGE = 50;
/** task_id: letters, digits and `._:-` (seed 003 uses ids like `T_CHAT_001`). */
export const TASK_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
const PAST: Record<string, string> = { claim: 'claimed', renew: 'renewed', complete: 'completed', fail: 'failed' };
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A task's lease does not allow the call (complete/fail by a non-holder, a task not claimed). */
export class TaskStateError extends Error {
  readonly code = 'invalid_state';
  constructor(message: string, readonly details: Record<string, unknown>) {
    super(message);
    this.name = 'TaskStateError';
  }
}

export interface PostTaskInput {
  taskId?: string;
  description: string;
  /** Seed 003 posts a status; only pending (default), completed and failed can be posted. */
  status?: string;
  dueDate?: string | null;
  priority?: string;
  tags?: string[];
  createdBy: string;
}

/** true when `s` is a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function requireText(field: string, value: unknown, max: number, fix: string): string {
  if (typeof value !== 'string' || !value.trim()) throw new ValidationError(field, `${field} is required: ${fix}`);
  if (value.length > max) throw new ValidationError(field, `${field} is ${value.length} characters; at most ${max} are allowed.`);
  return value;
}

export class TaskService {
  constructor(
    private readonly repo: TaskRepository,
    private readonly events?: GovernanceEvents,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Adds a task. @throws ValidationError naming the field; ConflictError for an existing task_id.
   */
  async post(input: PostTaskInput): Promise<TaskRecord> {
    const description = requireText('description', input.description, TASK_LIMITS.description, 'say what the task is.');
    const taskId = input.taskId === undefined ? `task-${randomUUID()}` : requireText('task_id', input.taskId, TASK_LIMITS.taskId, 'leave it out to have one generated.');
    if (!TASK_ID_PATTERN.test(taskId)) throw new ValidationError('task_id', 'task_id may only hold letters, digits and . _ : - (e.g. T_CHAT_001).');
    const status = input.status ?? 'pending';
    if (status !== 'pending' && status !== 'completed' && status !== 'failed') {
      throw new ValidationError('status', `status "${status}" cannot be posted; use pending (the default), completed or failed. A task is claimed with claim_task.`);
    }
    const dueDate = input.dueDate ?? null;
    if (dueDate !== null && !isCalendarDate(dueDate)) throw new ValidationError('due_date', `due_date "${dueDate}" is not a date written YYYY-MM-DD (e.g. 2026-12-31).`);
    const priority = input.priority ?? 'medium';
    if (!(TASK_PRIORITIES as readonly string[]).includes(priority)) throw new ValidationError('priority', `priority "${priority}" is not one of ${TASK_PRIORITIES.join(', ')}.`);
    const tags = input.tags ?? [];
    if (tags.length > TASK_LIMITS.tags) throw new ValidationError('tags', `${tags.length} tags; at most ${TASK_LIMITS.tags} are allowed.`);
    tags.forEach((t, i) => requireText(`tags.${i}`, t, TASK_LIMITS.tag, 'tags are non-empty words.'));
    const createdBy = requireText('created_by', input.createdBy, TASK_LIMITS.agentId, 'name the posting agent.');
    const task = await this.repo.insert({ taskId, description, status, dueDate, priority: priority as TaskPriority, tags: [...new Set(tags)], createdBy, createdAtMs: this.clock() });
    this.events?.emit('task-posted', { task: { ...task } });
    return task;
  }

  /**
   * Tasks by priority, then due date, then age; expired leases are back to pending first. `limit`
   * 1..TASK_LIMITS.page (default DEFAULT_PAGE), `offset` >= 0; `next_offset` is null on the last page.
   * @throws ValidationError (`status`, `limit`, `offset`)
   */
  async list(filters: { status?: string; claimedBy?: string; tag?: string; limit?: number; offset?: number } = {}): Promise<{ tasks: TaskRecord[]; total: number; next_offset: number | null }> {
    if (filters.status !== undefined && !(TASK_STATUSES as readonly string[]).includes(filters.status)) {
      throw new ValidationError('status', `status "${filters.status}" is not one of ${TASK_STATUSES.join(', ')}.`);
    }
    const limit = filters.limit ?? DEFAULT_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > TASK_LIMITS.page) throw new ValidationError('limit', `limit must be an integer from 1 to ${TASK_LIMITS.page}.`);
    const offset = filters.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) throw new ValidationError('offset', 'offset must be an integer >= 0 (next_offset of the previous page).');
    const page = await this.repo.list({ status: filters.status as TaskStatus | undefined, claimedBy: filters.claimedBy, tag: filters.tag, limit, offset }, this.clock());
    return { tasks: page.items, total: page.total, next_offset: offset + page.items.length < page.total ? offset + page.items.length : null };
  }

  /** @throws NotFoundError when no task has `taskId` */
  async get(taskId: string): Promise<TaskRecord> {
    const task = await this.repo.get(taskId, this.clock());
    if (!task) throw new NotFoundError('task', taskId);
    return task;
  }

  /**
   * Claims a pending task (or renews the caller's own lease) for `leaseSeconds`.
   * @throws NotFoundError; ConflictError when another agent holds the lease; TaskStateError when the
   *   task is completed/failed, or `renew` is set and the caller holds no lease on it.
   */
  async claim(taskId: string, agentId: string, options: { leaseSeconds?: number; renew?: boolean } = {}): Promise<TaskRecord> {
    const lease = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    if (!Number.isFinite(lease) || lease < TASK_LIMITS.leaseMinSeconds || lease > TASK_LIMITS.leaseMaxSeconds) {
      throw new ValidationError('lease_seconds', `lease_seconds must be from ${TASK_LIMITS.leaseMinSeconds} to ${TASK_LIMITS.leaseMaxSeconds}.`);
    }
    const renew = options.renew === true;
    const out = await this.repo.claim(taskId, agentId, this.clock(), lease * 1000, renew);
    if (!out.ok) this.refuse(taskId, agentId, out, renew ? 'renew' : 'claim');
    const renewed = out.task.claimed_by === agentId && renew;
    this.events?.emit('task-changed', { task: { ...out.task }, change: renewed ? 'renewed' : 'claimed', agentId });
    return out.task;
  }

  /** Completes the caller's claimed task. @throws NotFoundError; TaskStateError when the caller holds no lease on it. */
  async complete(taskId: string, agentId: string, result: string): Promise<TaskRecord> {
    if (result.length > TASK_LIMITS.result) throw new ValidationError('result', `result is ${result.length} characters; at most ${TASK_LIMITS.result}.`);
    const out = await this.repo.finish(taskId, agentId, this.clock(), 'completed', result);
    if (!out.ok) this.refuse(taskId, agentId, out, 'complete');
    this.events?.emit('task-changed', { task: { ...out.task }, change: 'completed', agentId });
    return out.task;
  }

  /** Fails the caller's claimed task (`requeue`: back to pending). @throws like {@link complete}. */
  async fail(taskId: string, agentId: string, reason: string, requeue = false): Promise<TaskRecord> {
    requireText('reason', reason, TASK_LIMITS.result, 'say why the task failed.');
    const out = await this.repo.finish(taskId, agentId, this.clock(), requeue ? 'pending' : 'failed', reason);
    if (!out.ok) this.refuse(taskId, agentId, out, 'fail');
    this.events?.emit('task-changed', { task: { ...out.task }, change: requeue ? 'requeued' : 'failed', agentId });
    return out.task;
  }

  /** The error for a conditional write that changed nothing, from the task's current state. */
  private refuse(taskId: string, agentId: string, out: Extract<TaskWriteOutcome, { ok: false }>, action: string): never {
    const task = out.current;
    if (!task) throw new NotFoundError('task', taskId, `No task with task_id "${taskId}" exists. list_tasks shows the queue.`);
    const details = { task_id: taskId, status: task.status, claimed_by: task.claimed_by, lease_expires_at: task.lease_expires_at };
    if (action === 'claim' && task.status === 'claimed') {
      throw Object.assign(new ConflictError(`Task "${taskId}" is claimed by ${task.claimed_by ?? '?'} until ${task.lease_expires_at ?? '?'}; pick another task or wait for the lease to end.`), { details });
    }
    if (task.status === 'claimed') {
      throw new TaskStateError(`Task "${taskId}" is claimed by ${task.claimed_by ?? '?'}, not by ${agentId}: only the lease holder may ${action} it.`, details);
    }
    const hint = task.status === 'pending' ? ' Claim it first with claim_task (a lease that ended returns the task to pending).' : ' It is finished.';
    throw new TaskStateError(`Task "${taskId}" is ${task.status}, so it cannot be ${PAST[action] ?? action}.${hint}`, details);
  }
}
