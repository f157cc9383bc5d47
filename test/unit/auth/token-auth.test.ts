/**
 * Team identity on a real server (in process, SQLite data dir): the server's own token, per-agent
 * and admin tokens from the store, expiry and revocation, the agent binding on every transport
 * (POST /v1/tools/call, MCP Streamable HTTP through the SDK client, POST /tasks, the hooks route),
 * and the token cache (one store read per token per refresh).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenAuthenticator } from '../../../src/auth/authenticator';
import { checkAgentBinding, mayNameOtherAgents } from '../../../src/auth/binding';
import type { TokenRepository } from '../../../src/auth/repository';
import { issueToken, parseExpiry, parseToken } from '../../../src/auth/token-format';
import type { RunningGovernanceServer } from '../../../src/server/api';
import { startGovernanceServer } from '../../../src/server/server';
import { openStore } from '../../../src/store/store';
import type { Store } from '../../../src/store/types';
import { connectMcp } from '../../helpers/governance-server';
import { testDatabase } from '../../helpers/postgres';

const SERVER_TOKEN = 'server-token-0123456789abcdef';

async function addToken(tokens: TokenRepository, over: { agentId?: string | null; admin?: boolean; expiresAtMs?: number | null } = {}): Promise<{ id: string; token: string }> {
  const t = issueToken();
  await tokens.create({ id: t.id, agentId: over.agentId === undefined ? 'alice' : over.agentId, admin: over.admin ?? false, secretSha256: t.secretSha256, createdAtMs: Date.now(), expiresAtMs: over.expiresAtMs ?? null });
  return { id: t.id, token: t.token };
}

async function call(url: string, token: string, name: string, args: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: { success: boolean; result?: Record<string, unknown>; error?: { code: string; message: string } } }> {
  const r = await fetch(`${url}/v1/tools/call`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name, arguments: args }) });
  return { status: r.status, body: (await r.json()) as never };
}

describe('token format', () => {
  it('issues cgt_<12 hex>_<43 base64url> tokens whose parts parse back; other shapes do not parse', () => {
    const t = issueToken();
    assert.match(t.token, /^cgt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(parseToken(t.token)!.id, t.id);
    assert.equal(parseToken(`${t.token}x`), undefined);
    assert.equal(parseToken('cgt_XYZ_abc'), undefined);
    assert.doesNotMatch(t.secretSha256, new RegExp(parseToken(t.token)!.secret));
  });

  it('reads expiries as durations or ISO-8601 dates and refuses the past and other words, naming --expires', () => {
    const now = Date.UTC(2026, 0, 1);
    assert.equal(parseExpiry('30d', now), now + 30 * 86_400_000);
    assert.equal(parseExpiry('90m', now), now + 90 * 60_000);
    assert.equal(parseExpiry('2027-01-31', now), Date.UTC(2027, 0, 31));
    assert.equal(parseExpiry('2027-01-31T18:00:00Z', now), Date.UTC(2027, 0, 31, 18));
    assert.throws(() => parseExpiry('2025-01-01', now), /--expires "2025-01-01" is in the past/);
    assert.throws(() => parseExpiry('soon', now), /--expires "soon" is neither a duration/);
  });
});

describe('agent binding rule', () => {
  it('lets read-only tools name other agents and refuses any other tool, naming both ids', () => {
    assert.doesNotThrow(() => checkAgentBinding({ name: 'observe_agent', annotations: { readOnlyHint: true } }, { agent_id: 'bob' }, 'alice'));
    assert.doesNotThrow(() => checkAgentBinding({ name: 'process_agent_update' }, { agent_id: 'alice' }, 'alice'));
    assert.doesNotThrow(() => checkAgentBinding({ name: 'process_agent_update' }, {}, 'alice'));
    assert.throws(() => checkAgentBinding({ name: 'process_agent_update' }, { agent_id: 'bob' }, 'alice'), (e: { code?: string; message: string }) => e.code === 'forbidden' && /"alice"/.test(e.message) && /"bob"/.test(e.message));
    assert.throws(() => checkAgentBinding({ name: 'new_tool', annotations: { readOnlyHint: false } }, { agent_id: 'bob' }, 'alice'), /forbidden|another agent/);
    assert.equal(mayNameOtherAgents({ name: 'x' }), false, 'no annotation: bound');
  });
});

describe('token cache', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cg-auth-'));
    store = await openStore(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a token once per refresh, unknown ids too; a revocation made elsewhere is seen after the refresh', async () => {
    const { token, id } = await addToken(store.tokens);
    let reads = 0;
    const counting: TokenRepository = { ...store.tokens, get: (x) => (reads++, store.tokens.get(x)), markUsed: (x, at) => store.tokens.markUsed(x, at), create: (t) => store.tokens.create(t), list: () => store.tokens.list(), revoke: (x, at) => store.tokens.revoke(x, at), countUsableAgentTokens: (at) => store.tokens.countUsableAgentTokens(at) };
    let now = Date.now();
    const auth = new TokenAuthenticator(counting, { refreshMs: 2000, now: () => now });
    const checks = await Promise.all(Array.from({ length: 100 }, () => auth.check(token)));
    assert.ok(checks.every((c) => c.ok && c.principal.kind === 'agent' && c.principal.agentId === 'alice'));
    assert.equal(reads, 1, '100 concurrent checks, one read');
    const unknown = `cgt_ffffffffffff_${'A'.repeat(43)}`;
    for (let i = 0; i < 20; i++) assert.deepEqual(await auth.check(unknown), { ok: false, reason: 'unknown' });
    assert.equal(reads, 2, 'an unknown id is remembered as unknown');
    assert.deepEqual(await auth.check(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')), { ok: false, reason: 'mismatch' });
    // Another process (the CLI, another server) revokes: this cache sees it at the next refresh.
    // (First let this connection's group commit of last_used_at end: one process, one thread.)
    await new Promise((r) => setImmediate(r));
    const other = await openStore(dir);
    await other.tokens.revoke(id, Date.now());
    await other.close();
    assert.equal((await auth.check(token)).ok, true, 'within the refresh: cached');
    now += 2000;
    const after = await auth.check(token);
    assert.equal(after.ok, false);
    assert.equal(!after.ok && after.reason, 'revoked');
    assert.equal(reads, 3);
    assert.ok((await store.tokens.get(id))!.lastUsedAt, 'last use recorded');
  });
});

describe('team identity on the server', function () {
  this.timeout(60_000);
  let dir: string;
  let server: RunningGovernanceServer;
  let alice: { id: string; token: string };
  let admin: { id: string; token: string };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cg-team-auth-'));
    server = await startGovernanceServer({ port: 0, dataDir: dir, token: SERVER_TOKEN, hostKind: 'test', rateLimitPerMinute: 100_000, tokenRefreshMs: 50 });
    alice = await addToken(server.app.store.tokens);
    admin = await addToken(server.app.store.tokens, { agentId: null, admin: true });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a per-agent token reports as its agent (agent_id filled in, or given) and gets 403 naming both ids as another', async () => {
    const own = await call(server.url, alice.token, 'process_agent_update', { operation: 'work', complexity: 0.3 });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.equal(own.body.result!.agent_id, 'alice');
    assert.equal((await call(server.url, alice.token, 'process_agent_update', { agent_id: 'alice', operation: 'more', complexity: 0.3 })).status, 200);
    const other = await call(server.url, alice.token, 'store_discovery_graph', { agent_id: 'bob', summary: 'not mine', discovery_type: 'insight' });
    assert.equal(other.status, 403);
    assert.equal(other.body.error!.code, 'forbidden');
    assert.match(other.body.error!.message, /"alice".*"bob"/s);
    const read = await call(server.url, alice.token, 'get_governance_metrics', { agent_id: 'alice' });
    assert.equal(read.status, 200);
    assert.equal((await call(server.url, alice.token, 'observe_agent', { agent_id: 'alice' })).status, 200, 'read-only tools may name any agent (here itself)');
    assert.equal((await call(server.url, alice.token, 'list_agents', {})).status, 200);
  });

  it('every tool that changes something and takes agent_id refuses another agent for a per-agent token (from the catalog)', async () => {
    const bound = server.app.registry.list().filter((t) => 'agent_id' in t.input && !mayNameOtherAgents(t));
    assert.ok(bound.length >= 10, `found ${bound.map((t) => t.name).join(', ')}`);
    for (const tool of bound) {
      const r = await call(server.url, alice.token, tool.name, { agent_id: 'mallory' });
      // Validation runs first: a tool missing required arguments says so; then the binding refuses.
      if (r.status === 400) continue;
      assert.equal(r.status, 403, `${tool.name}: ${JSON.stringify(r.body)}`);
    }
    const withArgs = await call(server.url, alice.token, 'claim_task', { agent_id: 'mallory', task_id: 'T1' });
    assert.equal(withArgs.status, 403);
  });

  it('X-Session-ID and seed 003 created_by naming another agent are refused; hooks need the server or an admin token', async () => {
    const sid = await call(server.url, alice.token, 'process_agent_update', { operation: 'w', complexity: 0.2 }, { 'x-session-id': 'bob' });
    assert.equal(sid.status, 403);
    assert.match(sid.body.error!.message, /X-Session-ID "bob" names another agent/);
    const post = await fetch(`${server.url}/tasks`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ description: 'x', created_by: 'bob' }) });
    assert.equal(post.status, 403);
    assert.equal(((await post.json()) as { error: string }).error, 'forbidden');
    const mine = await fetch(`${server.url}/tasks`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ description: 'mine' }) });
    assert.equal(((await mine.json()) as { task: { created_by: string } }).task.created_by, 'alice');
    const hook = await fetch(`${server.url}/v1/hooks/codex`, { method: 'POST', headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(hook.status, 403);
  });

  it('the server token and an admin token act for any agent', async () => {
    assert.equal((await call(server.url, SERVER_TOKEN, 'process_agent_update', { agent_id: 'bob', operation: 'w', complexity: 0.2 })).status, 200);
    assert.equal((await call(server.url, admin.token, 'process_agent_update', { agent_id: 'bob', operation: 'w', complexity: 0.2 })).status, 200);
  });

  it('MCP: a session opened with a per-agent token acts as its agent, refuses another agent_id, and cannot be used with another token', async () => {
    const client = await connectMcp(server.url, alice.token, 'team-client');
    try {
      const own = await client.callTool({ name: 'process_agent_update', arguments: { operation: 'mcp work', complexity: 0.3 } });
      assert.equal((own.structuredContent as { agent_id: string }).agent_id, 'alice');
      const other = await client.callTool({ name: 'submit_thesis', arguments: { agent_id: 'bob', session_id: 'x', root_cause: 'r', reasoning: 'r' } });
      assert.equal(other.isError, true);
      assert.match(JSON.stringify(other.content), /forbidden: This token acts as agent \\"alice\\"/);
      const sessionId = (client.transport as { sessionId?: string }).sessionId!;
      const hijack = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }),
      });
      assert.equal(hijack.status, 403);
      assert.match(await hijack.text(), /opened with another token/);
    } finally {
      await client.close();
    }
  });

  it('a revoked token\'s MCP sessions are closed by the server, its open GET stream included', async () => {
    const frank = await addToken(server.app.store.tokens, { agentId: 'frank' });
    const sessionsNow = async () => ((await (await fetch(`${server.url}/health`, { headers: { authorization: `Bearer ${SERVER_TOKEN}` } })).json()) as { mcp_sessions: number }).mcp_sessions;
    const before = await sessionsNow();
    const client = await connectMcp(server.url, frank.token, 'stream-holder');
    let closed = false;
    client.onclose = () => (closed = true);
    try {
      await client.callTool({ name: 'list_agents', arguments: {} });
      assert.equal(await sessionsNow(), before + 1);
      await server.app.store.tokens.revoke(frank.id, Date.now());
      const t0 = Date.now();
      while ((await sessionsNow()) > before && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await sessionsNow(), before, `closed after ${Date.now() - t0} ms`);
      await assert.rejects(client.callTool({ name: 'list_agents', arguments: {} }));
    } finally {
      if (!closed) await client.close();
    }
  });

  it('expired, revoked, wrong-secret and unknown tokens get 401; a revocation takes effect within the refresh', async () => {
    const expired = await addToken(server.app.store.tokens, { expiresAtMs: Date.now() + 150 });
    assert.equal((await call(server.url, expired.token, 'list_agents', {})).status, 200);
    await new Promise((r) => setTimeout(r, 200));
    const e = await call(server.url, expired.token, 'list_agents', {});
    assert.equal(e.status, 401);
    assert.match(JSON.stringify(e.body), new RegExp(`Token ${expired.id} expired`));
    const bob = await addToken(server.app.store.tokens, { agentId: 'bob' });
    assert.equal((await call(server.url, bob.token, 'list_agents', {})).status, 200);
    await server.app.store.tokens.revoke(bob.id, Date.now());
    const started = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - started < 5000) {
      status = (await call(server.url, bob.token, 'list_agents', {})).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(status, 401);
    assert.ok(Date.now() - started < 1000, `revocation seen after ${Date.now() - started} ms (refresh 50 ms)`);
    assert.equal((await call(server.url, alice.token.slice(0, -2) + 'zz', 'list_agents', {})).status, 401);
    assert.equal((await call(server.url, `cgt_000000000000_${'a'.repeat(43)}`, 'list_agents', {})).status, 401);
  });
});

describe('a server reachable from beyond loopback', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cg-exposed-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a non-loopback host without TLS, and a wildcard one without --public-host, naming the flags', async () => {
    await assert.rejects(startGovernanceServer({ host: '0.0.0.0', port: 0, dataDir: dir, token: SERVER_TOKEN, hostKind: 'test' }), /--allow-non-loopback/);
    await assert.rejects(startGovernanceServer({ host: '0.0.0.0', port: 0, dataDir: dir, token: SERVER_TOKEN, hostKind: 'test', allowNonLoopback: true }), /--tls-cert FILE\.pem and --tls-key FILE\.pem/);
    await assert.rejects(startGovernanceServer({ host: '0.0.0.0', port: 0, dataDir: dir, token: SERVER_TOKEN, hostKind: 'test', allowNonLoopback: true, tls: { cert: 'x', key: 'y' } }), /--public-host/);
  });

  it('behind a proxy (loopback + --public-host): needs a per-agent token to start, then refuses the data dir token and accepts the public Host', async () => {
    const publicHosts = [{ name: 'gov.example.com' }];
    await assert.rejects(startGovernanceServer({ port: 0, dataDir: dir, token: SERVER_TOKEN, hostKind: 'test', publicHosts }), /codex-governance tokens create --agent NAME/);
    const store = await openStore(dir);
    const alice = await addToken(store.tokens);
    await store.close();
    const server = await startGovernanceServer({ port: 0, dataDir: dir, token: SERVER_TOKEN, hostKind: 'test', publicHosts });
    try {
      const refused = await call(server.url, SERVER_TOKEN, 'list_agents', {});
      assert.equal(refused.status, 401);
      assert.match(JSON.stringify(refused.body), /only tokens made with codex-governance tokens create/);
      assert.equal((await call(server.url, alice.token, 'list_agents', {})).status, 200);
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}/health`, { headers: { host: 'gov.example.com', authorization: `Bearer ${alice.token}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 200);
      const evil = await new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}/health`, { headers: { host: 'evil.example.com', authorization: `Bearer ${alice.token}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(evil, 403);
    } finally {
      await server.close();
    }
  });
});

describe('two servers sharing PostgreSQL', function () {
  this.timeout(180_000);
  const dirs: string[] = [];
  const servers: RunningGovernanceServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a token revoked through one server is refused by the other within the 2 s refresh (default), measured', async () => {
    const database = await testDatabase('tokens');
    for (let i = 0; i < 2; i++) {
      dirs.push(mkdtempSync(join(tmpdir(), 'cg-pg-auth-')));
      servers.push(await startGovernanceServer({ port: 0, dataDir: dirs[i]!, database, token: SERVER_TOKEN, hostKind: 'test', rateLimitPerMinute: 100_000 }));
    }
    const [a, b] = servers as [RunningGovernanceServer, RunningGovernanceServer];
    const erin = await addToken(a.app.store.tokens, { agentId: 'erin' });
    assert.equal((await call(b.url, erin.token, 'process_agent_update', { operation: 'w', complexity: 0.2 })).body.result!.agent_id, 'erin');
    await a.app.store.tokens.revoke(erin.id, Date.now());
    const t0 = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - t0 < 10_000) {
      status = (await call(b.url, erin.token, 'list_agents', {})).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    const ms = Date.now() - t0;
    assert.equal(status, 401);
    assert.ok(ms <= 2500, `refused after ${ms} ms`);
    process.stdout.write(`      the other server refused the revoked token after ${ms} ms\n`);
  });
});
