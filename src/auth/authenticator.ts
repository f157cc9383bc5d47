/**
 * Checks `cgt_` bearer tokens against the token store without a query per request: a token's row
 * is kept for `refreshMs` (default 2000 ms) and read again after that, so a token revoked on any
 * server sharing the database (or by `codex-governance tokens revoke` in another process) is
 * refused at most `refreshMs` plus one query later. Unknown ids are remembered as unknown for the
 * same time, so random tokens do not cost a query each either.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ApiTokenRecord, TokenRepository } from './repository';
import { parseToken, sha256Hex } from './token-format';

/** Who a request acts as. */
export type Principal =
  /** The server's own token (data dir `token` or CODEX_GOVERNANCE_TOKEN): the extension, the bridge, the hook. */
  | { kind: 'server' }
  /** A `tokens create --admin` token: acts for any agent. */
  | { kind: 'admin'; tokenId: string; agentId: string | null }
  /** A per-agent token: every call acts as `agentId`. */
  | { kind: 'agent'; tokenId: string; agentId: string };

export type TokenRefusal = 'malformed' | 'unknown' | 'mismatch' | 'revoked' | 'expired';

export type TokenCheck = { ok: true; principal: Principal } | { ok: false; reason: TokenRefusal; tokenId?: string; at?: string };

/** Default {@link TokenAuthenticatorOptions.refreshMs}. */
export const TOKEN_REFRESH_MS = 2000;
/** Default {@link TokenAuthenticatorOptions.lastUsedEveryMs}. */
export const LAST_USED_EVERY_MS = 60_000;
const MAX_ENTRIES = 10_000;

export interface TokenAuthenticatorOptions {
  /** How long a token's row is trusted before it is read again, ms (> 0). Default {@link TOKEN_REFRESH_MS}. */
  refreshMs?: number;
  /** `last_used_at` is written at most this often per token, ms. Default {@link LAST_USED_EVERY_MS}. */
  lastUsedEveryMs?: number;
  /** ms since the epoch (tests) */
  now?: () => number;
  /** A failed `last_used_at` write (it never fails a request). */
  onBackgroundError?: (err: unknown) => void;
}

interface Entry {
  record: ApiTokenRecord | undefined;
  hash: Buffer | undefined;
  readAt: number;
}

export class TokenAuthenticator {
  private readonly entries = new Map<string, Entry>();
  private readonly reading = new Map<string, Promise<Entry>>();
  private readonly usedWritten = new Map<string, number>();
  private readonly refreshMs: number;
  private readonly lastUsedEveryMs: number;
  private readonly now: () => number;

  /** @throws RangeError when refreshMs <= 0 */
  constructor(private readonly repo: TokenRepository, private readonly options: TokenAuthenticatorOptions = {}) {
    this.refreshMs = options.refreshMs ?? TOKEN_REFRESH_MS;
    if (!(this.refreshMs > 0)) throw new RangeError(`refreshMs must be > 0 ms, got ${this.refreshMs}`);
    this.lastUsedEveryMs = options.lastUsedEveryMs ?? LAST_USED_EVERY_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * Checks a presented bearer token.
   * @throws what the store throws (StoreUnavailableError when PostgreSQL cannot be reached): the
   *   caller answers 503, never "allowed"
   */
  async check(presented: string): Promise<TokenCheck> {
    const parsed = parseToken(presented);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const entry = await this.entry(parsed.id);
    const { record, hash } = entry;
    if (!record || !hash) return { ok: false, reason: 'unknown' };
    const given = Buffer.from(sha256Hex(parsed.secret), 'hex');
    if (given.length !== hash.length || !timingSafeEqual(given, hash)) return { ok: false, reason: 'mismatch' };
    const now = this.now();
    if (record.revokedAt) return { ok: false, reason: 'revoked', tokenId: record.id, at: record.revokedAt };
    if (record.expiresAt && Date.parse(record.expiresAt) <= now) return { ok: false, reason: 'expired', tokenId: record.id, at: record.expiresAt };
    this.noteUse(record.id, now);
    if (record.admin) return { ok: true, principal: { kind: 'admin', tokenId: record.id, agentId: record.agentId } };
    if (!record.agentId) return { ok: false, reason: 'unknown' };
    return { ok: true, principal: { kind: 'agent', tokenId: record.id, agentId: record.agentId } };
  }

  /**
   * Whether a token already accepted is still usable (not revoked, not expired), from its row as
   * cached (read again after `refreshMs`): lets the server end what a revoked token left open.
   * @throws what the store throws
   */
  async stillUsable(id: string): Promise<boolean> {
    const { record } = await this.entry(id);
    return !!record && !record.revokedAt && !(record.expiresAt && Date.parse(record.expiresAt) <= this.now());
  }

  /** Forgets a token's row (this process revoked it): the next request reads it again. */
  invalidate(id: string): void {
    this.entries.delete(id);
  }

  private entry(id: string): Promise<Entry> {
    const cached = this.entries.get(id);
    if (cached && this.now() - cached.readAt < this.refreshMs) return Promise.resolve(cached);
    let pending = this.reading.get(id);
    if (!pending) {
      pending = this.repo.get(id).then(
        (record) => {
          this.reading.delete(id);
          if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
          const entry: Entry = { record, hash: record ? Buffer.from(record.secretSha256, 'hex') : undefined, readAt: this.now() };
          this.entries.set(id, entry);
          return entry;
        },
        (err: unknown) => {
          this.reading.delete(id);
          throw err;
        },
      );
      this.reading.set(id, pending);
    }
    return pending;
  }

  private noteUse(id: string, now: number): void {
    const last = this.usedWritten.get(id);
    if (last !== undefined && now - last < this.lastUsedEveryMs) return;
    if (this.usedWritten.size >= MAX_ENTRIES) this.usedWritten.clear();
    this.usedWritten.set(id, now);
    this.repo.markUsed(id, now).catch((err: unknown) => this.options.onBackgroundError?.(err));
  }
}

/** The 401 text for a refused token: names the token id and what to do (the holder has the secret, so this tells nothing new). */
export function refusalMessage(check: Extract<TokenCheck, { ok: false }>): string {
  switch (check.reason) {
    case 'revoked':
      return `Token ${check.tokenId} was revoked at ${check.at}; ask for a new one (codex-governance tokens create).`;
    case 'expired':
      return `Token ${check.tokenId} expired at ${check.at}; ask for a new one (codex-governance tokens create --expires ...).`;
    default:
      return 'Unauthorized.';
  }
}
