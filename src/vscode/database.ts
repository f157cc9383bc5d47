/**
 * The team database in VS Code: the password of `codexGovernance.server.database` kept in
 * SecretStorage (never in settings or logs), the URL the server opens (setting + password, in
 * memory only), and what a failed start against that database tells the person. Plain TypeScript
 * over a minimal secret store, so it is unit tested without VS Code.
 *
 * The password is stored for one `user@host:port` and only ever sent there: a settings change that
 * points the URL at another server (a workspace, a typo) cannot carry the stored password with it.
 */
import { DATABASE_SETTING, maskDatabaseUrl, SET_DATABASE_PASSWORD_TITLE } from './settings';

export const DATABASE_PASSWORD_SECRET_KEY = 'codexGovernance.databasePassword';

/** The part of `vscode.SecretStorage` this module uses. */
export interface DatabaseSecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

/** Who a password belongs to: `user@host:port` of a `postgres://` URL (port 5432 when unset). */
export function databaseAccount(url: string): string {
  const u = new URL(url);
  return `${decodeURIComponent(u.username) || '(default user)'}@${u.hostname}:${u.port || '5432'}`;
}

/**
 * The URL with `password` put in (percent-encoded: `pg` decodes the user part of the URL), for the
 * server only; callers keep it in memory. No password: the URL unchanged.
 */
export function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** Stored secret: which account the password is for, and the password. */
interface StoredPassword {
  account: string;
  password: string;
}

/** The database password in SecretStorage, bound to the account it was set for. */
export class DatabasePasswords {
  constructor(private readonly secrets: DatabaseSecretStore) {}

  /** Keeps `password` for the account of `url`, replacing any other. */
  async set(url: string, password: string): Promise<void> {
    const value: StoredPassword = { account: databaseAccount(url), password };
    await this.secrets.store(DATABASE_PASSWORD_SECRET_KEY, JSON.stringify(value));
  }

  /** The password for `url`'s account; undefined when none is stored, or it is another account's. */
  async get(url: string): Promise<string | undefined> {
    const stored = await this.stored();
    return stored && stored.account === databaseAccount(url) ? stored.password : undefined;
  }

  /** The account a password is stored for, if any (never the password). */
  async account(): Promise<string | undefined> {
    return (await this.stored())?.account;
  }

  async clear(): Promise<void> {
    await this.secrets.delete(DATABASE_PASSWORD_SECRET_KEY);
  }

  private async stored(): Promise<StoredPassword | undefined> {
    const raw = await this.secrets.get(DATABASE_PASSWORD_SECRET_KEY);
    if (!raw) return undefined;
    try {
      const value = JSON.parse(raw) as Partial<StoredPassword>;
      return typeof value.account === 'string' && typeof value.password === 'string' ? { account: value.account, password: value.password } : undefined;
    } catch {
      return undefined; // not ours (or damaged): as if none were stored
    }
  }
}

/**
 * SQLSTATEs of a refused login (https://www.postgresql.org/docs/current/errcodes-appendix.html:
 * 28000 invalid_authorization_specification, 28P01 invalid_password) and `pg`'s own words when the
 * server asks for a password it was not given.
 */
function isLoginRefused(err: { code?: unknown; message?: unknown }): boolean {
  return err.code === '28P01' || err.code === '28000' || /password authentication failed|SASL|client password must be a string|no password supplied/i.test(typeof err.message === 'string' ? err.message : '');
}

/**
 * True for an error from opening the team database (not from the port or the token): the store's
 * StoreUnavailableError / SchemaTooNewError, or a PostgreSQL error (a five-character SQLSTATE).
 */
export function isDatabaseError(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'StoreUnavailableError' || e.name === 'SchemaTooNewError') return true;
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return true;
  return isLoginRefused(e);
}

/**
 * What the person reads when the server did not start on the team database: the database (no
 * password), the setting, the reason, and what to do. `password` is masked wherever it appears.
 * @param storedFor the account a stored password belongs to (when it is not this URL's), if any
 */
export function describeDatabaseFailure(err: unknown, url: string, options: { password?: string; storedFor?: string } = {}): string {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  const cause = e.name === 'StoreUnavailableError' && e.cause instanceof Error ? e.cause.message : undefined;
  const reason = cause || (typeof e.message === 'string' && e.message) || String(err);
  const where = `the team database ${maskDatabaseUrl(url)} (setting ${DATABASE_SETTING})`;
  let text: string;
  if (e.name === 'SchemaTooNewError') text = `${reason}`;
  else if (isLoginRefused(e)) {
    const account = databaseAccount(url);
    const hint = options.password
      ? `Check the user in the setting and the password: run "${SET_DATABASE_PASSWORD_TITLE}" to store it again.`
      : options.storedFor
        ? `The stored password is for ${options.storedFor}, not ${account}: run "${SET_DATABASE_PASSWORD_TITLE}".`
        : `No password is stored for ${account}: run "${SET_DATABASE_PASSWORD_TITLE}".`;
    text = `${where} refused the login (${reason}). ${hint}`;
  } else if (e.name === 'StoreUnavailableError') {
    text = `${where} did not answer (${reason}). Check the host and port in the setting and that PostgreSQL runs there, then start the server again.`;
  } else text = `Could not open ${where}: ${reason}`;
  return maskPassword(text.charAt(0).toUpperCase() + text.slice(1), options.password);
}

/** `text` with every occurrence of `password` (as typed and percent-encoded) replaced by `****`. */
export function maskPassword(text: string, password: string | undefined): string {
  if (!password) return text;
  let out = text;
  for (const form of new Set([password, encodeURIComponent(password)])) out = out.split(form).join('****');
  return out;
}
