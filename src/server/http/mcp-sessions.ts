/**
 * Stateful MCP sessions over Streamable HTTP (MCP spec 2025-06-18, "Transports" >
 * "Streamable HTTP" > "Session Management"): one transport + McpServer per `Mcp-Session-Id`.
 * Responses use SSE streams, not `enableJsonResponse`, because JSON mode keeps ~4.4 KB per call for
 * the life of a session in SDK 1.32 (typescript-sdk#2559). Idle sessions are closed after `idleMs`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../util/log';
import type { CallerIdentity } from '../tools/types';

interface Session {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastSeenMs: number;
}

export interface McpSessionsOptions {
  createServer(identity: (server: McpServer) => CallerIdentity): McpServer;
  /** Agent id for a session: `<client name>-<first 8 chars of the session id>`. */
  logger: Logger;
  idleMs?: number;
  onCountChange?(count: number): void;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'mcp-client';

export class McpSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly sweep: NodeJS.Timeout;
  private readonly idleMs: number;

  constructor(private readonly options: McpSessionsOptions) {
    this.idleMs = options.idleMs ?? 60 * 60_000;
    this.sweep = setInterval(() => void this.closeIdle(), Math.min(this.idleMs, 60_000));
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
   * Unknown session ids get 404 (the spec's signal to re-initialize); a POST without a session
   * that is not `initialize` gets 400.
   */
  async handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const sessionId = McpSessions.sessionIdOf(req);
    if (sessionId) {
      const session = this.sessions.get(sessionId);
      if (!session) return jsonRpcError(res, 404, -32001, 'Session not found: initialize a new MCP session.');
      session.lastSeenMs = Date.now();
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return jsonRpcError(res, 400, -32000, 'Bad Request: no Mcp-Session-Id header; send initialize first.');
    }
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, server, lastSeenMs: Date.now() });
        this.options.onCountChange?.(this.sessions.size);
      },
      onsessionclosed: (id) => void this.close(id),
    });
    const server = this.options.createServer((srv) => {
      const info = srv.server.getClientVersion();
      const id = transport.sessionId ?? randomUUID();
      return {
        agentId: `${slug(info?.name ?? 'mcp-client')}-${id.slice(0, 8)}`,
        anonymous: false,
        transport: 'mcp-http',
        clientName: info?.name,
        clientVersion: info?.version,
      };
    });
    transport.onclose = () => {
      if (transport.sessionId) void this.close(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  async close(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    this.options.onCountChange?.(this.sessions.size);
    try {
      await session.server.close();
    } catch (err) {
      this.options.logger.debug(`closing MCP session ${id}: ${(err as Error).message}`);
    }
  }

  async closeIdle(now = Date.now()): Promise<void> {
    for (const [id, s] of this.sessions) if (now - s.lastSeenMs > this.idleMs) await this.close(id);
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweep);
    await Promise.all([...this.sessions.keys()].map((id) => this.close(id)));
  }
}

export function jsonRpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
