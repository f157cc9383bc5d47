/**
 * The shape of a per-agent or admin token: `cgt_<id>_<secret>`, id = 12 lower-case hex characters
 * (so a server finds the row by id instead of hashing against every row), secret = 32 random bytes
 * in base64url (43 characters). Only SHA-256(secret) is stored: the secret has 256 bits of
 * entropy, so a plain hash (no salt, no slow KDF) is enough, as for GitHub's or Stripe's API keys.
 */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'cgt_';
const TOKEN_RE = /^cgt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  id: string;
  /** The whole bearer token, `cgt_<id>_<secret>`: shown once, never stored. */
  token: string;
  secretSha256: string;
}

/** SHA-256 of a secret as 64 lower-case hex characters. */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new random token. */
export function issueToken(): IssuedToken {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${TOKEN_PREFIX}${id}_${secret}`, secretSha256: sha256Hex(secret) };
}

/** Splits a presented bearer token; undefined when it does not have the `cgt_<id>_<secret>` shape. */
export function parseToken(text: string): { id: string; secret: string } | undefined {
  const m = TOKEN_RE.exec(text);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** True when the text looks like a token id (12 lower-case hex characters). */
export function isTokenId(text: string): boolean {
  return /^[0-9a-f]{12}$/.test(text);
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * Reads an expiry: a duration from `nowMs` (`90m`, `12h`, `30d`, `2w`) or an ISO-8601 date or
 * date-time (`2027-01-31`, `2027-01-31T18:00:00Z`).
 * @returns ms since the epoch
 * @throws Error naming `--expires`, the value and the accepted forms, or saying it is in the past
 */
export function parseExpiry(value: string, nowMs: number): number {
  const v = value.trim();
  const d = /^(\d{1,6})([mhdw])$/.exec(v);
  let at: number;
  if (d) at = nowMs + Number(d[1]) * UNIT_MS[d[2]!]!;
  else if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v))) at = Date.parse(v);
  else throw new Error(`--expires "${value}" is neither a duration (90m, 12h, 30d, 2w) nor an ISO-8601 date (2027-01-31 or 2027-01-31T18:00:00Z).`);
  if (at <= nowMs) throw new Error(`--expires "${value}" is in the past (${new Date(at).toISOString()}); give a later date or a duration such as 30d.`);
  return at;
}
