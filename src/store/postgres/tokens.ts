/** TokenRepository (../../auth/repository) over PostgreSQL: the `api_tokens` table (migration 2). */
import { ConflictError } from '../../core/errors';
import type { ApiTokenRecord, NewApiToken, TokenRepository } from '../../auth/repository';
import { iso, type Row } from '../rows';
import { toApiToken, tokenConflict } from '../token-records';
import { int, type PgPool } from './pool';

export class PgTokenRepository implements TokenRepository {
  constructor(private readonly db: PgPool) {}

  async create(t: NewApiToken): Promise<ApiTokenRecord> {
    try {
      const r = await this.db.query(
        'INSERT INTO api_tokens (id, agent_id, admin, secret_sha256, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
        [t.id, t.agentId, t.admin, t.secretSha256, iso(t.createdAtMs), t.expiresAtMs === null ? null : iso(t.expiresAtMs)],
      );
      return toApiToken(r.rows[0] as Row);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new ConflictError(tokenConflict(t.id));
      throw err;
    }
  }

  async get(id: string): Promise<ApiTokenRecord | undefined> {
    const r = await this.db.query('SELECT * FROM api_tokens WHERE id = $1', [id]);
    return r.rows[0] ? toApiToken(r.rows[0] as Row) : undefined;
  }

  async list(): Promise<ApiTokenRecord[]> {
    return (await this.db.query('SELECT * FROM api_tokens ORDER BY created_at, inserted')).rows.map((r) => toApiToken(r as Row));
  }

  async revoke(id: string, atMs: number): Promise<ApiTokenRecord | undefined> {
    // COALESCE keeps the first revocation time when two operators revoke at once.
    const r = await this.db.query('UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 RETURNING *', [iso(atMs), id]);
    return r.rows[0] ? toApiToken(r.rows[0] as Row) : undefined;
  }

  async markUsed(id: string, atMs: number): Promise<void> {
    await this.db.query('UPDATE api_tokens SET last_used_at = $1 WHERE id = $2', [iso(atMs), id]);
  }

  async countUsableAgentTokens(atMs: number): Promise<number> {
    const r = await this.db.query('SELECT count(*) AS n FROM api_tokens WHERE NOT admin AND agent_id IS NOT NULL AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $1)', [iso(atMs)]);
    return int(r.rows[0]?.n);
  }
}
