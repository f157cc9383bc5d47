/** CodexSessionRepository over PostgreSQL (table `codex_sessions`): the record as JSON text. */
import type { CodexSessionRecord, CodexSessionRepository } from '../../supervisor/session';
import { parseJson } from '../rows';
import type { PgPool } from './pool';

const UPSERT = `
  INSERT INTO codex_sessions (id, thread_id, backend, status, created_at, last_activity_at, record) VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (id) DO UPDATE SET thread_id = excluded.thread_id, backend = excluded.backend, status = excluded.status,
    last_activity_at = excluded.last_activity_at, record = excluded.record`;

export class PgCodexSessionRepository implements CodexSessionRepository {
  constructor(private readonly db: PgPool) {}

  async save(r: CodexSessionRecord): Promise<void> {
    await this.db.query(UPSERT, [r.id, r.threadId, r.backend, r.status, r.createdAt, r.lastActivityAt, JSON.stringify(r)]);
  }

  async list(limit: number): Promise<CodexSessionRecord[]> {
    const r = await this.db.query<{ record: string }>('SELECT record FROM codex_sessions ORDER BY last_activity_at DESC, id LIMIT $1', [limit]);
    return r.rows.map((row) => parseJson<CodexSessionRecord | null>(row.record, null)).filter((x): x is CodexSessionRecord => x !== null && typeof x.id === 'string');
  }

  async prune(keep: number): Promise<number> {
    const r = await this.db.query('DELETE FROM codex_sessions WHERE id NOT IN (SELECT id FROM codex_sessions ORDER BY last_activity_at DESC, id LIMIT $1)', [keep]);
    return r.rowCount ?? 0;
  }
}
