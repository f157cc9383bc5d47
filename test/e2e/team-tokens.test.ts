/**
 * Team identity end to end with the built CLI (dist/cli.js; build first with `node esbuild.mjs`):
 * `tokens create` then `serve`; a per-agent token reports as its agent and gets 403 as another;
 * `tokens revoke` from another process is refused by the running server within 2 s (measured);
 * `serve --allow-non-loopback` without TLS refuses to start naming the flags; with a self-signed
 * certificate (openssl) an MCP SDK client over HTTPS, trusting that certificate only for this test,
 * works with a per-agent token and the data directory's token is refused; a per-agent token acts on its own
 * agent's Codex sessions only (codex-reply, codex-cleanup), against the real Codex and a fake model.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tls from 'node:tls';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startServe, stopServe, type ServeProcess } from '../helpers/serve-process';
import { createCodexHome } from '../fakes/codex-home';
import { codexBinaries } from '../fakes/codex-processes';
import { replyMessage, startFakeModelServer, userTexts } from '../fakes/fake-model-server';

const CLI = resolve(__dirname, '../../dist/cli.js');
const NODE = process.execPath;
const SERVER_TOKEN = 'team-tokens-server-token-0123456789';

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(NODE, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function serve(args: string[]): Promise<ServeProcess> {
  return startServe(['--port', '0', '--rate-limit', '100000', ...args], { CODEX_GOVERNANCE_TOKEN: SERVER_TOKEN, CODEX_GOVERNANCE_AUTO_DIALECTIC: 'off' });
}

async function stop(s: ServeProcess | undefined): Promise<void> {
  if (s) await stopServe(s.proc);
}

async function report(url: string, token: string, args: Record<string, unknown>): Promise<{ status: number; body: { result?: { agent_id: string }; error?: { code: string; message: string } } }> {
  const r = await fetch(`${url}/v1/tools/call`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'process_agent_update', arguments: { operation: 'e2e work', complexity: 0.3, ...args } }) });
  return { status: r.status, body: (await r.json()) as never };
}

describe('team identity: per-agent tokens and TLS (dist/cli.js)', function () {
  this.timeout(180_000);
  let dir: string;
  let served: ServeProcess | undefined;

  before(() => assert.ok(existsSync(CLI), `${CLI} is missing: build first (node esbuild.mjs)`));
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cg-team-tokens-'))));
  afterEach(async () => {
    await stop(served);
    served = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a per-agent token reports as itself, gets 403 as another agent, and 401 once revoked from another process', async () => {
    const created = cli(['tokens', 'create', '--agent', 'alice', '--data-dir', dir]);
    assert.equal(created.status, 0, created.stderr);
    const token = created.stdout.trim();
    const id = /^cgt_([0-9a-f]{12})_/.exec(token)![1]!;
    served = await serve(['--data-dir', dir]);

    const own = await report(served.url, token, {});
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.result!.agent_id, 'alice');
    const other = await report(served.url, token, { agent_id: 'bob' });
    assert.equal(other.status, 403);
    assert.equal(other.body.error!.code, 'forbidden');
    assert.match(other.body.error!.message, /acts as agent "alice".*agent_id "bob"/);
    assert.equal((await report(served.url, SERVER_TOKEN, { agent_id: 'bob' })).status, 200, 'the server token stays an admin token on loopback');

    // Revoke from another process while the token is in use (its row cached by the server), and
    // measure from the moment the revoking process has exited to the first refusal.
    const revoking = spawn(NODE, [CLI, 'tokens', 'revoke', id, '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let revokeOut = '';
    revoking.stdout.on('data', (d: Buffer) => (revokeOut += d.toString()));
    let revokedAt: number | undefined;
    revoking.once('exit', () => (revokedAt = Date.now()));
    let status = 200;
    const deadline = Date.now() + 60_000;
    while (status === 200 && Date.now() < deadline) {
      status = (await report(served.url, token, {})).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    const refusedAt = Date.now();
    assert.equal(status, 401);
    await new Promise((r) => (revokedAt === undefined ? revoking.once('exit', r) : r(undefined)));
    assert.match(revokeOut, new RegExp(`Revoked token ${id} \\(agent "alice"\\)`));
    const ms = refusedAt - revokedAt!;
    assert.ok(ms < 5000, `revocation took ${ms} ms`);
    process.stdout.write(`      refused ${ms} ms after the revoking process exited (bound: 2000 ms + one read)\n`);
    const listed = cli(['tokens', 'list', '--data-dir', dir]);
    assert.match(listed.stdout, new RegExp(`^${id}\\s+alice\\s+\\S+\\s+never\\s+\\d{4}-`, 'm'));
  });

  it("a per-agent token continues, stops and ends only its own agent's Codex sessions; codex-cleanup force and idle need an admin token", async () => {
    const fake = await startFakeModelServer({ whenExhausted: (req) => replyMessage(`echo: ${userTexts(req).at(-1) ?? ''}`) });
    const home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
    try {
      const tokens = Object.fromEntries(
        ['alice', 'bob'].map((agent) => {
          const c = cli(['tokens', 'create', '--agent', agent, '--data-dir', dir]);
          assert.equal(c.status, 0, c.stderr);
          return [agent, c.stdout.trim()];
        }),
      );
      served = await startServe(['--port', '0', '--rate-limit', '100000', '--data-dir', dir], {
        ...home.env,
        CODEX_GOVERNANCE_TOKEN: SERVER_TOKEN,
        CODEX_GOVERNANCE_AUTO_DIALECTIC: 'off',
        CODEX_GOVERNANCE_CODEX_PATH: codexBinaries().current,
      });
      const url = served.url;
      const call = async (token: string, name: string, args: Record<string, unknown>) => {
        const r = await fetch(`${url}/v1/tools/call`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name, arguments: args }) });
        return { status: r.status, body: (await r.json()) as { result?: Record<string, unknown>; error?: { code: string; message: string } } };
      };
      const started = await call(tokens.alice!, 'codex', { prompt: 'first', cwd: home.workDir, sandbox: 'read-only', 'approval-policy': 'never' });
      assert.equal(started.status, 200, JSON.stringify(started.body));
      const { threadId, session_id: sessionId } = started.body.result as { threadId: string; session_id: string };

      const reply = await call(tokens.bob!, 'codex-reply', { threadId, prompt: 'not yours' });
      assert.equal(reply.status, 403, JSON.stringify(reply.body));
      assert.match(reply.body.error!.message, /acts as agent "bob".*belongs to agent "alice"/);
      for (const args of [{ session_id: sessionId }, { session_id: sessionId, stop_turn: true }]) {
        const r = await call(tokens.bob!, 'codex-cleanup', args);
        assert.equal(r.status, 403, `${JSON.stringify(args)}: ${JSON.stringify(r.body)}`);
      }
      for (const args of [{ force: true }, { idle: true }]) {
        const r = await call(tokens.bob!, 'codex-cleanup', args);
        assert.equal(r.status, 403, `${JSON.stringify(args)}: ${JSON.stringify(r.body)}`);
        assert.match(r.body.error!.message, /every agent's sessions/);
      }
      const info = await call(SERVER_TOKEN, 'codex-session-info', { session_id: sessionId });
      assert.equal((info.body.result as { session: { status: string } }).session.status, 'idle', 'bob changed nothing');

      const own = await call(tokens.alice!, 'codex-reply', { threadId, prompt: 'second' });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.equal((own.body.result as { content: string }).content, 'echo: second');
      assert.equal((await call(tokens.alice!, 'codex-cleanup', { session_id: sessionId })).status, 200);
      assert.equal((await call(SERVER_TOKEN, 'codex-cleanup', { force: true })).status, 200, 'the server token stays an admin token on loopback');
    } finally {
      await stop(served);
      served = undefined;
      await fake.close();
      await home.cleanup();
    }
  });

  it('--allow-non-loopback without TLS refuses to start naming --tls-cert and --tls-key; with TLS but no per-agent token names tokens create', () => {
    const noTls = cli(['serve', '--host', '0.0.0.0', '--port', '0', '--allow-non-loopback', '--public-host', 'localhost', '--data-dir', dir], { CODEX_GOVERNANCE_TOKEN: SERVER_TOKEN });
    assert.equal(noTls.status, 1);
    assert.match(noTls.stderr, /--tls-cert FILE\.pem and --tls-key FILE\.pem/);
    const half = cli(['serve', '--host', '0.0.0.0', '--port', '0', '--allow-non-loopback', '--tls-cert', 'x.pem', '--data-dir', dir]);
    assert.equal(half.status, 1);
    assert.match(half.stderr, /--tls-cert and --tls-key go together/);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    const noTokens = cli(['serve', '--host', '0.0.0.0', '--port', '0', '--allow-non-loopback', '--public-host', 'localhost', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem'), '--data-dir', dir]);
    assert.equal(noTokens.status, 1);
    assert.match(noTokens.stderr, /codex-governance tokens create --agent NAME/);
  });

  it('over HTTPS beyond loopback an MCP SDK client with a per-agent token works (the certificate trusted by this test only); the data dir token is refused', async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    const token = cli(['tokens', 'create', '--agent', 'carol', '--data-dir', dir]).stdout.trim();
    served = await serve(['--host', '0.0.0.0', '--allow-non-loopback', '--public-host', 'localhost', '--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'key.pem'), '--data-dir', dir]);
    assert.match(served.url, /^https:\/\/0\.0\.0\.0:\d+$/);
    assert.match(served.output(), /only those made with codex-governance tokens/);
    const url = served.url.replace('0.0.0.0', 'localhost');

    await assert.rejects(fetch(`${url}/health`), 'the self-signed certificate is not trusted by default');
    const previous = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...previous, readFileSync(join(dir, 'cert.pem'), 'utf8')]);
    try {
      const health = await fetch(`${url}/health`, { headers: { authorization: `Bearer ${SERVER_TOKEN}` } });
      assert.equal(health.status, 401, 'the data dir / environment token is refused beyond loopback');
      const client = new Client({ name: 'tls-client', version: '0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
      try {
        const own = await client.callTool({ name: 'process_agent_update', arguments: { operation: 'over tls', complexity: 0.2 } });
        assert.equal((own.structuredContent as { agent_id: string }).agent_id, 'carol');
        const other = await client.callTool({ name: 'process_agent_update', arguments: { agent_id: 'dave', operation: 'x', complexity: 0.2 } });
        assert.equal(other.isError, true);
        assert.match(JSON.stringify(other.content), /forbidden/);
      } finally {
        await client.close();
      }
    } finally {
      tls.setDefaultCACertificates(previous);
    }
  });
});
