/**
 * Owns this window's governance server: start, stop, restart, the state the UI shows, and the
 * recognition of a server already run by another VS Code window. Plain TypeScript (no `vscode`):
 * the extension passes settings, token and logger in, so it is unit tested against the real server.
 *
 * Operations run one at a time in call order (a start requested while a stop is in progress waits
 * for it), so the state never describes a server that is half closed.
 */
import { PortInUseError, type GovernanceServerOptions, type RunningGovernanceServer } from '../server/api';
import type { PriceTable } from '../agent/prices';
import type { Logger } from '../util/log';
import { describeDatabaseFailure, isDatabaseError, maskPassword, withPassword } from './database';
import { probeGovernanceServer } from './net';
import type { ServerState } from './server-state';
import { SettingsError, type ServerSettings } from './settings';

export const SERVER_HOST = '127.0.0.1';

export interface ServerControllerOptions {
  /** Folder for the database, audit log and lock (the extension's global storage). */
  dataDir: string;
  /** The bearer token (from SecretStorage). */
  token: () => Promise<string>;
  /** Current settings. @throws SettingsError for an unusable value. */
  settings: () => ServerSettings;
  logger: Logger;
  /**
   * The stored password for the team database URL (`codexGovernance.server.database`), or
   * undefined; `storedFor` names the account a password is stored for when it is another one.
   * Absent: no password is used.
   */
  databasePassword?: (url: string) => Promise<{ password?: string; storedFor?: string }>;
  /** `startGovernanceServer` (injected so this module loads without the server's dependencies). */
  startServer: (options: GovernanceServerOptions) => Promise<RunningGovernanceServer>;
  /** Recognises a live governance server for the token; default {@link probeGovernanceServer}. */
  probe?: (baseUrl: string, token: string) => Promise<boolean>;
}

export interface Disposable {
  dispose(): void;
}

export class ServerController {
  private current: ServerState = { kind: 'stopped' };
  private server: RunningGovernanceServer | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(state: ServerState) => void>();
  private sessionPort: number | undefined;
  private startedWith: { requestedPort: number; limits: string; codex: string; database: string | undefined } | undefined;
  private disposed = false;

  constructor(private readonly options: ServerControllerOptions) {}

  get state(): ServerState {
    return this.current;
  }

  /**
   * This window's server while the state is `running` (the only reference to it: Ctx makes the
   * in-process governance client from its `app`); undefined otherwise.
   */
  get runningServer(): RunningGovernanceServer | undefined {
    return this.current.kind === 'running' ? this.server : undefined;
  }

  /** Port chosen for this session instead of the setting (after "Use Another Port"), if any. */
  get sessionPortOverride(): number | undefined {
    return this.sessionPort;
  }

  /** Uses `port` instead of `codexGovernance.server.port` until cleared (undefined) or VS Code restarts. */
  setSessionPort(port: number | undefined): void {
    this.sessionPort = port;
  }

  /** The port the next start will try: the session override, else the setting. @throws SettingsError */
  intendedPort(): number {
    return this.sessionPort ?? this.options.settings().port;
  }

  /**
   * True when this window's server runs with values that differ from `settings` (the requested
   * port, unless a session port overrides it, the rate limits, the MCP session cap, the Codex
   * settings or the team database), so a restart would change something.
   */
  needsRestartFor(settings: ServerSettings): boolean {
    if (!this.server || !this.startedWith) return false;
    const port = this.sessionPort ?? settings.port;
    return (
      port !== this.startedWith.requestedPort ||
      limitsOf(settings) !== this.startedWith.limits ||
      JSON.stringify(settings.codex) !== this.startedWith.codex ||
      settings.database !== this.startedWith.database
    );
  }

  onDidChangeState(listener: (state: ServerState) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Starts the server unless it already runs; resolves with the resulting state (never rejects). */
  start(): Promise<ServerState> {
    return this.enqueue(() => this.doStart());
  }

  /** Stops this window's server (idempotent); resolves once the port and the database are closed. */
  stop(): Promise<ServerState> {
    return this.enqueue(() => this.doStop());
  }

  restart(): Promise<ServerState> {
    return this.enqueue(async () => {
      await this.doStop();
      return this.doStart();
    });
  }

  /** Resolves with the state once every operation requested so far has finished. */
  whenIdle(): Promise<ServerState> {
    return this.enqueue(() => Promise.resolve(this.current));
  }

  /** Stops the server and refuses further starts. */
  async dispose(): Promise<void> {
    if (this.disposed) return this.queue.then(() => undefined);
    const stopped = this.stop();
    this.disposed = true;
    await stopped;
    this.listeners.clear();
  }

  private enqueue(op: () => Promise<ServerState>): Promise<ServerState> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private setState(state: ServerState): ServerState {
    this.current = state;
    for (const l of [...this.listeners]) {
      try {
        l(state);
      } catch (err) {
        this.options.logger.error(err instanceof Error ? err : String(err));
      }
    }
    return state;
  }

  private async doStart(): Promise<ServerState> {
    if (this.disposed) return this.current;
    if (this.server) return this.current;
    const { logger } = this.options;
    let settings: ServerSettings;
    try {
      settings = this.options.settings();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      logger.error(message);
      return this.setState({ kind: 'error', reason: err instanceof SettingsError ? 'settings' : 'other', message });
    }
    const port = this.sessionPort ?? settings.port;
    this.setState({ kind: 'starting', port });
    let token: string;
    try {
      token = await this.options.token();
    } catch (err) {
      const message = `Could not read or create the server token in VS Code's secret storage: ${err instanceof Error ? err.message : String(err)}`;
      logger.error(message);
      return this.setState({ kind: 'error', reason: 'other', message, port });
    }
    // The team database's URL with its password exists only here and in the server's pool.
    let database: string | undefined;
    let secret: { password?: string; storedFor?: string } = {};
    if (settings.database) {
      try {
        secret = (await this.options.databasePassword?.(settings.database)) ?? {};
      } catch (err) {
        const message = `Could not read the database password from VS Code's secret storage: ${err instanceof Error ? err.message : String(err)}`;
        logger.error(message);
        return this.setState({ kind: 'error', reason: 'database', message, port });
      }
      database = withPassword(settings.database, secret.password);
    }
    try {
      this.server = await this.options.startServer({
        host: SERVER_HOST,
        port,
        dataDir: this.options.dataDir,
        ...(database ? { database } : {}),
        token,
        rateLimitPerMinute: settings.rateLimitPerMinute,
        rateLimitPerTokenPerMinute: settings.rateLimitPerTokenPerMinute,
        maxMcpSessions: settings.maxMcpSessions,
        logger,
        hostKind: 'vscode',
        codex: settings.codex,
        // Read on every PAUSE, so a changed setting applies without a restart; a value that stopped
        // being valid keeps the one the server started with (the settings error is shown on change).
        dialectic: { autoReviewOnPause: () => this.liveAutoReview(settings.dialectic.autoReviewOnPause) },
        // Read on every usage report, like the PAUSE setting above: a new price applies to the next turn.
        agents: { prices: () => this.livePrices(settings.agents.prices) },
      });
      this.startedWith = { requestedPort: port, limits: limitsOf(settings), codex: JSON.stringify(settings.codex), database: settings.database };
      return this.setState({ kind: 'running', url: this.server.url, port: this.server.port });
    } catch (err) {
      if (settings.database && isDatabaseError(err)) {
        const message = describeDatabaseFailure(err, settings.database, secret);
        logger.error(message);
        return this.setState({ kind: 'error', reason: 'database', message, port });
      }
      return this.setState(await this.describeStartFailure(err, port, token, secret.password));
    }
  }

  private liveAutoReview(atStart: boolean): boolean {
    try {
      return this.options.settings().dialectic.autoReviewOnPause;
    } catch {
      return atStart;
    }
  }

  private livePrices(atStart: PriceTable): PriceTable {
    try {
      return this.options.settings().agents.prices;
    } catch {
      return atStart;
    }
  }

  private async describeStartFailure(err: unknown, port: number, token: string, password?: string): Promise<ServerState> {
    const { logger } = this.options;
    const message = maskPassword(err instanceof Error ? err.message : String(err), password);
    const name = err instanceof Error ? err.name : '';
    const portInUse = err instanceof PortInUseError || (err as { code?: unknown } | null)?.code === 'EADDRINUSE';
    const locked = name === 'DataDirLockedError';
    if (portInUse || locked) {
      // Another window of the same user runs the server with the same token: use it, don't fight it.
      // DataDirLockedError (src/store/lock.ts) names the owner and the port it serves.
      const lockPort = (err as { owner?: { port?: unknown } }).owner?.port;
      const candidates = [...new Set([port, typeof lockPort === 'number' ? lockPort : 0])].filter((p) => p > 0);
      const probe = this.options.probe ?? probeGovernanceServer;
      for (const p of candidates) {
        const url = `http://${SERVER_HOST}:${p}`;
        if (await probe(url, token)) {
          logger.info(`A Codex Governance server of another VS Code window answers at ${url}; using it.`);
          return { kind: 'external', url, port: p };
        }
      }
    }
    logger.error(password ? message : err instanceof Error ? err : message);
    if (portInUse) return { kind: 'error', reason: 'port-in-use', message, port };
    if (locked) return { kind: 'error', reason: 'data-dir-locked', message, port };
    return { kind: 'error', reason: 'other', message, port };
  }

  private async doStop(): Promise<ServerState> {
    const server = this.server;
    this.server = undefined;
    this.startedWith = undefined;
    if (server) {
      try {
        await server.close();
      } catch (err) {
        this.options.logger.error(err instanceof Error ? err : String(err));
      }
    }
    return this.setState({ kind: 'stopped' });
  }
}

/** The settings that shape the server's limits, as one comparable string. */
function limitsOf(settings: ServerSettings): string {
  return JSON.stringify([settings.rateLimitPerMinute, settings.rateLimitPerTokenPerMinute, settings.maxMcpSessions]);
}
