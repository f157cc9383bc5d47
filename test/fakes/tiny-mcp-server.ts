/**
 * A tiny MCP server over Streamable HTTP (SDK `McpServer` + `StreamableHTTPServerTransport` in
 * stateless mode, per the SDK README) on 127.0.0.1 with a random port, requiring
 * `Authorization: Bearer <token>`. It records every tool call with the token it came with, so a test
 * can prove that Codex, configured with `[mcp_servers.NAME] url + bearer_token_env_var`, called it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** One tool call as the server saw it. */
export interface RecordedToolCall {
  tool: string;
  args: Record<string, unknown>;
  /** The `Authorization` header of the HTTP request carrying the call. */
  authorization: string | undefined;
}

export interface TinyMcpServer {
  /** `http://127.0.0.1:<port>/mcp`. */
  readonly url: string;
  readonly token: string;
  /** Tool calls that passed authentication, in order. */
  readonly calls: RecordedToolCall[];
  /** Number of HTTP requests refused for a missing or wrong bearer token. */
  readonly rejectedRequests: () => number;
  /** Resolves with the first call of `tool` (now or later), or rejects after `timeoutMs`. */
  waitForCall(tool: string, timeoutMs?: number): Promise<RecordedToolCall>;
  close(): Promise<void>;
}

export interface TinyMcpServerOptions {
  token: string;
  /** Server name in `initialize` (default `tiny-test-server`). */
  name?: string;
  /** MCP tool annotations given to both tools (e.g. `{ readOnlyHint: true }`, which Codex weighs when deciding to ask for approval). */
  annotations?: ToolAnnotations;
}

/**
 * Starts the server with two tools:
 * - `echo {text: string}` -> text `echo: <text>`
 * - `add {a: number, b: number}` -> text `<a+b>` and structured `{sum}`
 */
export async function startTinyMcpServer(opts: TinyMcpServerOptions): Promise<TinyMcpServer> {
  const calls: RecordedToolCall[] = [];
  const waiters: Array<{ tool: string; resolve: (c: RecordedToolCall) => void }> = [];
  let rejected = 0;
  const sockets = new Set<Socket>();

  const record = (call: RecordedToolCall) => {
    calls.push(call);
    for (const w of [...waiters]) {
      if (w.tool === call.tool) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(call);
      }
    }
  };

  const annotations = opts.annotations ? { annotations: opts.annotations } : {};
  const buildServer = (authorization: string | undefined): McpServer => {
    const server = new McpServer({ name: opts.name ?? 'tiny-test-server', version: '1.0.0' });
    server.registerTool(
      'echo',
      { description: 'Returns the text it is given, prefixed with "echo: ".', inputSchema: { text: z.string() }, ...annotations },
      (args) => {
        record({ tool: 'echo', args, authorization });
        return { content: [{ type: 'text', text: `echo: ${args.text}` }] };
      },
    );
    server.registerTool(
      'add',
      { description: 'Adds two numbers.', inputSchema: { a: z.number(), b: z.number() }, outputSchema: { sum: z.number() }, ...annotations },
      (args) => {
        record({ tool: 'add', args, authorization });
        const sum = args.a + args.b;
        return { content: [{ type: 'text', text: String(sum) }], structuredContent: { sum } };
      },
    );
    return server;
  };

  const http: Server = createServer((req, res) => {
    const authorization = req.headers.authorization;
    if (authorization !== `Bearer ${opts.token}`) {
      rejected += 1;
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'missing or wrong bearer token' }, id: null }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    // Stateless: a fresh server and transport per request, closed with the response.
    const server = buildServer(authorization);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
  });
  http.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    token: opts.token,
    calls,
    rejectedRequests: () => rejected,
    waitForCall: (tool, timeoutMs = 30_000) => {
      const done = calls.find((c) => c.tool === tool);
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const w = {
          tool,
          resolve: (c: RecordedToolCall) => {
            clearTimeout(timer);
            resolve(c);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`tiny MCP server: no call of ${tool} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
