/**
 * Reads and validates the `codexGovernance.server.*` (the team database URL too, never its password), `.codex.*`, `.dialectic.*` and `.agents.prices` settings. Plain TypeScript: the caller passes
 * a getter (VS Code's `WorkspaceConfiguration.get`), so the rules are unit tested without VS Code.
 */

import { parsePriceTable, PriceTableError, type PriceTable } from '../agent/prices';
import { isPostgresUrl } from '../store/postgres/url';

export const SETTINGS_SECTION = 'codexGovernance';
export const DEFAULT_PORT = 8765;
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 100;
/** Default per-token rate = this x the per-agent rate (1000/minute with the defaults). */
export const PER_TOKEN_RATE_FACTOR = 10;
export const DEFAULT_MAX_MCP_SESSIONS = 64;

export interface ServerSettings {
  /** TCP port on 127.0.0.1; 0 picks a free port. */
  port: number;
  /** Start the server when the extension activates. */
  autoStart: boolean;
  /** Token-bucket rate per agent, requests/minute (>= 1). */
  rateLimitPerMinute: number;
  /** Token-bucket rate per bearer token, all agents together, requests/minute (>= 1); setting 0 = 10 x rateLimitPerMinute. */
  rateLimitPerTokenPerMinute: number;
  /** Most open MCP sessions (>= 1). */
  maxMcpSessions: number;
  /**
   * The team's PostgreSQL database, `postgres://user@host:port/db` without a password (that is in
   * SecretStorage, see ./database); absent: the SQLite file in the data directory.
   */
  database?: string;
  /** Codex supervisor settings (`codexGovernance.codex.*`); unset keys keep the supervisor defaults. */
  codex: CodexSettings;
  /** Dialectic peer review (`codexGovernance.dialectic.*`); read again on every PAUSE, no restart needed. */
  dialectic: DialecticSettings;
  /** What the server's governed-agent tools use (`codexGovernance.agents.prices`); read again on every usage report, no restart needed. */
  agents: AgentServerSettings;
}

export interface AgentServerSettings {
  /** USD per 1M tokens per model (`serve --price-table`'s table, ../agent/prices); empty: tokens counted, cost not. */
  prices: PriceTable;
}

export interface DialecticSettings {
  /** A PAUSE decision opens a peer review for the agent (the server's `dialectic.autoReviewOnPause`). Default true. */
  autoReviewOnPause: boolean;
}

export interface CodexSettings {
  /** Codex binary or npm wrapper; undefined = `codex` on PATH, else the bundled copy. */
  codexPath?: string;
  backend: 'auto' | 'mcp-server' | 'app-server';
  maxSessions: number;
  /** Idle time before a session is closed, ms. */
  sessionIdleTimeoutMs: number;
  /** Deadline of one `codex` / `codex-reply` call, ms. */
  toolTimeoutMs: number;
}

/** A setting holds a value the server cannot use; `setting` is its full id. */
export class SettingsError extends Error {
  constructor(readonly setting: string, message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/**
 * Full ids of the settings whose change needs a server restart (the person is asked).
 * `codex.path` is not here: ./codex-path-check checks it and restarts the server itself.
 */
export const RESTART_SETTINGS = [
  `${SETTINGS_SECTION}.server.port`,
  `${SETTINGS_SECTION}.server.rateLimitPerMinute`,
  `${SETTINGS_SECTION}.server.rateLimitPerTokenPerMinute`,
  `${SETTINGS_SECTION}.server.maxMcpSessions`,
  `${SETTINGS_SECTION}.server.database`,
  `${SETTINGS_SECTION}.codex.backend`,
  `${SETTINGS_SECTION}.codex.maxSessions`,
  `${SETTINGS_SECTION}.codex.sessionTimeoutSeconds`,
  `${SETTINGS_SECTION}.codex.toolTimeoutSeconds`,
] as const;

/**
 * @param get returns the value of a key relative to `codexGovernance` (e.g. `server.port`), or
 *   undefined when unset.
 * @throws SettingsError naming the setting and the accepted range; fails closed instead of
 *   guessing, so a typo never silently opens a different port.
 */
export function readServerSettings(get: (key: string) => unknown): ServerSettings {
  const port = orDefault(get('server.port'), DEFAULT_PORT);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new SettingsError(
      `${SETTINGS_SECTION}.server.port`,
      `Setting ${SETTINGS_SECTION}.server.port is ${JSON.stringify(port)}; it must be an integer from 0 to 65535 (0 picks a free port). Fix it in Settings.`,
    );
  }
  const autoStart = orDefault(get('server.autoStart'), true);
  if (typeof autoStart !== 'boolean') {
    throw new SettingsError(`${SETTINGS_SECTION}.server.autoStart`, `Setting ${SETTINGS_SECTION}.server.autoStart is ${JSON.stringify(autoStart)}; it must be true or false.`);
  }
  const rate = orDefault(get('server.rateLimitPerMinute'), DEFAULT_RATE_LIMIT_PER_MINUTE);
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < 1) {
    throw new SettingsError(
      `${SETTINGS_SECTION}.server.rateLimitPerMinute`,
      `Setting ${SETTINGS_SECTION}.server.rateLimitPerMinute is ${JSON.stringify(rate)}; it must be an integer of at least 1 (requests per minute per agent).`,
    );
  }
  const perToken = orDefault(get('server.rateLimitPerTokenPerMinute'), 0);
  if (typeof perToken !== 'number' || !Number.isInteger(perToken) || perToken < 0) {
    throw new SettingsError(
      `${SETTINGS_SECTION}.server.rateLimitPerTokenPerMinute`,
      `Setting ${SETTINGS_SECTION}.server.rateLimitPerTokenPerMinute is ${JSON.stringify(perToken)}; it must be an integer of at least 1 (requests per minute for all agents together), or 0 for ${PER_TOKEN_RATE_FACTOR} x rateLimitPerMinute.`,
    );
  }
  const maxMcpSessions = orDefault(get('server.maxMcpSessions'), DEFAULT_MAX_MCP_SESSIONS);
  if (typeof maxMcpSessions !== 'number' || !Number.isInteger(maxMcpSessions) || maxMcpSessions < 1) {
    throw new SettingsError(
      `${SETTINGS_SECTION}.server.maxMcpSessions`,
      `Setting ${SETTINGS_SECTION}.server.maxMcpSessions is ${JSON.stringify(maxMcpSessions)}; it must be an integer of at least 1 (open MCP sessions).`,
    );
  }
  const database = readDatabaseSetting(get('server.database'));
  return {
    port,
    autoStart,
    rateLimitPerMinute: rate,
    rateLimitPerTokenPerMinute: perToken === 0 ? rate * PER_TOKEN_RATE_FACTOR : perToken,
    maxMcpSessions,
    ...(database ? { database } : {}),
    codex: readCodexSettings(get),
    dialectic: readDialecticSettings(get),
    agents: { prices: readPrices(get) },
  };
}

export const DATABASE_SETTING = `${SETTINGS_SECTION}.server.database`;
/** The command that keeps the database password (package.json `codexGovernance.server.setDatabasePassword`). */
export const SET_DATABASE_PASSWORD_TITLE = 'Codex Governance: Set Database Password';

/**
 * `codexGovernance.server.database`: empty/unset = the SQLite file; else a `postgres://` (or
 * `postgresql://`) URL with no password, neither in the user part nor as `?password=` (which
 * the `pg` client would also read).
 * @returns the trimmed URL, or undefined for the SQLite file
 * @throws SettingsError naming the setting; a URL with a password is refused with the password
 *   masked and the command that stores it instead
 */
export function readDatabaseSetting(value: unknown): string | undefined {
  const v = orDefault(value, '');
  if (typeof v !== 'string') throw new SettingsError(DATABASE_SETTING, `Setting ${DATABASE_SETTING} must be a URL (a string), or empty for the SQLite file in VS Code's storage.`);
  const url = v.trim();
  if (!url) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!isPostgresUrl(url) || !parsed?.hostname) {
    throw new SettingsError(
      DATABASE_SETTING,
      `Setting ${DATABASE_SETTING} is "${maskDatabaseUrl(url)}"; it must be a PostgreSQL URL such as postgres://user@host:5432/database (the password is not part of it), or empty for the SQLite file in VS Code's storage.`,
    );
  }
  if (parsed.password || parsed.searchParams.has('password')) {
    throw new SettingsError(
      DATABASE_SETTING,
      `Setting ${DATABASE_SETTING} contains a password (${maskDatabaseUrl(url)}). Settings files are not secret: remove the password from the URL and run "${SET_DATABASE_PASSWORD_TITLE}", which keeps it in VS Code's secret storage.`,
    );
  }
  return url;
}

/** The URL with any password (user part or `password=` parameter) replaced by `****`, for messages and logs. */
export function maskDatabaseUrl(url: string): string {
  let out = url;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  // Up to the last "@": a password may itself hold "@", "/" or "?" (masking too much is the safe side).
  const at = url.lastIndexOf('@');
  if (scheme && at > scheme.length) {
    const userinfo = url.slice(scheme.length, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) out = `${scheme}${userinfo.slice(0, colon)}:****${url.slice(at)}`;
  }
  return out.replace(/([?&]password=)[^&#]*/gi, '$1****');
}

/** @throws SettingsError naming `codexGovernance.agents.prices`, the model and the key */
export function readPrices(get: (key: string) => unknown): PriceTable {
  const setting = `${SETTINGS_SECTION}.agents.prices`;
  try {
    return parsePriceTable(get('agents.prices'), `Setting ${setting}`);
  } catch (err) {
    if (err instanceof PriceTableError) throw new SettingsError(setting, err.message);
    throw err;
  }
}

/** @throws SettingsError naming the setting */
export function readDialecticSettings(get: (key: string) => unknown): DialecticSettings {
  const auto = orDefault(get('dialectic.autoReviewOnPause'), true);
  if (typeof auto !== 'boolean') {
    throw new SettingsError(`${SETTINGS_SECTION}.dialectic.autoReviewOnPause`, `Setting ${SETTINGS_SECTION}.dialectic.autoReviewOnPause is ${JSON.stringify(auto)}; it must be true or false.`);
  }
  return { autoReviewOnPause: auto };
}

function readCodexSettings(get: (key: string) => unknown): CodexSettings {
  const path = orDefault(get('codex.path'), '');
  if (typeof path !== 'string') throw new SettingsError(`${SETTINGS_SECTION}.codex.path`, `Setting ${SETTINGS_SECTION}.codex.path must be a path (a string), or empty to use codex on PATH.`);
  const backend = orDefault(get('codex.backend'), 'auto');
  if (backend !== 'auto' && backend !== 'mcp-server' && backend !== 'app-server') {
    throw new SettingsError(`${SETTINGS_SECTION}.codex.backend`, `Setting ${SETTINGS_SECTION}.codex.backend is ${JSON.stringify(backend)}; use auto, mcp-server or app-server.`);
  }
  const int = (key: string, fallback: number, min: number, unit: string): number => {
    const v = orDefault(get(key), fallback);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new SettingsError(`${SETTINGS_SECTION}.${key}`, `Setting ${SETTINGS_SECTION}.${key} is ${JSON.stringify(v)}; it must be an integer of at least ${min} (${unit}).`);
    }
    return v;
  };
  return {
    ...(path.trim() ? { codexPath: path.trim() } : {}),
    backend,
    maxSessions: int('codex.maxSessions', 10, 1, 'sessions'),
    sessionIdleTimeoutMs: int('codex.sessionTimeoutSeconds', 300, 10, 'seconds') * 1000,
    toolTimeoutMs: int('codex.toolTimeoutSeconds', 600, 5, 'seconds') * 1000,
  };
}

/** Only an unset value falls back to the default; an explicit `null` in settings.json is an error. */
function orDefault(value: unknown, fallback: unknown): unknown {
  return value === undefined ? fallback : value;
}
