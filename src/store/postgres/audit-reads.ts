/**
 * Reads the team's shared audit table `audit_log` (every server's entries, inserted by
 * ./store `appendAudit`), a page at a time, oldest or newest first, with the same page shape as the
 * JSONL file's reads (../audit). Each returned entry carries `server`: the server that wrote it
 * (the table's column), so a history can say where a request was answered.
 *
 * Cursors are `pg:<seq>` (the table's BIGSERIAL key), not byte offsets: a cursor of the file is
 * refused rather than read as a row number.
 *
 * Known limit: `seq` is taken when a row is inserted, not when it commits, so an entry that two
 * servers insert in the same instant may commit below a cursor already handed out; a reader
 * polling `asc` from that cursor misses it, a fresh read shows it.
 */
import { ValidationError } from '../../core/errors';
import type { AuditRecord, SharedAuditPage, SharedAuditReadOptions } from '../audit';
import type { PgPool } from './pool';

/** Rows fetched per query while looking for `limit` matching entries. */
const BATCH = 500;
const CURSOR = /^pg:(\d{1,18})$/;
const FIELD = /^[a-z_]{1,40}$/;
const CURSOR_HINT = 'Pass the next_cursor of a previous read unchanged, or omit it to start at the first (or, newest first, the last) entry.';

/**
 * One page of the shared table.
 * @throws ValidationError (field `limit`) outside 1..1000, (field `cursor`) for a cursor not of this table
 * @throws StoreUnavailableError while the database cannot be reached
 */
export async function readPgAudit(pool: PgPool, options: SharedAuditReadOptions): Promise<SharedAuditPage> {
  const limit = Math.trunc(options.limit);
  if (!(limit >= 1 && limit <= 1000)) throw new ValidationError('limit', `limit must be an integer from 1 to 1000 (got ${options.limit}).`);
  const desc = options.order === 'desc';
  let start = parseCursor(options.cursor);
  let tail: number | undefined;
  if (desc && start === undefined) {
    // Fixed before scanning, so entries written during the read are left for a later `asc` poll.
    const top = await pool.query<{ top: string | null }>('SELECT max(seq)::text AS top FROM audit_log');
    tail = Number(top.rows[0]?.top ?? 0);
    start = tail + 1;
  }
  let position = start ?? 0;
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(options.equals)) {
    if (!FIELD.test(field)) throw new ValidationError(field, `Unknown audit field "${field.slice(0, 40)}".`);
    params.push(field, value);
    where.push(`(entry::jsonb ->> $${params.length - 1}) = $${params.length}`);
  }
  const entries: AuditRecord[] = [];
  let next = position;
  let hasMore = false;
  scan: for (;;) {
    const sql = `SELECT seq::text AS at_seq, server, entry FROM audit_log WHERE seq ${desc ? '<' : '>'} $${params.length + 1}${where.map((w) => ` AND ${w}`).join('')} ORDER BY seq ${desc ? 'DESC' : 'ASC'} LIMIT ${BATCH}`;
    const rows = (await pool.query<{ at_seq: string; server: string; entry: string }>(sql, [...params, position])).rows;
    for (const row of rows) {
      const seq = Number(row.at_seq);
      const record = parseEntry(row.entry, row.server);
      if (record && options.filter(record)) {
        if (entries.length === limit) {
          hasMore = true;
          break scan;
        }
        entries.push(record);
      }
      next = seq;
    }
    if (rows.length < BATCH) break;
    position = next;
  }
  return { entries, next_cursor: `pg:${next}`, has_more: hasMore, ...(tail !== undefined ? { tail_cursor: `pg:${tail}` } : {}) };
}

function parseCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const m = CURSOR.exec(cursor);
  if (!m) throw new ValidationError('cursor', `Invalid audit cursor "${cursor.slice(0, 40)}" for the shared audit table (cursors look like pg:123). ${CURSOR_HINT}`);
  return Number(m[1]);
}

/** The stored entry with the writing server added (an entry that names its own server keeps it). */
function parseEntry(text: string, server: string): AuditRecord | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return { server, ...(value as AuditRecord) };
  } catch {
    return undefined;
  }
}
