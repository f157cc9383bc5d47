/**
 * Limits an agent cannot step around, against a real server: the per-token rate limit (a new
 * X-Session-ID per request does not escape it), the cap on open MCP sessions (with the SDK's own
 * Client), idle MCP sessions closing, and the empty JSON-RPC batch.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { GovernanceServerOptions, RunningGovernanceServer } from '../../src/server/api';
import { startGovernanceServer } from '../../src/server/server';

const TOKEN = 'limits-test-token-0123456789abcdef';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const MCP_HEADERS = { ...AUTH, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'limits-raw', version: '0' } },
});

interface Running {
  server: RunningGovernanceServer;
  stop(): Promise<void>;
}

async function start(options: Partial<GovernanceServerOptions>): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-limits-'));
  const server = await startGovernanceServer({ port: 0, dataDir, token: TOKEN, hostKind: 'test', rateLimitPerMinute: 100_000, ...options });
  return {
    server,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function openSessions(url: string): Promise<number> {
  const res = await fetch(`${url}/health`, { headers: AUTH });
  return ((await res.json()) as { mcp_sessions: number }).mcp_sessions;
}

/** An `initialize` POST and nothing after it (no `notifications/initialized`, no DELETE): a client that went away. */
async function initializeAndLeave(url: string): Promise<string> {
  const res = await fetch(`${url}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: INITIALIZE });
  assert.equal(res.status, 200);
  await res.text();
  const id = res.headers.get('mcp-session-id');
  assert.ok(id, 'initialize returns an Mcp-Session-Id');
  return id;
}

async function connectClient(url: string, name: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: AUTH } });
  await client.connect(transport);
  return { client, transport };
}

describe('limits an agent cannot step around', () => {
  describe('per-token rate limit', () => {
    let t: Running;
    before(async () => {
      // 2/minute per agent, 4/minute per token: refills take 30 s and 15 s, far longer than this test.
      t = await start({ rateLimitPerMinute: 2, rateLimitPerTokenPerMinute: 4 });
    });
    after(async () => t?.stop());

    const call = async (sessionId: string) => {
      const res = await fetch(`${t.server.url}/v1/tools/call`, {
        method: 'POST',
        headers: { ...AUTH, 'Content-Type': 'application/json', 'X-Session-ID': sessionId },
        body: JSON.stringify({ name: 'health_check', arguments: {} }),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { success: boolean; error?: { code: string; message: string; limit?: string } } };
    };

    it('refuses one agent past its own limit, naming the per-agent setting', async () => {
      assert.equal((await call('agent-a')).status, 200);
      assert.equal((await call('agent-a')).status, 200);
      const refused = await call('agent-a');
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error?.code, 'rate_limited');
      assert.equal(refused.body.error?.limit, 'agent');
      assert.match(refused.body.error.message, /2 requests\/minute per agent/);
      assert.match(refused.body.error.message, /codexGovernance\.server\.rateLimitPerMinute .*--rate-limit N/);
    });

    it('refuses a client that sends a new X-Session-ID on every request once the token has spent its budget', async () => {
      // agent-a used 2 of the token's 4 (its refused request cost nothing): two fresh identities pass, the third does not.
      assert.equal((await call('fresh-1')).status, 200);
      assert.equal((await call('fresh-2')).status, 200);
      const refused = await call('fresh-3');
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error?.limit, 'token');
      assert.ok(Number(refused.retryAfter) >= 1, `Retry-After ${refused.retryAfter}`);
      assert.match(refused.body.error.message, /4 requests\/minute per token/);
      assert.match(refused.body.error.message, /codexGovernance\.server\.rateLimitPerTokenPerMinute .*--rate-limit-per-token N/);
      assert.equal((await call('fresh-4')).status, 429, 'still refused with yet another identity');
      // The MCP endpoint shares the token's budget.
      const mcp = await fetch(`${t.server.url}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: INITIALIZE });
      assert.equal(mcp.status, 429);
      const rpc = (await mcp.json()) as { error: { code: number; message: string; data?: { limit?: string } } };
      assert.equal(rpc.error.code, -32029);
      assert.equal(rpc.error.data?.limit, 'token');
    });
  });

  describe('open MCP sessions', () => {
    let t: Running;
    const clients: Client[] = [];
    before(async () => {
      t = await start({ maxMcpSessions: 3 });
    });
    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await t?.stop();
    });

    it('a refused initialize (bad Accept header) holds no session slot', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${t.server.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, Accept: 'application/json' }, body: INITIALIZE });
        assert.equal(res.status, 406);
        await res.text();
      }
      assert.equal(await openSessions(t.server.url), 0);
    });

    it('refuses the session past maxMcpSessions with a message naming the setting; closing one lets a new one in', async () => {
      const opened = [];
      for (let i = 0; i < 3; i++) {
        const c = await connectClient(t.server.url, `capped-${i}`);
        clients.push(c.client);
        opened.push(c);
      }
      assert.equal(await openSessions(t.server.url), 3);

      const extra = new Client({ name: 'one-too-many', version: '1.0.0' });
      await assert.rejects(extra.connect(new StreamableHTTPClientTransport(new URL(`${t.server.url}/mcp`), { requestInit: { headers: AUTH } })), (err: unknown) => {
        assert.ok(err instanceof StreamableHTTPError, String(err));
        assert.equal(err.code, 503);
        assert.match(err.message, /Too many open MCP sessions: 3 of at most 3/);
        assert.match(err.message, /codexGovernance\.server\.maxMcpSessions .*--max-mcp-sessions N/);
        return true;
      });
      await extra.close();
      // The sessions already open keep working.
      assert.ok((await opened[0]!.client.listTools()).tools.length > 0);

      await opened[1]!.transport.terminateSession();
      await opened[1]!.client.close();
      assert.equal(await openSessions(t.server.url), 2);
      const next = await connectClient(t.server.url, 'next-in-line');
      clients.push(next.client);
      const health = await next.client.callTool({ name: 'health_check', arguments: {} });
      assert.ok(!health.isError);
    });
  });

  describe('idle MCP sessions', () => {
    let t: Running;
    before(async () => {
      t = await start({ maxMcpSessions: 1, mcpSessionIdleMs: 200 });
    });
    after(async () => t?.stop());

    it('closes a session whose client went away, freeing its slot', async () => {
      const abandoned = await initializeAndLeave(t.server.url);
      assert.equal(await openSessions(t.server.url), 1);
      // The sweep runs every idleMs/4; wait for it rather than for a fixed time.
      for (let tries = 0; (await openSessions(t.server.url)) > 0; tries++) {
        assert.ok(tries < 200, 'the idle session was never closed');
        await new Promise((r) => setTimeout(r, 50));
      }
      const res = await fetch(`${t.server.url}/mcp`, {
        method: 'POST',
        headers: { ...MCP_HEADERS, 'Mcp-Session-Id': abandoned, 'Mcp-Protocol-Version': '2025-06-18' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
      });
      assert.equal(res.status, 404, 'the closed session is gone: the client must initialize again');
      await res.text();
      // maxMcpSessions is 1: a new session is accepted only because the idle one released its slot.
      await initializeAndLeave(t.server.url);
    });
  });

  describe('empty JSON-RPC batch', () => {
    let t: Running;
    before(async () => {
      t = await start({});
    });
    after(async () => t?.stop());

    const postEmptyBatch = async (headers: Record<string, string>) => {
      const res = await fetch(`${t.server.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: '[]' });
      return { status: res.status, body: (await res.json()) as { jsonrpc: string; id: unknown; error: { code: number; message: string } } };
    };

    it('answers [] with -32600 Invalid Request, with or without a session', async () => {
      const without = await postEmptyBatch({});
      assert.equal(without.status, 400);
      assert.equal(without.body.jsonrpc, '2.0');
      assert.equal(without.body.id, null);
      assert.equal(without.body.error.code, -32600);
      assert.match(without.body.error.message, /^Invalid Request: the JSON-RPC batch is empty/);

      const session = await initializeAndLeave(t.server.url);
      const within = await postEmptyBatch({ 'Mcp-Session-Id': session, 'Mcp-Protocol-Version': '2025-06-18' });
      assert.equal(within.status, 400);
      assert.equal(within.body.error.code, -32600);
    });
  });
});
