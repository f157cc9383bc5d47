/**
 * CodexSessionRepository over node:sqlite (table `codex_sessions`, migration 2): the record as
 * JSON plus the columns the lists sort and filter on.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { CodexSessionRecord, CodexSessionRepository } from '../supervisor/session';
import { parseJson } from './rows';
import { durableWrite, StatementCache } from './sqlite';
import { runAsPromise } from '../util/promise';

const UPSERT = `
  INSERT INTO codex_sessions (id, thread_id, backend, status, created_at, last_activity_at, record) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET thread_id = excluded.thread_id, backend = excluded.backend, status = excluded.status,
    last_activity_at = excluded.last_activity_at, record = excluded.record`;

export class SqliteCodexSessionRepository implements CodexSessionRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: DatabaseSync) {
    this.sql = new StatementCache(db);
  }

  async save(r: CodexSessionRecord): Promise<void> {
    const json = JSON.stringify(r);
    await durableWrite(this.db, () => {
      this.sql.get(UPSERT).run(r.id, r.threadId, r.backend, r.status, r.createdAt, r.lastActivityAt, json);
    });
  }

  list(limit: number): Promise<CodexSessionRecord[]> {
    return runAsPromise(() => {
      const rows = this.sql.get('SELECT record FROM codex_sessions ORDER BY last_activity_at DESC, id LIMIT ?').all(limit) as Array<{ record: unknown }>;
      return rows.map((row) => parseJson<CodexSessionRecord | null>(row.record, null)).filter((r): r is CodexSessionRecord => r !== null && typeof r.id === 'string');
    });
  }

  async prune(keep: number): Promise<number> {
    return durableWrite(this.db, () => {
      const result = this.sql
        .get('DELETE FROM codex_sessions WHERE id NOT IN (SELECT id FROM codex_sessions ORDER BY last_activity_at DESC, id LIMIT ?)')
        .run(keep);
      return Number(result.changes);
    });
  }
}
