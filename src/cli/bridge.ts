/**
 * `codex-governance bridge [--data-dir DIR] [--server URL]`: a stdio MCP server that Codex starts
 * (`[mcp_servers.codex-governance] command/args`) and that relays every JSON-RPC message, unchanged,
 * to the running governance server's Streamable HTTP endpoint (`/mcp`) and back. Codex therefore
 * needs no URL, no port and no token in its config or environment: the bridge finds the server
 * through the data directory (src/cli/running-server.ts) on every (re)connect.
 *
 * Messages are relayed as they are (MCP SDK transports on both sides, no Client/Server in between),
 * so tool annotations, notifications, progress and server-to-client requests such as elicitation
 * pass through untouched. When the upstream session is lost (the server restarted, on the same or
 * another port: connection refused, or HTTP 404 for the old session id, MCP spec 2025-06-18
 * "Session Management"), the bridge finds the server again, replays Codex's `initialize` and
 * `notifications/initialized`, and resends the request once. When no server runs, requests get a
 * JSON-RPC error that says how to start it: the bridge never leaves Codex waiting.
 *
 * Codex lists a stdio server's tools in a session's first model request only if it answered within
 * `mcp_optional_startup_grace_ms` (1 s by default; later requests list it once ready), so the bridge
 * is also bundled on its own (dist/bridge.js): it loads the MCP SDK transports and nothing else.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  isInitializeRequest,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { maskSecrets } from '../util/log';
import { defaultDataDir, findRunningServer, firstAcceptedToken, TokenRefused, TokensRefusedError, type RunningServer } from './running-server';

export interface BridgeOptions {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Explicit server base URL (skips the lock file). */
  server?: string;
  stdin?: Readable;
  stdout?: Writable;
  /** Diagnostics (never the token). Codex shows a stdio server's stderr in its log. */
  log?: (line: string) => void;
}

/** JSON-RPC error code for "the governance server is unavailable" (implementation-defined range). */
export const SERVER_UNAVAILABLE = -32001;
/** How long the bridge waits for the server's answer to initialize, in ms. */
const INIT_TIMEOUT_MS = 10_000;

interface Upstream {
  transport: StreamableHTTPClientTransport;
  url: string;
  token: string;
}

/** A relay between one stdio peer (Codex) and the governance server; see the module comment. */
export class GovernanceBridge {
  private readonly stdio: StdioServerTransport;
  private upstream: Upstream | undefined;
  private connecting: Promise<JSONRPCMessage> | undefined;
  /** Codex's initialize request, replayed on every reconnect. */
  private initialize: JSONRPCRequest | undefined;
  private initialized = false;
  private readonly pendingInits = new Map<RequestId, (m: JSONRPCMessage) => void>();
  private initCount = 0;
  private closed = false;
  private readonly log: (line: string) => void;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(private readonly options: BridgeOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(`codex-governance bridge: ${line}\n`));
    this.stdio = new StdioServerTransport(options.stdin, options.stdout);
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  async start(): Promise<void> {
    this.stdio.onmessage = (message) => void this.fromCodex(message);
    this.stdio.onerror = (err) => this.log(`stdin: ${err.message}`);
    this.stdio.onclose = () => void this.close();
    await this.stdio.start();
    // StdioServerTransport does not report the end of stdin; Codex closing it means the session ended.
    (this.options.stdin ?? process.stdin).once('end', () => void this.close());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const up = this.upstream;
    this.upstream = undefined;
    if (up) {
      await up.transport.terminateSession().catch(() => undefined);
      await up.transport.close().catch(() => undefined);
    }
    await this.stdio.close().catch(() => undefined);
    this.resolveDone();
  }

  private async fromCodex(message: JSONRPCMessage): Promise<void> {
    try {
      if (isInitializeRequest(message) && isJSONRPCRequest(message)) {
        this.initialize = message;
        this.initialized = false;
        await this.dropUpstream();
        const reply = await this.connect();
        if (!this.closed) await this.stdio.send({ ...reply, id: message.id });
        return;
      }
      if ('method' in message && message.method === 'notifications/initialized') this.initialized = true;
      await this.sendUpstream(message, true);
    } catch (err) {
      this.failed(message, err);
    }
  }

  /** Sends to the current upstream, opening a new session (once) when there is none or it was lost. */
  private async sendUpstream(message: JSONRPCMessage, retry: boolean): Promise<void> {
    if (!this.upstream) await this.connect();
    const up = this.upstream;
    if (!up) throw new Error('no session with the governance server');
    try {
      await up.transport.send(message);
    } catch (err) {
      if (!retry || !sessionLost(err)) throw err;
      this.log(`lost the server session at ${up.url} (${describe(err)}); looking for the server again.`);
      await this.dropUpstream(up);
      await this.sendUpstream(message, false);
    }
  }

  /**
   * Opens a session with Codex's initialize (read again from the data directory: port and token)
   * unless another call is already doing so; resolves with the server's initialize answer.
   */
  private connect(): Promise<JSONRPCMessage> {
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<JSONRPCMessage> {
    if (!this.initialize) throw new Error('Codex sent a request before initialize');
    const init = this.initialize;
    const found = findRunningServer({ dataDir: this.options.dataDir, env: this.options.env, server: this.options.server, thenHint: 'restart this Codex session' });
    const tried = await firstAcceptedToken(found, async (token) => {
      const up = this.transportFor(found, token.token);
      try {
        await up.transport.start();
        return { up, reply: await this.sendInitialize(up, init) };
      } catch (err) {
        await up.transport.close().catch(() => undefined);
        if (err instanceof StreamableHTTPError && (err.code === 401 || err.code === 403)) return new TokenRefused(`HTTP ${err.code}`);
        throw err;
      }
    });
    if ('refused' in tried) throw tried.refused;
    this.upstream = tried.value.up;
    this.log(`connected to ${found.url} (${found.urlSource}).`);
    return tried.value.reply;
  }

  private transportFor(found: RunningServer, token: string): Upstream {
    const url = `${found.url}/mcp`;
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
      // No automatic SSE reconnection to an address the server may have left: the bridge opens a
      // new session, at the address recorded then, on the next message.
      reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1000, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1 },
    });
    const up: Upstream = { transport, url, token };
    transport.onmessage = (message) => this.fromServer(message);
    transport.onerror = (err) => {
      if (this.upstream === up && !this.closed) this.log(`${url}: ${maskSecrets(describe(err))}`);
    };
    return up;
  }

  private fromServer(message: JSONRPCMessage): void {
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      const waiting = this.pendingInits.get(message.id);
      if (waiting) {
        this.pendingInits.delete(message.id);
        waiting(message);
        return;
      }
    }
    if (this.closed) return;
    this.stdio.send(message).catch((err: unknown) => this.log(`stdout: ${describe(err)}`));
  }

  /**
   * Sends Codex's initialize under a bridge-own id (so a replay's answer is not forwarded twice) and
   * `notifications/initialized` if Codex already sent it (a replayed session).
   * @throws StreamableHTTPError (401 for a wrong token), a fetch error, or a timeout after 10 s.
   */
  private async sendInitialize(up: Upstream, init: JSONRPCRequest): Promise<JSONRPCMessage> {
    const id = `codex-governance-bridge-init-${++this.initCount}`;
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<JSONRPCMessage>((resolve, reject) => {
      this.pendingInits.set(id, resolve);
      timer = setTimeout(() => reject(new Error(`no answer to initialize from ${up.url} within ${INIT_TIMEOUT_MS} ms`)), INIT_TIMEOUT_MS);
    });
    try {
      await up.transport.send({ ...init, id });
      const reply = await answer;
      if (isJSONRPCResultResponse(reply)) {
        const version = (reply.result as { protocolVersion?: unknown }).protocolVersion;
        if (typeof version === 'string') up.transport.setProtocolVersion(version);
        if (this.initialized) await up.transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      }
      return reply;
    } finally {
      clearTimeout(timer);
      this.pendingInits.delete(id);
    }
  }

  private async dropUpstream(which?: Upstream): Promise<void> {
    const up = this.upstream;
    if (!up || (which && which !== up)) return;
    this.upstream = undefined;
    await up.transport.close().catch(() => undefined);
  }

  /** Answers a request that could not be relayed; other messages are only logged. */
  private failed(message: JSONRPCMessage, err: unknown): void {
    const text = maskSecrets(describe(err));
    this.log(text);
    if (!isJSONRPCRequest(message) || this.closed) return;
    this.stdio
      .send({ jsonrpc: '2.0', id: message.id, error: { code: SERVER_UNAVAILABLE, message: `Codex Governance: ${text}` } })
      .catch(() => undefined);
  }
}

/** True when the error means the server (or its session) is gone, so a fresh session may succeed. */
function sessionLost(err: unknown): boolean {
  if (err instanceof StreamableHTTPError) return err.code === 404 || err.code === 401 || err.code === 403;
  const e = err as { message?: string; cause?: unknown };
  const text = `${e?.message ?? ''} ${e?.cause instanceof Error ? e.cause.message : ''}`;
  return /fetch failed|ECONNREFUSED|ECONNRESET|socket hang up|other side closed/i.test(text);
}

function describe(err: unknown): string {
  if (err instanceof TokensRefusedError) return `${err.message}; run "Connect Codex to Governance" again.`;
  if (err instanceof StreamableHTTPError) {
    if (err.code === 401 || err.code === 403) return `the server refused the token (HTTP ${err.code}); run "Connect Codex to Governance" again.`;
    return `HTTP ${err.code ?? '?'}: ${err.message}`;
  }
  const e = err as { message?: string; cause?: unknown };
  const cause = e?.cause instanceof Error ? ` (${e.cause.message})` : '';
  if (/fetch failed|ECONNREFUSED/i.test(`${e?.message}${cause}`)) {
    return `nothing answers at the recorded address${cause}; start the governance server (VS Code: "Codex Governance: Start Server", terminal: "codex-governance serve").`;
  }
  return `${e?.message ?? String(err)}${cause}`;
}

/**
 * Runs the bridge until stdin closes.
 * @returns the exit code (0).
 */
export async function runBridge(options: BridgeOptions): Promise<number> {
  const bridge = new GovernanceBridge(options);
  await bridge.start();
  const stop = () => void bridge.close();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    await bridge.done;
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
  return 0;
}

export const BRIDGE_USAGE = 'Usage: codex-governance bridge [--data-dir DIR] [--server URL]\n';

/**
 * `bridge [--data-dir DIR] [--server URL]` from the command line.
 * @returns the exit code: 0 when stdin closed, 2 for a usage error.
 */
export async function runBridgeCommand(argv: string[], io: { stderr: { write(s: string): unknown }; env: NodeJS.ProcessEnv }): Promise<number> {
  let values: { 'data-dir'?: string; server?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' }, server: { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    io.stderr.write(`error: ${(e as Error).message}\n${BRIDGE_USAGE}`);
    return 2;
  }
  const dataDir = values['data-dir'] !== undefined ? resolve(values['data-dir']) : defaultDataDir(io.env);
  return runBridge({ dataDir, env: io.env, server: values.server });
}
