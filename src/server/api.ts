/**
 * The governance server's public API for its hosts (the CLI and the VS Code extension).
 * Implemented by `startGovernanceServer` in `./server.ts`.
 */
import type { Logger } from '../util/log';
import type { CodexSupervisorOptions } from '../supervisor/api';
import type { PublicHost } from './http/security';
import type { GovernanceAgentOptions, GovernanceApp, GovernanceApprovalOptions, GovernanceDialecticOptions } from './app';

export interface GovernanceServerOptions {
  /** Interface to bind. Default `127.0.0.1`; anything not loopback needs `allowNonLoopback`. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 8765. */
  port?: number;
  /** Folder holding `governance.db`, `audit.jsonl` and the owner lock; created if missing. */
  dataDir: string;
  /** A `postgres://` URL: the store is that shared database instead of the data dir's `governance.db`. */
  database?: string;
  /**
   * The server's own bearer token (`Authorization: Bearer` or `X-AGENT-TOKEN`), acting for any
   * agent. Tokens from `codex-governance tokens` (store `tokens`) are accepted beside it; on an
   * exposed server (non-loopback host or `publicHosts`) only those are (./http/exposure).
   */
  token: string;
  /** Needed for a non-loopback `host`; such a listener also needs `tls` (see ./http/exposure). */
  allowNonLoopback?: boolean;
  /**
   * Serve HTTPS (node:https, the same routes) with this PEM certificate chain and private key.
   * Required on a non-loopback host; optional on loopback.
   */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Names clients reach the server by besides loopback (the TLS name, or the name a reverse
   * proxy forwards in Host): accepted in Host and (https) Origin. Giving any makes the server
   * "exposed": only `codex-governance tokens` tokens are accepted, the data dir token is not.
   * Parse flags with `parsePublicHost` (./http/security).
   */
  publicHosts?: readonly PublicHost[];
  /**
   * How long a `cgt_` token's row is trusted before it is read again from the store, ms (> 0).
   * Bounds how late a revocation made elsewhere takes effect. Default 2000.
   */
  tokenRefreshMs?: number;
  /** Token-bucket rate per agent, requests/minute. Default 100. */
  rateLimitPerMinute?: number;
  /** Bucket size (burst). Default = rateLimitPerMinute. */
  rateLimitBurst?: number;
  /**
   * Token-bucket rate per bearer token, requests/minute (burst = the same number), applied in
   * addition to the per-agent one: every agent and session using the token shares it. Default
   * 10 x `rateLimitPerMinute` (1000 with the defaults).
   */
  rateLimitPerTokenPerMinute?: number;
  /**
   * Most MCP sessions open at once (an integer >= 1). One more `initialize` gets HTTP 503 with a
   * JSON-RPC error naming this limit. Default 64.
   */
  maxMcpSessions?: number;
  /**
   * An MCP session with no request in flight and no open stream for this long is closed,
   * milliseconds (> 0). Default 600000 (10 minutes).
   */
  mcpSessionIdleMs?: number;
  logger?: Logger;
  /** Who runs the server, recorded in the data-dir lock and `/health`: "cli" | "vscode" | "test". */
  hostKind?: string;
  /** Codex supervisor settings (codex path, backend, limits, approval broker); default from `CODEX_GOVERNANCE_CODEX_*`. */
  codex?: CodexSupervisorOptions;
  /** Approval policy and prompter (default: built-in policy, no prompter = headless). */
  approvals?: GovernanceApprovalOptions;
  /** The folders the person works in (see ./app); headless `--workspace-root`, VS Code's workspace folders. */
  workspaceRoots?: readonly string[] | (() => readonly string[]);
  /** Dialectic review: automatic review on PAUSE (VS Code `codexGovernance.dialectic.autoReviewOnPause`, headless CODEX_GOVERNANCE_AUTO_DIALECTIC), timeout sweep. */
  dialectic?: GovernanceDialecticOptions;
  /** Governed agent runs: the model price table (headless `--price-table`, VS Code `codexGovernance.agents.prices`). */
  agents?: GovernanceAgentOptions;
}

export interface RunningGovernanceServer {
  /** e.g. `http://127.0.0.1:8765` (no trailing slash). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /**
   * In-process access for the host (the extension's views): the store-backed services, the event
   * bus and the tool registry. Callers outside this process use HTTP/MCP instead.
   */
  readonly app: GovernanceApp;
  /** Stops accepting requests, ends MCP sessions, closes the database and releases the lock. Idempotent. */
  close(): Promise<void>;
}

/** Thrown when the port is taken (`code` = `EADDRINUSE`). */
export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(readonly host: string, readonly port: number) {
    super(`Port ${port} on ${host} is already in use. Stop the other process or choose another port (--port, or the setting codexGovernance.server.port).`);
    this.name = 'PortInUseError';
  }
}
