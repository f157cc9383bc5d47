/**
 * Paging through the audit log for `GET /audit`, the `audit_log` MCP resource and the Approvals
 * panel: the same query parameters (`cursor`, `limit` 1..1000 default 100, `decision`, `source`,
 * `type`, and for the panel's history `outcome`, `risk`, `agent`, `decided_by`, `q`, `order`) and
 * the same page shape ({@link AuditQueryPage}).
 *
 * `order=asc` (the default) pages oldest first through {@link AuditLog.read}. `order=desc` pages
 * newest first by reading the JSONL file backwards from the end (or from `cursor`), so the newest
 * page costs the size of that page, not of the whole log.
 *
 * In team mode (PostgreSQL) the log has a shared reader ({@link AuditLog.sharedReader}): every
 * read goes to the shared table `audit_log` instead, whose entries also carry `server` (who wrote
 * them), and whose cursors look like `pg:123` (../store/postgres/audit-reads).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ValidationError } from '../core/errors';
import type { AuditLog, AuditPage, AuditRecord } from '../store/audit';

export interface AuditQuery {
  /**
   * A `next_cursor` (or `tail_cursor`) of an earlier page: a byte offset at the start of a line
   * (the JSONL file), or `pg:<seq>` (team mode's shared table).
   * `asc` continues after it, `desc` continues with the entries before it.
   */
  cursor?: string;
  /** 1..1000; default 100. */
  limit?: number;
  /** `allow_once` | `allow_session` | `deny`: only answers with this decision. */
  decision?: string;
  /** e.g. `codex-full-access`, `codex-exec`, `pause-override`. */
  source?: string;
  /** e.g. `approval.requested`, `approval.answered`. */
  type?: string;
  /** `allowed` (allow_once, allow_session), `denied` (deny, except timeouts) or `timeout`. */
  outcome?: AuditOutcome;
  /** `low` | `medium` | `high` | `critical`. */
  risk?: string;
  /** The asking agent's id, exactly. */
  agent?: string;
  /** `person` | `policy` | `session-grant` | `timeout` | `cancelled` | `error`. */
  decided_by?: string;
  /** Case-insensitive text that some string field of the entry must contain (1..200 characters). */
  q?: string;
  /** `asc` = oldest first (default), `desc` = newest first. */
  order?: 'asc' | 'desc';
}

export type AuditOutcome = 'allowed' | 'denied' | 'timeout';

/** {@link AuditPage} plus, for a `desc` read without a cursor, where a later `asc` read finds newer entries. */
export interface AuditQueryPage extends AuditPage {
  /** End of the complete lines when this page was read; `asc` from here returns only entries appended since. */
  tail_cursor?: string;
}

const DECISIONS = ['allow_once', 'allow_session', 'deny'];
const OUTCOMES: AuditOutcome[] = ['allowed', 'denied', 'timeout'];
const RISKS = ['low', 'medium', 'high', 'critical'];
const DECIDED_BY = ['person', 'policy', 'session-grant', 'timeout', 'cancelled', 'error'];
const MAX_TEXT = 200;

function oneOf(params: URLSearchParams, name: string, allowed: string[]): string | undefined {
  const value = params.get(name);
  if (!value) return undefined;
  if (!allowed.includes(value)) throw new ValidationError(name, `${name} must be one of ${allowed.join(', ')} (got "${value.slice(0, 40)}").`);
  return value;
}

/**
 * Reads query parameters (`URLSearchParams` of `GET /audit`, or of an `audit://log?...` URI).
 * @throws ValidationError naming the parameter (bad limit, unknown decision/outcome/risk/decided_by/order, text too long)
 */
export function auditQueryFrom(params: URLSearchParams): AuditQuery {
  const q: AuditQuery = {};
  const cursor = params.get('cursor');
  if (cursor) q.cursor = cursor;
  const limit = params.get('limit');
  if (limit !== null && limit !== '') {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new ValidationError('limit', `limit must be an integer from 1 to 1000 (got "${limit.slice(0, 20)}").`);
    q.limit = n;
  }
  const decision = oneOf(params, 'decision', DECISIONS);
  if (decision) q.decision = decision;
  const outcome = oneOf(params, 'outcome', OUTCOMES);
  if (outcome) q.outcome = outcome as AuditOutcome;
  const risk = oneOf(params, 'risk', RISKS);
  if (risk) q.risk = risk;
  const decidedBy = oneOf(params, 'decided_by', DECIDED_BY);
  if (decidedBy) q.decided_by = decidedBy;
  const order = oneOf(params, 'order', ['asc', 'desc']);
  if (order) q.order = order as 'asc' | 'desc';
  for (const key of ['source', 'type', 'agent'] as const) {
    const value = params.get(key);
    if (value) q[key] = value;
  }
  const text = params.get('q');
  if (text) {
    if (text.length > MAX_TEXT) throw new ValidationError('q', `q must be at most ${MAX_TEXT} characters (got ${text.length}).`);
    q.q = text;
  }
  return q;
}

/** The query string {@link auditQueryFrom} reads back into `q` (for `GET /audit` from a client). */
export function auditQueryParams(q: AuditQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  return params;
}

/** The entry filter of a query (every given field must match). */
export function auditFilter(q: AuditQuery): (r: AuditRecord) => boolean {
  const text = q.q?.toLowerCase();
  return (r) =>
    (q.decision === undefined || r.decision === q.decision) &&
    (q.source === undefined || r.source === q.source) &&
    (q.type === undefined || r.type === q.type) &&
    (q.risk === undefined || r.risk === q.risk) &&
    (q.agent === undefined || r.agent === q.agent) &&
    (q.decided_by === undefined || r.decided_by === q.decided_by) &&
    (q.outcome === undefined || outcomeOf(r) === q.outcome) &&
    (text === undefined || Object.values(r).some((v) => typeof v === 'string' && v.toLowerCase().includes(text)));
}

/** The fields a query needs equal (what a shared table can narrow by before {@link auditFilter} decides). */
function equalFields(q: AuditQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['type', 'decision', 'source', 'risk', 'agent', 'decided_by'] as const) {
    const value = q[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** `allowed`, `denied` or `timeout` for an answer line; undefined for other lines. */
export function outcomeOf(r: AuditRecord): AuditOutcome | undefined {
  if (r.decision === 'allow_once' || r.decision === 'allow_session') return 'allowed';
  if (r.decision === 'deny') return r.decided_by === 'timeout' ? 'timeout' : 'denied';
  return undefined;
}

/**
 * One page of the log. @throws ValidationError (field `cursor`) for a cursor the log did not produce
 */
export function readAudit(audit: AuditLog, q: AuditQuery): Promise<AuditQueryPage> {
  const filter = auditFilter(q);
  const limit = q.limit ?? 100;
  const shared = audit.sharedReader;
  if (shared) return shared({ ...(q.cursor ? { cursor: q.cursor } : {}), limit, order: q.order ?? 'asc', equals: equalFields(q), filter });
  if (q.order === 'desc') return readNewestFirst(audit.path, q.cursor, limit, filter);
  return audit.read({ ...(q.cursor ? { cursor: q.cursor } : {}), limit, filter });
}

const READ_CHUNK = 64 * 1024;
const CURSOR_HINT = 'Pass the next_cursor of a previous read unchanged, or omit it to start at the newest entry.';

/**
 * Newest first: `entries` newest first, `next_cursor` the start of the last line looked at (the
 * following page holds the matching entries before it). Torn lines and a last line still being
 * written (no newline yet) are skipped, as {@link AuditLog.read} does.
 */
async function readNewestFirst(path: string, cursor: string | undefined, limit: number, filter: (r: AuditRecord) => boolean): Promise<AuditQueryPage> {
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1000)) throw new ValidationError('limit', `limit must be an integer from 1 to 1000 (got ${limit}).`);
  const reader = await open(path, 'r');
  try {
    const { size } = await reader.stat();
    const end = await endOffset(reader, cursor, size);
    const entries: AuditRecord[] = [];
    let next = end;
    let hasMore = false;
    for await (const { line, start } of linesBackward(reader, end)) {
      const record = parseLine(line);
      if (record && filter(record)) {
        if (entries.length === limit) {
          hasMore = true;
          break;
        }
        entries.push(record);
      }
      next = start;
    }
    return { entries, next_cursor: String(next), has_more: hasMore, ...(cursor ? {} : { tail_cursor: String(end) }) };
  } finally {
    await reader.close();
  }
}

/** The offset the backward read starts from: the cursor, or the end of the last complete line. */
async function endOffset(reader: FileHandle, cursor: string | undefined, size: number): Promise<number> {
  if (cursor === undefined || cursor === '') {
    // A last line without its newline is an append in progress (or torn): it is not an entry yet.
    let end = size;
    while (end > 0) {
      const from = Math.max(0, end - READ_CHUNK);
      const chunk = Buffer.alloc(end - from);
      await reader.read(chunk, 0, chunk.length, from);
      const nl = chunk.lastIndexOf(0x0a);
      if (nl >= 0) return from + nl + 1;
      end = from;
    }
    return 0;
  }
  if (!/^\d{1,15}$/.test(cursor)) throw new ValidationError('cursor', `Invalid audit cursor "${cursor.slice(0, 40)}". ${CURSOR_HINT}`);
  const pos = Number(cursor);
  if (pos > size) throw new ValidationError('cursor', `Audit cursor ${pos} is beyond the end of the log (${size} bytes). ${CURSOR_HINT}`);
  if (pos > 0) {
    const prev = Buffer.alloc(1);
    await reader.read(prev, 0, 1, pos - 1);
    if (prev[0] !== 0x0a) throw new ValidationError('cursor', `Audit cursor ${pos} is not at the start of an entry. ${CURSOR_HINT}`);
  }
  return pos;
}

/** Yields the lines ending at or before `end` (which follows a newline), last first, with each line's start offset. */
async function* linesBackward(reader: FileHandle, end: number): AsyncGenerator<{ line: string; start: number }> {
  let buf = Buffer.alloc(0);
  let bufStart = end;
  let lineEnd = end; // just after the newline of the next line to yield
  while (lineEnd > 0) {
    // The newline before this line's own terminator (at lineEnd - 1).
    const searchAt = lineEnd - 2 - bufStart;
    const nl = searchAt >= 0 ? buf.lastIndexOf(0x0a, searchAt) : -1;
    if (nl < 0 && bufStart > 0) {
      const from = Math.max(0, bufStart - READ_CHUNK);
      const chunk = Buffer.alloc(bufStart - from);
      await reader.read(chunk, 0, chunk.length, from);
      buf = Buffer.concat([chunk, buf.subarray(0, lineEnd - bufStart)]);
      bufStart = from;
      continue;
    }
    const start = nl < 0 ? 0 : bufStart + nl + 1;
    yield { line: buf.subarray(start - bufStart, lineEnd - 1 - bufStart).toString('utf8'), start };
    lineEnd = start;
  }
}

function parseLine(line: string): AuditRecord | undefined {
  if (!line.trim()) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as AuditRecord) : undefined;
  } catch {
    return undefined;
  }
}
