/**
 * The governance server: one HTTP listener on 127.0.0.1 (or HTTPS on another address, ./http/exposure) serving
 * - `/mcp` MCP over Streamable HTTP (stateful sessions),
 * - `GET /v1/tools[?format=responses]`, `POST /v1/tools/call` (OpenAI function-calling adapter, seed 000),
 * - `GET /health`, `GET /metrics` (Prometheus text),
 * - `GET /audit?cursor=&limit=&order=&decision=&outcome=&risk=&source=&type=&agent=&decided_by=&q=`
 *   (the audit log, paged and filtered; see ../approvals/audit-query),
 * - `POST /tasks`, `GET /tasks?status=&limit=` (the task queue in seed 003's shapes; ./http/tasks-routes),
 * - `POST /v1/hooks/codex` (Codex hook events of sessions this server did not start; ./http/hooks-route).
 * Every request passes Host/Origin validation (403), the bearer token (401; ./http/auth: the
 * server's token or a `codex-governance tokens` one, a per-agent token binding the request to its
 * agent) and the per-agent and per-token token buckets (429 + Retry-After) before it reaches a handler. Open MCP sessions are
 * capped and idle ones closed (./http/mcp-sessions).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { nullLogger } from '../util/log';
import { VERSION } from '../version';
import { PortInUseError, type GovernanceServerOptions, type RunningGovernanceServer } from './api';
import { createGovernanceApp, type GovernanceApp } from './app';
import { HttpError, readJson, sendError, sendJson } from './http/body';
import { McpSessions, jsonRpcError } from './http/mcp-sessions';
import { handleCallTool, handleListTools } from './http/openai-adapter';
import { handleListTasks, handlePostTask } from './http/tasks-routes';
import { handleCodexHook, HOOKS_ROUTE } from './http/hooks-route';
import { LayeredRateLimiter, TokenBucketLimiter, tokenRateKey, type LayeredRateDecision } from './http/rate-limit';
import { isAllowedHost, isAllowedOrigin } from './http/security';
import { authenticateRequest, boundAgentOf, principalKey } from './http/auth';
import { checkListenerOptions, isExposed, requireAgentTokens } from './http/exposure';
import { TOKEN_REFRESH_MS, TokenAuthenticator, type Principal } from '../auth/authenticator';
import { checkBoundField } from '../auth/binding';
import { toToolCallError } from './tools/errors';
import type * as Mcp from './mcp';
import { auditQueryFrom, readAudit } from '../approvals/audit-query';
import type { CallerIdentity } from './tools/types';

export const DEFAULT_PORT = 8765;
const DEFAULT_RATE_LIMIT_PER_MINUTE = 100;

/**
 * Starts the server and returns once it listens.
 * @throws PortInUseError when the port is taken; DataDirLockedError / DataDirError from the store
 *   when the data directory is owned by another live server or not writable; Error for a
 *   non-loopback host without `allowNonLoopback` or `tls` (a wildcard one also without
 *   `publicHosts`), for an exposed server whose store has no usable per-agent token, for a TLS
 *   key/certificate node:tls refuses, or for an empty token; RangeError naming the option
 *   for a rate limit <= 0, `maxMcpSessions` < 1, `mcpSessionIdleMs` or `tokenRefreshMs` <= 0.
 */
export async function startGovernanceServer(options: GovernanceServerOptions): Promise<RunningGovernanceServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_PORT;
  const logger = options.logger ?? nullLogger;
  if (!options.token || options.token.length < 16) throw new Error('A token of at least 16 characters is required (set CODEX_GOVERNANCE_TOKEN).');
  checkListenerOptions({ host, allowNonLoopback: options.allowNonLoopback, tls: options.tls, publicHosts: options.publicHosts });
  const exposed = isExposed({ host, publicHosts: options.publicHosts });
  const publicHosts = options.publicHosts ?? [];

  const perAgent = options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  const perToken = options.rateLimitPerTokenPerMinute ?? perAgent * 10;
  requirePositive('rateLimitPerMinute', perAgent, 'codexGovernance.server.rateLimitPerMinute', '--rate-limit');
  requirePositive('rateLimitPerTokenPerMinute', perToken, 'codexGovernance.server.rateLimitPerTokenPerMinute', '--rate-limit-per-token');
  if (options.maxMcpSessions !== undefined && !(Number.isInteger(options.maxMcpSessions) && options.maxMcpSessions >= 1)) {
    throw new RangeError(`maxMcpSessions is ${options.maxMcpSessions}; it must be an integer of at least 1 (codexGovernance.server.maxMcpSessions, --max-mcp-sessions).`);
  }
  if (options.tokenRefreshMs !== undefined && !(options.tokenRefreshMs > 0)) throw new RangeError(`tokenRefreshMs is ${options.tokenRefreshMs}; it must be > 0 milliseconds.`);
  if (options.mcpSessionIdleMs !== undefined && !(options.mcpSessionIdleMs > 0)) throw new RangeError(`mcpSessionIdleMs is ${options.mcpSessionIdleMs}; it must be > 0 milliseconds.`);
  const limiter = new LayeredRateLimiter(new TokenBucketLimiter(perAgent, options.rateLimitBurst ?? perAgent), new TokenBucketLimiter(perToken));

  const app = await createGovernanceApp({ dataDir: options.dataDir, database: options.database, logger, hostKind: options.hostKind ?? 'cli', port, codex: options.codex, approvals: options.approvals, workspaceRoots: options.workspaceRoots, dialectic: options.dialectic, agents: options.agents });
  if (exposed) {
    try {
      await requireAgentTokens(app.store.tokens, Date.now());
    } catch (err) {
      await app.close();
      throw err;
    }
  }
  const tokens = new TokenAuthenticator(app.store.tokens, {
    refreshMs: options.tokenRefreshMs,
    onBackgroundError: (err) => logger.debug(`could not record a token's last use: ${String(err)}`),
  });
  const sessions = new McpSessions({
    logger,
    createServer: (identity) => mcpOnDemand().createMcpServer(app.registry, { version: VERSION, identity }),
    onCountChange: (n) => app.metrics.mcpSessions.set(n),
    maxSessions: options.maxMcpSessions,
    idleMs: options.mcpSessionIdleMs,
  });

  // A revoked or expired token's MCP sessions are closed, open GET streams included: each request
  // is checked anyway, but a stream opened before the revocation would otherwise stay.
  const tokenSweep = setInterval(() => void endRevokedSessions(), options.tokenRefreshMs ?? TOKEN_REFRESH_MS);
  tokenSweep.unref();
  async function endRevokedSessions(): Promise<void> {
    for (const owner of sessions.owners()) {
      if (!owner.startsWith('token:')) continue;
      const usable = await tokens.stillUsable(owner.slice('token:'.length)).catch(() => true);
      if (!usable) logger.info(`closed ${await sessions.closeOwnedBy(owner)} MCP session(s) of revoked or expired token ${owner.slice('token:'.length)}`);
    }
  }

  let boundPort = port;
  const sockets = new Set<Socket>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void route(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) return sendError(res, err.status, err.code, err.message);
      const e = toToolCallError(err);
      if (e.code === 'unavailable' || e.code === 'forbidden') return sendError(res, e.code === 'forbidden' ? 403 : 503, e.code, e.message);
      logger.error(err instanceof Error ? err : String(err));
      sendError(res, 500, 'internal_error', 'Internal server error; see the server log.');
    });
  };
  let server: Server | NetServer;
  try {
    server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createServer(handler);
  } catch (err) {
    clearInterval(tokenSweep);
    await sessions.closeAll();
    await app.close();
    throw new Error(`The TLS certificate or key was refused (${(err as Error).message}); check --tls-cert and --tls-key (PEM files, the key matching the certificate).`, { cause: err });
  }
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    res.on('finish', () => app.metrics.httpRequests.inc({ route: routeLabel(path), status: String(res.statusCode) }));

    if (!isAllowedHost(req, host, boundPort, publicHosts)) return sendError(res, 403, 'forbidden_host', 'Host header not allowed.');
    if (!isAllowedOrigin(req, publicHosts)) return sendError(res, 403, 'forbidden_origin', 'Origin not allowed.');
    const auth = await authenticateRequest(req, { serverToken: options.token, acceptServerToken: !exposed, tokens });
    if (!auth.ok) {
      // Seed 003's clients read `{"error": "unauthorized"}` from /tasks.
      if (path === '/tasks') return sendJson(res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer realm="codex-governance"' });
      return sendError(res, 401, 'unauthorized', auth.message, { 'www-authenticate': 'Bearer realm="codex-governance"' });
    }
    const principal = auth.principal;
    const rate = limiter.take(principal.kind === 'agent' ? `agent:${principal.agentId}` : rateKeyOf(req, path), tokenRateKey(auth.token));
    if (!rate.allowed) {
      app.metrics.rateLimited.inc();
      const headers = { 'retry-after': String(rate.retryAfterSeconds) };
      const message = rateLimitMessage(rate);
      if (path === '/mcp') return jsonRpcError(res, 429, -32029, message, headers, { limit: rate.limitedBy });
      return sendJson(res, 429, { success: false, error: { code: 'rate_limited', message, limit: rate.limitedBy } }, headers);
    }

    if (path === '/mcp') {
      if (req.method === 'POST') {
        let body: unknown;
        try {
          body = await readJson(req);
        } catch (err) {
          return jsonRpcError(res, (err as HttpError).status ?? 400, -32700, `Parse error: ${(err as Error).message}`);
        }
        return sessions.handle(req, res, body, { key: principalKey(principal), boundAgent: boundAgentOf(principal) });
      }
      if (req.method === 'GET' || req.method === 'DELETE') return sessions.handle(req, res, undefined, { key: principalKey(principal), boundAgent: boundAgentOf(principal) });
      return sendError(res, 405, 'method_not_allowed', 'Use POST, GET or DELETE on /mcp.', { allow: 'GET, POST, DELETE' });
    }
    if (path === '/v1/tools' && req.method === 'GET') return handleListTools(res, app.registry, url.searchParams);
    if (path === '/v1/tools/call' && req.method === 'POST') return handleCallTool(req, res, app.registry, httpCaller(req, principal));
    if (path === '/tasks' && req.method === 'POST') return handlePostTask(req, res, app.tasks, httpCaller(req, principal).agentId, logger, boundAgentOf(principal));
    if (path === '/tasks' && req.method === 'GET') return handleListTasks(res, url.searchParams, app.tasks, logger);
    if (path === HOOKS_ROUTE && req.method === 'POST') {
      // A hook event names its Codex session, not an agent a token could be bound to: hooks come from the machine's own server token or an admin token.
      if (principal.kind === 'agent') return sendError(res, 403, 'forbidden', `${HOOKS_ROUTE} takes the server's token or an admin token (codex-governance tokens create --admin); a per-agent token (agent "${principal.agentId}") cannot post Codex hook events.`);
      return handleCodexHook(req, res, app.hooks);
    }
    if (path === '/health' && req.method === 'GET') {
      return sendJson(res, 200, { status: 'ok', server: 'codex-governance', version: VERSION, url: urlOf(), mcp_sessions: sessions.size, ...(await app.governance.health()) });
    }
    if (path === '/metrics' && req.method === 'GET') {
      const { contentType, body } = await app.metrics.render();
      res.writeHead(200, { 'content-type': contentType });
      return void res.end(body);
    }
    if (path === '/audit' && req.method === 'GET') {
      try {
        return sendJson(res, 200, await readAudit(app.audit, auditQueryFrom(url.searchParams)));
      } catch (err) {
        const e = err as { code?: string; message?: string };
        if (e.code === 'invalid_arguments') return sendError(res, 400, 'invalid_arguments', e.message ?? String(err));
        // The team database (the shared audit table) is down: named, as every other route does.
        if (e.code === 'unavailable') return sendError(res, 503, 'unavailable', e.message ?? String(err));
        throw err;
      }
    }
    return sendError(res, 404, 'not_found', `No route ${req.method} ${path}. Routes: /mcp, GET /v1/tools, POST /v1/tools/call, GET /health, GET /metrics, GET /audit, POST /tasks, GET /tasks, POST /v1/hooks/codex.`);
  }

  try {
    await listen(server, host, port);
  } catch (err) {
    clearInterval(tokenSweep);
    await sessions.closeAll();
    await app.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(host, port);
    throw err;
  }
  boundPort = (server.address() as AddressInfo).port;
  app.setPort(boundPort);
  const urlOf = () => `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  logger.info(`Governance server listening on ${urlOf()} (data: ${options.dataDir})`);

  let closing: Promise<void> | undefined;
  return {
    url: urlOf(),
    host,
    port: boundPort,
    app,
    close: () =>
      (closing ??= (async () => {
        clearInterval(tokenSweep);
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
        await sessions.closeAll();
        await app.close();
        logger.info('Governance server stopped.');
      })()),
  };
}

/**
 * ./mcp (the SDK's McpServer, its types module's zod schemas, ajv), required with the first MCP
 * session rather than at start: a server many clients only reach over /v1 or in process never
 * loads it, and the first start does not wait for it (bench/first-start.ts).
 */
function mcpOnDemand(): typeof Mcp {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./mcp') as typeof Mcp;
}

function requirePositive(option: string, value: number, setting: string, flag: string): void {
  if (!(value > 0)) throw new RangeError(`${option} is ${value}; it must be a positive number of requests per minute (${setting}, ${flag}).`);
}

/** The 429 text: which limit was hit and the setting / flag that raises it. */
function rateLimitMessage(rate: LayeredRateDecision): string {
  const wait = `retry after ${rate.retryAfterSeconds} s`;
  return rate.limitedBy === 'token'
    ? `Rate limit exceeded: ${rate.ratePerMinute} requests/minute per token (shared by every agent and session using this bearer token); ${wait}. ` +
        `To raise it, set codexGovernance.server.rateLimitPerTokenPerMinute (VS Code) or codex-governance serve --rate-limit-per-token N.`
    : `Rate limit exceeded: ${rate.ratePerMinute} requests/minute per agent; ${wait}. ` +
        `To raise it, set codexGovernance.server.rateLimitPerMinute (VS Code) or codex-governance serve --rate-limit N.`;
}

function listen(server: NetServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * The agent identity of an adapter request: `X-Session-ID`, else a new anonymous agent (seed 000).
 * A per-agent token's request is its agent; an X-Session-ID naming another agent is refused.
 * @throws AgentBindingError (403 forbidden) for an X-Session-ID other than the token's agent
 */
export function httpCaller(req: IncomingMessage, principal: Principal = { kind: 'server' }): CallerIdentity {
  const sid = req.headers['x-session-id'];
  if (principal.kind === 'agent') {
    checkBoundField('X-Session-ID', typeof sid === 'string' ? sid : undefined, principal.agentId);
    return { agentId: principal.agentId, anonymous: false, transport: 'openai-http', clientName: userAgentOf(req), boundAgent: principal.agentId };
  }
  if (typeof sid === 'string' && sid.trim()) return { agentId: sid.trim().slice(0, 200), anonymous: false, transport: 'openai-http', clientName: userAgentOf(req) };
  return { agentId: `anonymous-${randomUUID().slice(0, 8)}`, anonymous: true, transport: 'openai-http', clientName: userAgentOf(req) };
}

function userAgentOf(req: IncomingMessage): string | undefined {
  const ua = req.headers['user-agent'];
  return typeof ua === 'string' ? ua.slice(0, 100) : undefined;
}

function rateKeyOf(req: IncomingMessage, path: string): string {
  if (path === '/mcp') {
    const sid = McpSessions.sessionIdOf(req);
    if (sid) return `mcp:${sid}`;
  }
  const sid = req.headers['x-session-id'];
  if (typeof sid === 'string' && sid.trim()) return `sid:${sid.trim()}`;
  return `addr:${req.socket.remoteAddress ?? '?'}:${req.headers['user-agent'] ?? ''}`;
}

function routeLabel(path: string): string {
  return ['/mcp', '/v1/tools', '/v1/tools/call', '/health', '/metrics', '/audit', '/tasks', HOOKS_ROUTE].includes(path) ? path : 'other';
}

export type { GovernanceApp };
