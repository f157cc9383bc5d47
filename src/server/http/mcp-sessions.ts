/**
 * Stateful MCP sessions over Streamable HTTP (MCP spec 2025-06-18, "Transports" >
 * "Streamable HTTP" > "Session Management"): one transport + McpServer per `Mcp-Session-Id`.
 * Responses use SSE streams, not `enableJsonResponse`, because JSON mode keeps ~4.4 KB per call for
 * the life of a session in SDK 1.32 (typescript-sdk#2559).
 *
 * Limits (each session holds an McpServer with every tool registered, ~70 KB of heap):
 * - at most `maxSessions` sessions are open; one more `initialize` is refused (see {@link McpSessions.handle});
 * - a session with no request in flight and no open stream for `idleMs` is closed. A client that
 *   holds its GET stream open (the SDK client does) or waits on a long tool call is not idle; one
 *   that went away without `DELETE` is.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from '../../util/log';
import type { CallerIdentity } from '../tools/types';

interface Activity {
  /** Requests and streams whose HTTP response is still open. */
  open: number;
  /** When a request last arrived or a response last closed, ms since the epoch. */
  lastSeenMs: number;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  activity: Activity;
  /** Who opened it (../auth principalKey): every later request must come from the same token. */
  owner: string;
}

/**
 * Who sends a request, as the bearer token says (./auth). The SDK client sends its Authorization
 * header on every POST, GET and DELETE of a session, so each is checked on its own; the session
 * remembers who opened it and refuses requests from another token.
 */
export interface SessionOwner {
  /** `server` or `token:<id>` */
  key: string;
  /** A per-agent token's agent: the session acts as it (agent id and binding). */
  boundAgent?: string;
}

const SERVER_OWNER: SessionOwner = { key: 'server' };

/** Default {@link McpSessionsOptions.maxSessions}. */
export const DEFAULT_MAX_MCP_SESSIONS = 64;
/** Default {@link McpSessionsOptions.idleMs}: 10 minutes. */
export const DEFAULT_MCP_SESSION_IDLE_MS = 10 * 60_000;

export interface McpSessionsOptions {
  /** Agent id for a session: `<client name>-<first 8 chars of the session id>`. */
  createServer(identity: (server: McpServer) => CallerIdentity): McpServer;
  logger: Logger;
  /** Most open sessions (>= 1). Default {@link DEFAULT_MAX_MCP_SESSIONS}. */
  maxSessions?: number;
  /** Idle time after which a session is closed, ms (> 0). Default {@link DEFAULT_MCP_SESSION_IDLE_MS}; checked every idleMs/4 (at most every minute). */
  idleMs?: number;
  onCountChange?(count: number): void;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'mcp-client';

export class McpSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweep: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly maxSessions: number;
  /** `initialize` requests being handled whose session is not in `sessions` yet: they hold a slot. */
  private initializing = 0;

  /** @throws RangeError for `maxSessions` < 1 or `idleMs` <= 0 */
  constructor(private readonly options: McpSessionsOptions) {
    this.idleMs = options.idleMs ?? DEFAULT_MCP_SESSION_IDLE_MS;
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_MCP_SESSIONS;
    if (!(this.idleMs > 0)) throw new RangeError(`mcpSessionIdleMs must be > 0 ms, got ${this.idleMs}`);
    if (!Number.isInteger(this.maxSessions) || this.maxSessions < 1) throw new RangeError(`maxMcpSessions must be an integer >= 1, got ${this.maxSessions}`);
    this.sweep = setInterval(() => void this.closeIdle(), Math.max(10, Math.min(Math.floor(this.idleMs / 4), 60_000)));
    this.sweep.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The session id a request belongs to, if any (used as the rate-limit key). */
  static sessionIdOf(req: IncomingMessage): string | undefined {
    const v = req.headers['mcp-session-id'];
    return typeof v === 'string' ? v : undefined;
  }

  /**
   * Handles POST/GET/DELETE on `/mcp`. `body` is the parsed JSON of a POST.
   * - an empty batch `[]` gets 400 `-32600 Invalid Request` (JSON-RPC 2.0 section 6);
   * - unknown session ids get 404 (the spec's signal to re-initialize);
   * - a POST without a session that is not `initialize` gets 400;
   * - an `initialize` while `maxSessions` sessions are open gets 503 `-32000` naming the limit;
   * - a request in a session opened with another token gets 403 (a per-agent token cannot use
   *   another agent's session, whose identity was fixed when it was opened).
   */
  async handle(req: IncomingMessage, res: ServerResponse, body: unknown, owner: SessionOwner = SERVER_OWNER): Promise<void> {
    if (Array.isArray(body) && body.length === 0) {
      return jsonRpcError(res, 400, -32600, 'Invalid Request: the JSON-RPC batch is empty; send one JSON-RPC message (or a non-empty array of them).');
    }
    const sessionId = McpSessions.sessionIdOf(req);
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      if (!session) return jsonRpcError(res, 404, -32001, 'Session not found: initialize a new MCP session.');
      if (session.owner !== owner.key) return jsonRpcError(res, 403, -32003, 'Forbidden: this MCP session was opened with another token; initialize a session of your own.');
      track(session.activity, res);
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !sdkOnDemand().isInitializeRequest(body)) {
      return jsonRpcError(res, 400, -32000, 'Bad Request: no Mcp-Session-Id header; send initialize first.');
    }
    if (this.sessions.size + this.initializing >= this.maxSessions) await this.closeIdle();
    if (this.sessions.size + this.initializing >= this.maxSessions) {
      // 503, not 429: the limit is the server's capacity shared by every client, not this
      // client's request rate, and waiting for Retry-After only helps once another session ends
      // (429 already means "per-agent/per-token rate limit" here). MCP 2025-06-18 Streamable HTTP
      // lets a server that cannot accept a POST answer any HTTP error status with a JSON-RPC
      // error without id as the body; the TypeScript SDK client treats 429 and 503 alike (no
      // retry) and fails connect() with that body's text, so the user reads the setting to change.
      const retry = this.secondsUntilASlotFrees();
      return jsonRpcError(
        res,
        503,
        -32000,
        `Too many open MCP sessions: ${this.sessions.size} of at most ${this.maxSessions} (maxMcpSessions). Close another MCP client or session (HTTP DELETE /mcp), ` +
          `wait for idle sessions to close, or raise the limit: setting codexGovernance.server.maxMcpSessions (VS Code) or codex-governance serve --max-mcp-sessions N.`,
        retry === undefined ? {} : { 'retry-after': String(retry) },
        { limit: 'maxMcpSessions', max: this.maxSessions, open: this.sessions.size },
      );
    }

    this.initializing++;
    let holdsSlot = true;
    const releaseSlot = () => {
      if (holdsSlot) this.initializing--;
      holdsSlot = false;
    };
    const activity: Activity = { open: 0, lastSeenMs: Date.now() };
    track(activity, res);
    const transport: StreamableHTTPServerTransport = new (streamableHttpTransport())({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        releaseSlot();
        this.sessions.set(id, { transport, server, activity, owner: owner.key });
        this.options.onCountChange?.(this.sessions.size);
      },
      onsessionclosed: (id) => void this.close(id),
    });
    const server = this.options.createServer((srv) => {
      const info = srv.server.getClientVersion();
      const id = transport.sessionId ?? randomUUID();
      return {
        agentId: owner.boundAgent ?? `${slug(info?.name ?? 'mcp-client')}-${id.slice(0, 8)}`,
        anonymous: false,
        transport: 'mcp-http',
        clientName: info?.name,
        clientVersion: info?.version,
        ...(owner.boundAgent !== undefined ? { boundAgent: owner.boundAgent } : {}),
      };
    });
    transport.onclose = () => {
      if (transport.sessionId) void this.close(transport.sessionId);
    };
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      releaseSlot();
      // The transport refused the request before creating a session (406 Accept, 415
      // Content-Type, ...): nothing will ever address this server again, so close it now.
      if (transport.sessionId === undefined) await closeQuietly(server, this.options.logger, 'never initialized');
    }
  }

  /** Seconds until the longest-idle session would be closed, or undefined when every session has an open request or stream. */
  private secondsUntilASlotFrees(now = Date.now()): number | undefined {
    let soonest: number | undefined;
    for (const s of this.sessions.values()) {
      if (s.activity.open > 0) continue;
      const due = s.activity.lastSeenMs + this.idleMs - now;
      if (soonest === undefined || due < soonest) soonest = due;
    }
    return soonest === undefined ? undefined : Math.max(1, Math.ceil(soonest / 1000));
  }

  async close(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.options.onCountChange?.(this.sessions.size);
    await closeQuietly(session.server, this.options.logger, id);
  }

  /** Closes every session with no open request or stream that has been quiet for longer than `idleMs`. */
  async closeIdle(now = Date.now()): Promise<void> {
    const idle = [...this.sessions].filter(([, s]) => s.activity.open === 0 && now - s.activity.lastSeenMs > this.idleMs);
    for (const [id] of idle) {
      this.options.logger.debug(`closing MCP session ${id}: idle for more than ${this.idleMs} ms`);
      await this.close(id);
    }
  }

  /** The distinct owners (SessionOwner.key) of the open sessions. */
  owners(): string[] {
    return [...new Set([...this.sessions.values()].map((s) => s.owner))];
  }

  /** Closes every session opened by `owner` (its token was revoked or expired): open GET streams end too. */
  async closeOwnedBy(owner: string): Promise<number> {
    const ids = [...this.sessions].filter(([, s]) => s.owner === owner).map(([id]) => id);
    for (const id of ids) await this.close(id);
    return ids.length;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweep);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }
}

/** Counts `res` as open until it closes; its start and end both count as activity. */
function track(activity: Activity, res: ServerResponse): void {
  activity.open++;
  activity.lastSeenMs = Date.now();
  res.once('close', () => {
    activity.open--;
    activity.lastSeenMs = Date.now();
  });
}

async function closeQuietly(server: McpServer, logger: Logger, what: string): Promise<void> {
  try {
    await server.close();
  } catch (err) {
    logger.debug(`closing MCP session ${what}: ${(err as Error).message}`);
  }
}

/**
 * The SDK's parts a session needs (transport class, `isInitializeRequest`), loaded with the first
 * session (see ./mcp-transport for why). A `require`, not `import()`: it also resolves when the
 * sources run under tsx's CommonJS hook (the unit tests).
 */
function sdkOnDemand(): typeof import('./mcp-transport') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./mcp-transport') as typeof import('./mcp-transport');
}

function streamableHttpTransport(): typeof StreamableHTTPServerTransport {
  return sdkOnDemand().StreamableHTTPServerTransport;
}

/**
 * Answers a JSON-RPC error without id (`{jsonrpc, error: {code, message, data?}, id: null}`) with
 * HTTP `status`; just ends the response when headers were already sent.
 */
export function jsonRpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}, data?: unknown): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify({ jsonrpc: '2.0', error: { code, message, ...(data === undefined ? {} : { data }) }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
