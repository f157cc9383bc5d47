/** Row -> record mapping of the `api_tokens` table, shared by the SQLite and PostgreSQL repositories. */
import type { ApiTokenRecord } from '../auth/repository';
import { str, strOrNull, type Row } from './rows';

export function toApiToken(r: Row): ApiTokenRecord {
  return {
    id: str(r.id),
    agentId: strOrNull(r.agent_id),
    // SQLite INTEGER 0/1, PostgreSQL BOOLEAN (Number(true) is 1)
    admin: Number(r.admin) === 1,
    secretSha256: str(r.secret_sha256),
    createdAt: str(r.created_at),
    expiresAt: strOrNull(r.expires_at),
    revokedAt: strOrNull(r.revoked_at),
    lastUsedAt: strOrNull(r.last_used_at),
  };
}

export const tokenConflict = (id: string) => `A token with id ${id} already exists; create another (ids are random, so this is a one-in-2^48 chance or a copied database).`;
