/**
 * The bridge tries each token through firstAcceptedToken: a wrong token file beside the right
 * `CODEX_GOVERNANCE_TOKEN` still connects; when every token is refused, Codex's initialize gets a
 * JSON-RPC error naming the server and the token sources (never a token). Real server, real MCP
 * transports, stdio over in-memory streams.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { GovernanceBridge, SERVER_UNAVAILABLE } from '../../../src/cli/bridge';
import { startTestServer, TEST_TOKEN, type TestServer } from '../../helpers/governance-server';

/** Sends Codex's initialize through a bridge and returns the first JSON-RPC line it answers. */
async function initializeThrough(options: { dataDir: string; server: string; env: NodeJS.ProcessEnv }): Promise<{ result?: { serverInfo?: { name?: string } }; error?: { code: number; message: string } }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const logs: string[] = [];
  const bridge = new GovernanceBridge({ ...options, stdin, stdout, log: (l) => logs.push(l) });
  await bridge.start();
  try {
    const line = new Promise<string>((resolve) => {
      let buffer = '';
      stdout.on('data', (c: Buffer) => {
        buffer += c.toString('utf8');
        const end = buffer.indexOf('\n');
        if (end >= 0) resolve(buffer.slice(0, end));
      });
    });
    stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'unit', version: '0' } } })}\n`);
    return JSON.parse(await line) as Awaited<ReturnType<typeof initializeThrough>>;
  } finally {
    stdin.end();
    await bridge.close();
  }
}

describe('bridge: the tokens it tries', function () {
  this.timeout(30_000);
  let srv: TestServer;
  let dir: string;

  before(async () => {
    srv = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'cg-bridge-tokens-'));
    writeFileSync(join(dir, 'token'), 'a-token-file-of-another-server\n', { mode: 0o600 });
  });
  after(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a refused token file is passed over for the environment\'s token', async () => {
    const answer = await initializeThrough({ dataDir: dir, server: srv.url, env: { CODEX_GOVERNANCE_TOKEN: TEST_TOKEN } });
    assert.equal(answer.error, undefined, JSON.stringify(answer));
    assert.ok(answer.result?.serverInfo?.name, JSON.stringify(answer));
  });

  it('every token refused: initialize gets an error naming the server and each source, not the tokens', async () => {
    const answer = await initializeThrough({ dataDir: dir, server: srv.url, env: { CODEX_GOVERNANCE_TOKEN: 'wrong-token-0123456789' } });
    assert.equal(answer.error?.code, SERVER_UNAVAILABLE);
    assert.equal(
      answer.error?.message,
      `Codex Governance: the governance server at ${srv.url} refused every token (${join(dir, 'token')}, env:CODEX_GOVERNANCE_TOKEN): HTTP 401; run "Connect Codex to Governance" again.`,
    );
    assert.doesNotMatch(answer.error?.message ?? '', /a-token-file|wrong-token/);
  });
});
