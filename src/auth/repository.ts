/**
 * Storage of the bearer tokens made with `codex-governance tokens create` (team mode). A token is
 * `cgt_<id>_<secret>`; only the SHA-256 of the secret is stored, never the secret. Implemented by
 * both stores (../store/sqlite-tokens, ../store/postgres/tokens), one contract suite for both.
 */

/** One stored token, as the stores return it (times are ISO-8601 UTC text). */
export interface ApiTokenRecord {
  /** 12 lower-case hex characters; the `<id>` part of the token. */
  id: string;
  /** The agent the token acts as; null only for an admin token made without `--agent`. */
  agentId: string | null;
  /** An admin token is not bound to an agent: it may act for any agent (as the server's own token). */
  admin: boolean;
  /** SHA-256 of the `<secret>` part, 64 lower-case hex characters. */
  secretSha256: string;
  createdAt: string;
  /** null: never expires. */
  expiresAt: string | null;
  /** null: not revoked. */
  revokedAt: string | null;
  /** Last time a server accepted the token (written at most once a minute per server), or null. */
  lastUsedAt: string | null;
}

export interface NewApiToken {
  id: string;
  agentId: string | null;
  admin: boolean;
  secretSha256: string;
  /** ms since the epoch */
  createdAtMs: number;
  /** ms since the epoch; null: never expires */
  expiresAtMs: number | null;
}

export interface TokenRepository {
  /** @throws an error with `code: 'conflict'` when the id exists */
  create(token: NewApiToken): Promise<ApiTokenRecord>;
  get(id: string): Promise<ApiTokenRecord | undefined>;
  /** Every token, oldest first. */
  list(): Promise<ApiTokenRecord[]>;
  /**
   * Revokes a token at `atMs` (ms since the epoch); revoking it again keeps the first time.
   * @returns the record after the change, undefined when there is no such token
   */
  revoke(id: string, atMs: number): Promise<ApiTokenRecord | undefined>;
  /** Records a use at `atMs` (ms since the epoch); a missing id is ignored. */
  markUsed(id: string, atMs: number): Promise<void>;
  /** How many tokens bound to an agent (not admin) are neither revoked nor expired at `atMs`. */
  countUsableAgentTokens(atMs: number): Promise<number>;
}
