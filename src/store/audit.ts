/**
 * The audit trail: an append-only JSONL file (`audit.jsonl` beside the database), one JSON object
 * per line, `{ts, ...entry}`. Appends are serialized (lines never interleave) and each one is
 * flushed to disk (fdatasync) before its promise resolves, so an acknowledged entry survives a
 * crash. String values are passed through `maskSecrets`, and values of secret-looking keys
 * (token, secret, password, api key, authorization) are replaced by `****`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ValidationError } from '../core/errors';
import { maskSecrets } from '../util/log';

export const AUDIT_FILE = 'audit.jsonl';

/** What callers append; `type` names the event (e.g. `approval.requested`, `tool.call`). */
export interface AuditEntry {
  type: string;
  [field: string]: unknown;
}

/** A stored line: the entry plus its timestamp (ISO-8601 UTC). */
export interface AuditRecord extends AuditEntry {
  ts: string;
}

export interface AuditReadOptions {
  /** `next_cursor` of a previous read; omitted = from the first entry. */
  cursor?: string;
  /** Maximum entries returned, 1..1000. */
  limit: number;
  /** Top-level fields that must be equal (e.g. `{type: 'approval.answered'}`), or a predicate. */
  filter?: Record<string, string | number | boolean> | ((record: AuditRecord) => boolean);
}

export interface AuditPage {
  /** Oldest first. */
  entries: AuditRecord[];
  /** Where the next read continues; also valid for polling after the last entry. */
  next_cursor: string;
  /** True when entries beyond this page already exist. */
  has_more: boolean;
}

/**
 * A read of the team's shared audit table (PostgreSQL `audit_log`, every server's entries), paged
 * like {@link AuditLog.read}. Its cursors are the table's own (not byte offsets of a file).
 */
export interface SharedAuditReadOptions {
  /** `next_cursor` / `tail_cursor` of an earlier shared read; omitted = from the oldest (`asc`) or newest (`desc`) entry. */
  cursor?: string;
  /** Maximum entries returned, 1..1000. */
  limit: number;
  /** `asc` oldest first, `desc` newest first. */
  order: 'asc' | 'desc';
  /** Top-level string fields that must be equal (narrow the scan; `filter` still decides). */
  equals: Record<string, string>;
  /** Whether an entry belongs in the page. */
  filter: (record: AuditRecord) => boolean;
}

/** {@link AuditPage}; a `desc` read without cursor also gives `tail_cursor` (an `asc` read from there returns only newer entries). */
export interface SharedAuditPage extends AuditPage {
  tail_cursor?: string;
}

/** Reads the shared table. @throws ValidationError (field `cursor` or `limit`); StoreUnavailableError while the database is down */
export type SharedAuditReader = (options: SharedAuditReadOptions) => Promise<SharedAuditPage>;

const SECRET_KEY = /token|secret|password|passwd|api[_-]?key|authorization|credential/i;
const READ_CHUNK = 64 * 1024;

export class AuditLog {
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private mirror: ((record: AuditRecord) => Promise<void>) | undefined;
  private shared: SharedAuditReader | undefined;

  private constructor(
    /** Absolute path of the JSONL file. */
    readonly path: string,
    private readonly handle: FileHandle,
    private readonly clock: () => number,
  ) {}

  /**
   * Opens (creating with mode 0600) `<dataDir>/audit.jsonl` for appending.
   * @param clock ms since epoch, for `ts`
   */
  static async open(dataDir: string, clock: () => number = Date.now): Promise<AuditLog> {
    const path = join(resolve(dataDir), AUDIT_FILE);
    const handle = await open(path, 'a+', 0o600);
    // A crash mid-append can leave a torn last line; end it so the next entry starts on its own line.
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await handle.appendFile('\n');
    }
    return new AuditLog(path, handle, clock);
  }

  /**
   * Appends one entry; resolves with the stored record once it is on disk.
   * @throws Error after close()
   */
  async append(entry: AuditEntry): Promise<AuditRecord> {
    return (await this.appendAll([entry]))[0]!;
  }

  /**
   * Appends entries in one write and one fdatasync (one disk wait for lines that belong together,
   * e.g. a request and its answer decided at once); resolves with the stored records once all are
   * on disk, or rejects with none acknowledged.
   * @throws Error after close()
   */
  appendAll(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    if (this.closed) return Promise.reject(new Error(`The audit log ${this.path} is closed.`));
    const ts = new Date(this.clock()).toISOString();
    const records = entries.map((entry): AuditRecord => ({ ts, ...(maskValue(entry) as AuditEntry) }));
    const text = records.map((r) => JSON.stringify(r) + '\n').join('');
    const write = this.chain.then(async () => {
      await this.handle.appendFile(text);
      await this.handle.datasync();
      // The file is the record of this server; the shared copy is best effort (a database outage
      // must not fail the approval that is being logged).
      for (const record of records) await this.mirror?.(record).catch(() => undefined);
      return records;
    });
    // A failed append must not block later ones.
    this.chain = write.catch(() => undefined);
    return write;
  }

  /**
   * Reads a page of entries, oldest first. Lines that are not valid JSON (a torn write) are skipped.
   * @throws ValidationError (field `cursor`) for a cursor this log did not produce
   */
  async read(options: AuditReadOptions): Promise<AuditPage> {
    const limit = Math.trunc(options.limit);
    if (!(limit >= 1 && limit <= 1000)) throw new ValidationError('limit', `limit must be an integer from 1 to 1000 (got ${options.limit}).`);
    const matches = toPredicate(options.filter);
    const reader = await open(this.path, 'r');
    try {
      const { size } = await reader.stat();
      const start = await parseCursor(options.cursor, reader, size);
      const entries: AuditRecord[] = [];
      let next = start;
      let hasMore = false;
      for await (const { line, end } of scanLines(reader, start, size)) {
        const record = parseLine(line);
        if (record && matches(record)) {
          if (entries.length === limit) {
            hasMore = true;
            break;
          }
          entries.push(record);
        }
        next = end;
      }
      return { entries, next_cursor: String(next), has_more: hasMore };
    } finally {
      await reader.close();
    }
  }

  /** Also hands every appended record (after it is on disk) to `mirror`, e.g. the team's shared audit table. */
  mirrorTo(mirror: (record: AuditRecord) => Promise<void>): void {
    this.mirror = mirror;
  }

  /**
   * Reads of the audit trail go to the team's shared table instead of this file (../approvals/audit-query):
   * with PostgreSQL every member sees every server's entries. Appends still go to the file first.
   */
  readSharedFrom(reader: SharedAuditReader): void {
    this.shared = reader;
  }

  /** The shared table's reader when one is set (team mode), else undefined: read the file. */
  get sharedReader(): SharedAuditReader | undefined {
    return this.shared;
  }

  /** Waits for pending appends, then closes the file; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    await this.handle.close();
  }
}

/** Masks secrets in every string of a JSON-like value; secret-named keys lose their value entirely. */
function maskValue(value: unknown, key?: string): unknown {
  if (typeof value === 'string') return key !== undefined && SECRET_KEY.test(key) ? '****' : maskSecrets(value);
  if (Array.isArray(value)) return value.map((v) => maskValue(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskValue(v, k);
    return out;
  }
  return value;
}

function toPredicate(filter: AuditReadOptions['filter']): (record: AuditRecord) => boolean {
  if (!filter) return () => true;
  if (typeof filter === 'function') return filter;
  const pairs = Object.entries(filter);
  return (record) => pairs.every(([k, v]) => record[k] === v);
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

const CURSOR_HINT = 'Pass the next_cursor of a previous read unchanged, or omit it to start at the first entry.';

/** A cursor is a byte offset at the start of a line. */
async function parseCursor(cursor: string | undefined, reader: FileHandle, size: number): Promise<number> {
  if (cursor === undefined || cursor === '') return 0;
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

/**
 * Yields the complete lines from byte `start` to `size` with the offset just after each; a last
 * line without its newline (an append in progress, or a torn write) is not yielded.
 */
async function* scanLines(reader: FileHandle, start: number, size: number): AsyncGenerator<{ line: string; end: number }> {
  let pending = Buffer.alloc(0);
  let pendingStart = start;
  let readPos = start;
  while (readPos < size) {
    const chunk = Buffer.alloc(Math.min(READ_CHUNK, size - readPos));
    const { bytesRead } = await reader.read(chunk, 0, chunk.length, readPos);
    if (bytesRead === 0) return;
    readPos += bytesRead;
    pending = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
    let nl: number;
    while ((nl = pending.indexOf(0x0a)) >= 0) {
      const line = pending.subarray(0, nl).toString('utf8');
      pending = pending.subarray(nl + 1);
      pendingStart += nl + 1;
      yield { line, end: pendingStart };
    }
  }
}
