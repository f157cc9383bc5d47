/** Starts a real governance server on a free loopback port with a temp data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RunningGovernanceServer } from '../../src/server/api';
import { startGovernanceServer } from '../../src/server/server';

export interface TestServer {
  server: RunningGovernanceServer;
  url: string;
  token: string;
  dataDir: string;
  /** Headers with the bearer token (and JSON content type). */
  auth: Record<string, string>;
  stop(): Promise<void>;
}

export const TEST_TOKEN = 'test-token-0123456789abcdef';

/**
 * @param options.workspaceRoots the folders Codex sessions may write without asking (the session gate); default the test process's cwd
 * @param options.database a `postgres://` URL: the server's store is that shared database
 */
export async function startTestServer(options: { rateLimitPerMinute?: number; dataDir?: string; workspaceRoots?: string[]; database?: string } = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'cg-test-'));
  const server = await startGovernanceServer({
    port: 0,
    dataDir,
    token: TEST_TOKEN,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 100_000,
    hostKind: 'test',
    ...(options.workspaceRoots ? { workspaceRoots: options.workspaceRoots } : {}),
    ...(options.database ? { database: options.database } : {}),
  });
  return {
    server,
    url: server.url,
    token: TEST_TOKEN,
    dataDir,
    auth: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json' },
    async stop() {
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An MCP SDK client connected to `<url>/mcp` over Streamable HTTP with the bearer token. */
export async function connectMcp(url: string, token: string, name: string): Promise<Client> {
  const client = new Client({ name, version: '0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}
