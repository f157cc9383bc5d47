/**
 * Paging through the audit log for `GET /audit` and the `audit_log` MCP resource: the same query
 * parameters (`cursor`, `limit` 1..1000 default 100, `decision`, `source`, `type`) and the same
 * page shape ({@link AuditPage}: `entries` oldest first, `next_cursor`, `has_more`).
 */
import { ValidationError } from '../core/errors';
import type { AuditLog, AuditPage, AuditRecord } from '../store/audit';

export interface AuditQuery {
  cursor?: string;
  /** 1..1000; default 100. */
  limit?: number;
  /** `allow_once` | `allow_session` | `deny`: only answers with this decision. */
  decision?: string;
  /** e.g. `codex-full-access`, `codex-exec`, `pause-override`. */
  source?: string;
  /** e.g. `approval.requested`, `approval.answered`. */
  type?: string;
}

const DECISIONS = ['allow_once', 'allow_session', 'deny'];

/**
 * Reads query parameters (`URLSearchParams` of `GET /audit`, or of an `audit://log?...` URI).
 * @throws ValidationError naming the parameter (bad limit, unknown decision)
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
  const decision = params.get('decision');
  if (decision) {
    if (!DECISIONS.includes(decision)) throw new ValidationError('decision', `decision must be one of ${DECISIONS.join(', ')} (got "${decision.slice(0, 40)}").`);
    q.decision = decision;
  }
  const source = params.get('source');
  if (source) q.source = source;
  const type = params.get('type');
  if (type) q.type = type;
  return q;
}

/**
 * One page of the log. @throws ValidationError (field `cursor`) for a cursor the log did not produce
 */
export function readAudit(audit: AuditLog, q: AuditQuery): Promise<AuditPage> {
  const filter = (r: AuditRecord) => (q.decision === undefined || r.decision === q.decision) && (q.source === undefined || r.source === q.source) && (q.type === undefined || r.type === q.type);
  return audit.read({ ...(q.cursor ? { cursor: q.cursor } : {}), limit: q.limit ?? 100, filter });
}
