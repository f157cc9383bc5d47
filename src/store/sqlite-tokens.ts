/**
 * TokenRepository (../auth/repository) over node:sqlite: the `api_tokens` table (migration 9).
 * Reads run as plain statements (no write lock: the server reads a token once per refresh, and
 * `codex-governance tokens` writes the same file from another process); writes are durable.
 */
import type { DatabaseSync } from 'node:sqlite';
import { ConflictError } from '../core/errors';
import type { ApiTokenRecord, NewApiToken, TokenRepository } from '../auth/repository';
import { runAsPromise } from '../util/promise';
import { durableWrite, StatementCache } from './sqlite';
import { iso, num, type Row } from './rows';
import { toApiToken, tokenConflict } from './token-records';

export class SqliteTokenRepository implements TokenRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: DatabaseSync) {
    this.sql = new StatementCache(db);
  }

  create(t: NewApiToken): Promise<ApiTokenRecord> {
    return durableWrite(this.db, () => {
      if (this.read(t.id)) throw new ConflictError(tokenConflict(t.id));
      this.sql
        .get('INSERT INTO api_tokens (id, agent_id, admin, secret_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(t.id, t.agentId, t.admin ? 1 : 0, t.secretSha256, iso(t.createdAtMs), t.expiresAtMs === null ? null : iso(t.expiresAtMs));
      return this.read(t.id)!;
    });
  }

  get(id: string): Promise<ApiTokenRecord | undefined> {
    return runAsPromise(() => this.read(id));
  }

  list(): Promise<ApiTokenRecord[]> {
    return runAsPromise(() => this.sql.get('SELECT * FROM api_tokens ORDER BY created_at, rowid').all().map((r) => toApiToken(r as Row)));
  }

  revoke(id: string, atMs: number): Promise<ApiTokenRecord | undefined> {
    return durableWrite(this.db, () => {
      this.sql.get('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(iso(atMs), id);
      return this.read(id);
    });
  }

  markUsed(id: string, atMs: number): Promise<void> {
    return durableWrite(this.db, () => void this.sql.get('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(iso(atMs), id));
  }

  countUsableAgentTokens(atMs: number): Promise<number> {
    return runAsPromise(() =>
      num((this.sql.get('SELECT count(*) AS n FROM api_tokens WHERE admin = 0 AND agent_id IS NOT NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)').get(iso(atMs)) as Row).n),
    );
  }

  private read(id: string): ApiTokenRecord | undefined {
    const row = this.sql.get('SELECT * FROM api_tokens WHERE id = ?').get(id);
    return row ? toApiToken(row) : undefined;
  }
}
