/**
 * CodexSessionRepository over PostgreSQL (table `codex_sessions`): the record as JSON text, with the
 * server it belongs to. A Codex session is a process of the server that started it, so each server
 * reads, overwrites and prunes only its own records: a server starting up marks its own sessions
 * that were running `lost`, never another server's.
 */
import type { CodexSessionRecord, CodexSessionRepository } from '../../supervisor/session';
import { parseJson } from '../rows';
import type { PgPool } from './pool';

/** Another server's record of the same id is left as it is (ids are random; this only guards). */
const UPSERT = `
  INSERT INTO codex_sessions (id, thread_id, backend, status, created_at, last_activity_at, record, server) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (id) DO UPDATE SET thread_id = excluded.thread_id, backend = excluded.backend, status = excluded.status,
    last_activity_at = excluded.last_activity_at, record = excluded.record
  WHERE codex_sessions.server = excluded.server`;

export class PgCodexSessionRepository implements CodexSessionRepository {
  /** @param server this server's identity (see `sessionOwner` in src/store/open.ts) */
  constructor(
    private readonly db: PgPool,
    private readonly server: string,
  ) {}

  async save(r: CodexSessionRecord): Promise<void> {
    await this.db.query(UPSERT, [r.id, r.threadId, r.backend, r.status, r.createdAt, r.lastActivityAt, JSON.stringify(r), this.server]);
  }

  async list(limit: number): Promise<CodexSessionRecord[]> {
    const r = await this.db.query<{ record: string }>('SELECT record FROM codex_sessions WHERE server = $1 ORDER BY last_activity_at DESC, id LIMIT $2', [this.server, limit]);
    return r.rows.map((row) => parseJson<CodexSessionRecord | null>(row.record, null)).filter((x): x is CodexSessionRecord => x !== null && typeof x.id === 'string');
  }

  async prune(keep: number): Promise<number> {
    const r = await this.db.query(
      'DELETE FROM codex_sessions WHERE server = $1 AND id NOT IN (SELECT id FROM codex_sessions WHERE server = $1 ORDER BY last_activity_at DESC, id LIMIT $2)',
      [this.server, keep],
    );
    return r.rowCount ?? 0;
  }
}
