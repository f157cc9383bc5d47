/**
 * Posting generated tasks to a running governance server with seed 003's REST shapes: `POST /tasks`
 * with `X-AGENT-TOKEN`, answers `{ok, task_id, task}` or `{error, field?, message?}`; `GET /tasks`
 * answers `{ok, tasks, total, next_offset}` (src/server/http/tasks-routes.ts). Posting is one
 * task at a time, in order, and stops at the first failure so the report says exactly which
 * tasks exist on the server.
 */
import type { TaskRecord } from './repository';
import type { GeneratedTask } from './generator';

/** A governance server the generator talks to. */
export interface ServerTarget {
  /** e.g. `http://127.0.0.1:8765` (no trailing slash needed). */
  url: string;
  token: string;
  /** Where the token came from (`env:CODEX_GOVERNANCE_TOKEN` or a file), for messages. */
  tokenSource: string;
  /** Deadline of each request, ms. */
  timeoutMs: number;
}

/** The server cannot be used (down, wrong token, not a governance server). */
export class ServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerError';
  }
}

export interface PostOutcome {
  /** Posted, in order: 1-based task number and the id the server gave. */
  posted: Array<{ task: number; task_id: string }>;
  /** The first failure, if any; every task after it was not tried. */
  failed: { task: number; message: string } | null;
  /** 1-based numbers of the tasks not posted (the failed one included). */
  notPosted: number[];
}

/** A JSON value as message text (strings as they are). */
function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * ` (error field: message)` from a seed 003 error body, ` (code: message)` from the server's other
 * shape `{success: false, error: {code, message}}` (401 elsewhere, 429), or nothing.
 */
function errorDetail(json: Record<string, unknown> | null): string {
  if (!json || json.error === undefined) return '';
  const e = json.error;
  if (e && typeof e === 'object' && 'message' in e && typeof e.message === 'string') return ` (${text('code' in e ? e.code : 'error')}: ${e.message})`;
  const field = typeof json.field === 'string' ? ` field ${json.field}` : '';
  return ` (${text(json.error)}${field}${json.message === undefined ? '' : `: ${text(json.message)}`})`;
}

function base(url: string): string {
  return url.replace(/\/+$/, '');
}

async function request(t: ServerTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> | null }> {
  let res: Response;
  try {
    res = await fetch(`${base(t.url)}${path}`, {
      method,
      headers: { 'X-AGENT-TOKEN': t.token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(t.timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${t.timeoutMs / 1000} s` : (e.cause?.code ?? e.message);
    throw new ServerError(`Cannot reach the governance server at ${t.url} (${why}). Start it with "codex-governance serve" (or VS Code), or pass its address with --server.`);
  }
  const text = await res.text();
  let json: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: judged by the status below.
  }
  return { status: res.status, json };
}

/**
 * Whether the server takes `t.token` (`GET /tasks?limit=1`): asked before any model call, so a
 * stopped server or a wrong token costs no model request.
 * @returns `refused` for HTTP 401, `accepted` for a task list
 * @throws ServerError naming the cause and the fix (unreachable, not a governance server)
 */
export async function checkTaskServer(t: ServerTarget): Promise<'accepted' | 'refused'> {
  const { status, json } = await request(t, 'GET', '/tasks?limit=1');
  if (status === 401) return 'refused';
  if (status !== 200 || json?.ok !== true) {
    throw new ServerError(`${base(t.url)}/tasks answered HTTP ${status}${errorDetail(json)}, not a task list: is ${t.url} a Codex Governance server? Pass its address with --server.`);
  }
  return 'accepted';
}

/** `GET /tasks` with the seed's filters. @throws ServerError */
export async function listTasks(t: ServerTarget, q: { status?: string; tag?: string; limit?: number }): Promise<{ tasks: TaskRecord[]; total: number }> {
  const params = new URLSearchParams();
  if (q.status) params.set('status', q.status);
  if (q.tag) params.set('tag', q.tag);
  if (q.limit !== undefined) params.set('limit', String(q.limit));
  const { status, json } = await request(t, 'GET', `/tasks?${params.toString()}`);
  if (status === 401) throw new ServerError(`The governance server at ${t.url} refused the token (from ${t.tokenSource}; HTTP 401).`);
  if (status !== 200 || json?.ok !== true || !Array.isArray(json.tasks)) throw new ServerError(`GET /tasks failed with HTTP ${status}${errorDetail(json)}.`);
  return { tasks: json.tasks as TaskRecord[], total: Number(json.total) };
}

/**
 * Posts `tasks` in order as `created_by`, stopping at the first failure (an unreachable server
 * included: it is reported as that task's failure, not thrown).
 */
export async function postTasks(t: ServerTarget, tasks: GeneratedTask[], createdBy: string): Promise<PostOutcome> {
  const posted: PostOutcome['posted'] = [];
  for (const [i, task] of tasks.entries()) {
    let message: string;
    try {
      const { status, json } = await request(t, 'POST', '/tasks', { description: task.description, status: 'pending', due_date: task.due_date, priority: task.priority, tags: task.tags, created_by: createdBy });
      if (status === 200 && json?.ok === true && typeof json.task_id === 'string') {
        posted.push({ task: i + 1, task_id: json.task_id });
        continue;
      }
      message = `HTTP ${status}${errorDetail(json)}`;
    } catch (err) {
      message = (err as Error).message;
    }
    return { posted, failed: { task: i + 1, message }, notPosted: tasks.slice(i).map((_, j) => i + j + 1) };
  }
  return { posted, failed: null, notPosted: [] };
}
