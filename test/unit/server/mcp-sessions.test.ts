/**
 * McpSessions on a real node:http server with real MCP servers: what counts as idle, and slots
 * held by initialize requests. Idle sweeps are driven with an explicit clock (`closeIdle(now)`).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpSessions } from '../../../src/server/http/mcp-sessions';
import { nullLogger } from '../../../src/util/log';

const HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'unit', version: '0' } } });
const HOUR_LATER = () => Date.now() + 3_600_000;

describe('MCP sessions: idle and capacity', () => {
  let http: Server;
  let url: string;
  let sessions: McpSessions;
  let release: () => void = () => undefined;
  let toolStarted: Promise<void>;
  let markToolStarted: () => void;

  beforeEach(async () => {
    toolStarted = new Promise((r) => (markToolStarted = r));
    sessions = new McpSessions({
      logger: nullLogger,
      maxSessions: 1,
      idleMs: 60_000,
      createServer: () => {
        const server = new McpServer({ name: 'unit', version: '0' });
        server.registerTool('wait', { description: 'returns when the test says so' }, async () => {
          const released = new Promise<void>((r) => (release = r));
          markToolStarted();
          await released;
          return { content: [{ type: 'text', text: 'done' }] };
        });
        return server;
      },
    });
    http = createServer((req, res) => {
      void (async () => {
        let body: unknown;
        if (req.method === 'POST') {
          let text = '';
          for await (const chunk of req) text += String(chunk);
          body = JSON.parse(text);
        }
        await sessions.handle(req, res, body);
      })();
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  });

  afterEach(async () => {
    release();
    await sessions.closeAll();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });

  async function initialize(): Promise<Record<string, string>> {
    const res = await fetch(url, { method: 'POST', headers: HEADERS, body: INITIALIZE });
    assert.equal(res.status, 200);
    await res.text();
    const session = { ...HEADERS, 'Mcp-Session-Id': res.headers.get('mcp-session-id')!, 'Mcp-Protocol-Version': '2025-06-18' };
    const done = await fetch(url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
    assert.equal(done.status, 202);
    return session;
  }

  /** Sweeps "an hour later" until the session count settles at `expected` (a response's close event may still be on its way). */
  async function sweepUntil(expected: number): Promise<void> {
    for (let tries = 0; ; tries++) {
      await sessions.closeIdle(HOUR_LATER());
      if (sessions.size === expected) return;
      assert.ok(tries < 200, `still ${sessions.size} sessions, expected ${expected}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('keeps a session whose client holds its GET stream open, closes it once the stream ends', async () => {
    const session = await initialize();
    const stream = new AbortController();
    const get = await fetch(url, { headers: { ...session, Accept: 'text/event-stream' }, signal: stream.signal });
    assert.equal(get.status, 200);
    await sessions.closeIdle(HOUR_LATER());
    assert.equal(sessions.size, 1, 'a connected client is not idle');
    stream.abort();
    await sweepUntil(0);
  });

  it('keeps a session while a tool call runs, however long', async () => {
    const session = await initialize();
    const res = await fetch(url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'wait', arguments: {} } }) });
    assert.equal(res.status, 200);
    await toolStarted;
    await sessions.closeIdle(HOUR_LATER());
    assert.equal(sessions.size, 1, 'a session waiting on a tool is not idle');
    release();
    assert.match(await res.text(), /"done"/);
    await sweepUntil(0);
  });

  it('refuses a second session at maxSessions 1 with 503, and an initialize the transport refused holds no slot', async () => {
    const bad = await fetch(url, { method: 'POST', headers: { ...HEADERS, 'Content-Type': 'text/plain' }, body: INITIALIZE });
    assert.equal(bad.status, 415);
    await bad.text();
    assert.equal(sessions.size, 0);
    await initialize();
    const refused = await fetch(url, { method: 'POST', headers: HEADERS, body: INITIALIZE });
    assert.equal(refused.status, 503);
    const body = (await refused.json()) as { error: { code: number; message: string; data: unknown } };
    assert.equal(body.error.code, -32000);
    assert.deepEqual(body.error.data, { limit: 'maxMcpSessions', max: 1, open: 1 });
    const retry = Number(refused.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}: when the idle session would close (idleMs 60 s)`);
  });

  it('rejects a cap below 1 and an idle time of 0', () => {
    assert.throws(() => new McpSessions({ logger: nullLogger, createServer: () => new McpServer({ name: 'x', version: '0' }), maxSessions: 0 }), /maxMcpSessions/);
    assert.throws(() => new McpSessions({ logger: nullLogger, createServer: () => new McpServer({ name: 'x', version: '0' }), idleMs: 0 }), /mcpSessionIdleMs/);
  });
});
