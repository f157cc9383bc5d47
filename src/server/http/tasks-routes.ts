/**
 * `POST /tasks` and `GET /tasks`: seed 003's REST shapes for the task queue (repository
 * hvrryh-web/test, `agent/mcp_server.py`): 200 `{"ok": true, ...}`, 400 `{"error": "invalid payload",
 * "field", "message"}`, 409 `{"error": "conflict", "message"}` for a duplicate task_id, 500
 * `{"error": "failed"}`. (401 `{"error": "unauthorized"}` is answered by the server before this.)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TaskService } from '../../tasks/service';
import type { Logger } from '../../util/log';
import { readJson, sendJson } from './body';
import { AgentBindingError, checkBoundField } from '../../auth/binding';

const POST_FIELDS = ['task_id', 'description', 'status', 'due_date', 'priority', 'tags', 'created_by'] as const;
const STRING_FIELDS = ['task_id', 'description', 'status', 'due_date', 'priority', 'created_by'] as const;

class PayloadError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/**
 * Adds seed 003's task JSON; the poster is `created_by`, else the X-Session-ID agent. With a
 * per-agent token (`boundAgent`) a `created_by` naming another agent gets 403 `{"error": "forbidden"}`.
 */
export async function handlePostTask(req: IncomingMessage, res: ServerResponse, tasks: TaskService, callerId: string, logger: Logger, boundAgent?: string): Promise<void> {
  await answer(res, logger, async () => {
    let body: unknown;
    try {
      body = await readJson(req);
    } catch (err) {
      throw new PayloadError('(body)', (err as Error).message);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new PayloadError('(body)', 'The body must be a JSON object: {"task_id", "description", "status", "due_date"}.');
    const b = body as Record<string, unknown>;
    const unknown = Object.keys(b).find((k) => !(POST_FIELDS as readonly string[]).includes(k));
    if (unknown !== undefined) throw new PayloadError(unknown, `Unknown field "${unknown}"; the fields are ${POST_FIELDS.join(', ')}.`);
    for (const f of STRING_FIELDS) {
      if (b[f] !== undefined && b[f] !== null && typeof b[f] !== 'string') throw new PayloadError(f, `${f} must be a string.`);
    }
    if (b.tags !== undefined && !(Array.isArray(b.tags) && b.tags.every((t) => typeof t === 'string'))) throw new PayloadError('tags', 'tags must be an array of strings.');
    const str = (f: (typeof STRING_FIELDS)[number]) => (typeof b[f] === 'string' ? b[f] : undefined);
    if (boundAgent !== undefined) checkBoundField('created_by', str('created_by'), boundAgent);
    const task = await tasks.post({
      taskId: str('task_id'),
      description: str('description') ?? '',
      status: str('status'),
      dueDate: str('due_date') ?? null,
      priority: str('priority'),
      tags: b.tags,
      createdBy: str('created_by') ?? callerId,
    });
    return { ok: true, task_id: task.task_id, task };
  });
}

/** `GET /tasks?status=&claimed_by=&tag=&limit=&offset=` -> `{ok, tasks, total, next_offset}`. */
export async function handleListTasks(res: ServerResponse, params: URLSearchParams, tasks: TaskService, logger: Logger): Promise<void> {
  await answer(res, logger, async () => {
    const int = (name: string) => {
      const v = params.get(name);
      if (v === null || v === '') return undefined;
      if (!/^\d+$/.test(v)) throw new PayloadError(name, `${name} must be a whole number, got "${v}".`);
      return Number(v);
    };
    const text = (name: string) => params.get(name) || undefined;
    return { ok: true, ...(await tasks.list({ status: text('status'), claimedBy: text('claimed_by'), tag: text('tag'), limit: int('limit'), offset: int('offset') })) };
  });
}

async function answer(res: ServerResponse, logger: Logger, fn: () => Promise<object>): Promise<void> {
  try {
    sendJson(res, 200, await fn());
  } catch (err) {
    const e = err as { code?: unknown; field?: unknown; message?: unknown };
    const message = typeof e.message === 'string' ? e.message : String(err);
    if (err instanceof PayloadError || e.code === 'invalid_arguments') {
      return sendJson(res, 400, { error: 'invalid payload', field: typeof e.field === 'string' ? e.field : '(body)', message });
    }
    if (e.code === 'conflict') return sendJson(res, 409, { error: 'conflict', message });
    if (err instanceof AgentBindingError) return sendJson(res, 403, { error: 'forbidden', message, ...err.details });
    logger.error(err instanceof Error ? err : String(err));
    sendJson(res, 500, { error: 'failed' });
  }
}
