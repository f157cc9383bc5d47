import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGovernanceServer } from '../../../src/server/server';
import { nullLogger } from '../../../src/util/log';
import { findFreePort } from '../../../src/vscode/net';
import { ServerController } from '../../../src/vscode/server-controller';
import { urlOf, type ServerState } from '../../../src/vscode/server-state';
import { SettingsError, type ServerSettings } from '../../../src/vscode/settings';
import { generateToken } from '../../../src/vscode/token';

function portState(port: number): Promise<'accepted' | 'refused'> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve('accepted')));
    s.once('error', () => resolve('refused'));
  });
}

function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((s) => s.destroy());
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe('server controller (real governance server)', function () {
  let dataDir: string;
  const controllers: ServerController[] = [];
  const token = generateToken();
  const CODEX_DEFAULTS = { backend: 'auto' as const, maxSessions: 10, sessionIdleTimeoutMs: 300_000, toolTimeoutMs: 600_000 };

  function make(settings: Partial<ServerSettings> | (() => ServerSettings), options: { token?: string; dir?: string } = {}) {
    const read = typeof settings === 'function' ? settings : () => ({ port: 0, autoStart: true, rateLimitPerMinute: 100, rateLimitPerTokenPerMinute: 1000, maxMcpSessions: 64, codex: CODEX_DEFAULTS, dialectic: { autoReviewOnPause: true }, agents: { prices: {} }, ...settings });
    const c = new ServerController({
      dataDir: options.dir ?? dataDir,
      token: () => Promise.resolve(options.token ?? token),
      settings: read,
      logger: nullLogger,
      startServer: startGovernanceServer,
    });
    controllers.push(c);
    return c;
  }

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cg-controller-'));
  });

  afterEach(async () => {
    await Promise.all(controllers.splice(0).map((c) => c.dispose()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts on the configured port, reports starting then running, and serves /health for the token', async () => {
    const port = await findFreePort();
    const c = make({ port });
    const seen: ServerState['kind'][] = [];
    c.onDidChangeState((s) => seen.push(s.kind));
    const state = await c.start();
    assert.deepEqual(state, { kind: 'running', url: `http://127.0.0.1:${port}`, port });
    assert.deepEqual(seen, ['starting', 'running']);
    const res = await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
  });

  it('is the one holder of the running server: runningServer while running, undefined once stopped or external', async () => {
    const c = make({ port: 0 });
    const before = c.runningServer;
    assert.equal(before, undefined);
    const state = await c.start();
    assert.equal(state.kind, 'running');
    const running = c.runningServer;
    assert.ok(running, 'held while running');
    assert.equal(running.url, urlOf(state));
    assert.ok(running.app.registry, 'the app the in-process client reads');
    await c.stop();
    const after = c.runningServer;
    assert.equal(after, undefined);
    // Another window's server (same data dir and token): this controller holds none.
    const first = make({ port: 0 });
    const s1 = await first.start();
    assert.equal(s1.kind, 'running');
    const second = make({ port: s1.kind === 'running' ? s1.port : 0 });
    assert.equal((await second.start()).kind, 'external');
    assert.equal(second.runningServer, undefined);
  });

  it('stop closes the port and is idempotent', async () => {
    const c = make({});
    const state = await c.start();
    assert.equal(state.kind, 'running');
    const port = state.kind === 'running' ? state.port : 0;
    assert.equal(await portState(port), 'accepted');
    assert.deepEqual(await c.stop(), { kind: 'stopped' });
    assert.equal(await portState(port), 'refused');
    assert.deepEqual(await c.stop(), { kind: 'stopped' });
  });

  it('runs overlapping start/stop/restart requests in order, leaving exactly one server', async () => {
    const port = await findFreePort();
    const c = make({ port });
    const results = await Promise.all([c.start(), c.stop(), c.start(), c.restart()]);
    assert.deepEqual(results.map((s) => s.kind), ['running', 'stopped', 'running', 'running']);
    assert.equal(await portState(port), 'accepted');
    await c.stop();
    assert.equal(await portState(port), 'refused');
  });

  it('reports a taken port as port-in-use, naming it, and can start elsewhere afterwards', async () => {
    const blocker = await occupy();
    try {
      const c = make({ port: blocker.port });
      const state = await c.start();
      assert.equal(state.kind, 'error');
      assert.ok(state.kind === 'error');
      assert.equal(state.reason, 'port-in-use');
      assert.equal(state.port, blocker.port);
      assert.match(state.message, new RegExp(`Port ${blocker.port} on 127\\.0\\.0\\.1 is already in use`));
      // The failed start released the data directory: a session port works at once.
      c.setSessionPort(0);
      assert.equal((await c.start()).kind, 'running');
    } finally {
      blocker.server.close();
    }
  });

  it('recognises the server of another window (same data dir and token) instead of failing', async () => {
    const port = await findFreePort();
    const first = make({ port });
    assert.equal((await first.start()).kind, 'running');
    const second = make({ port });
    assert.deepEqual(await second.start(), { kind: 'external', url: `http://127.0.0.1:${port}`, port });
    // Stopping the second window must not stop the first window's server.
    await second.stop();
    assert.equal(await portState(port), 'accepted');
  });

  it('does not treat a server with a different token as its own', async () => {
    const port = await findFreePort();
    assert.equal((await make({ port }).start()).kind, 'running');
    const stranger = make({ port }, { token: generateToken() });
    const state = await stranger.start();
    assert.equal(state.kind, 'error');
    assert.ok(state.kind === 'error' && state.reason === 'data-dir-locked', JSON.stringify(state));
  });

  it('refuses to start with an unusable setting and starts nothing', async () => {
    const c = make(() => {
      throw new SettingsError('codexGovernance.server.port', 'Setting codexGovernance.server.port is -1; it must be an integer from 0 to 65535.');
    });
    const state = await c.start();
    assert.deepEqual(state, { kind: 'error', reason: 'settings', message: 'Setting codexGovernance.server.port is -1; it must be an integer from 0 to 65535.' });
  });

  it('dispose stops the server and refuses later starts', async () => {
    const c = make({});
    const state = await c.start();
    const port = state.kind === 'running' ? state.port : 0;
    await c.dispose();
    assert.equal(await portState(port), 'refused');
    assert.deepEqual(await c.start(), { kind: 'stopped' });
    assert.equal(await portState(port), 'refused');
  });

  it('needs a restart only when the port asked for, a rate limit or the MCP session cap changed', async () => {
    const port = await findFreePort();
    let settings: ServerSettings = { port, autoStart: true, rateLimitPerMinute: 100, rateLimitPerTokenPerMinute: 1000, maxMcpSessions: 64, codex: CODEX_DEFAULTS, dialectic: { autoReviewOnPause: true }, agents: { prices: {} } };
    const c = make(() => settings);
    assert.equal(c.needsRestartFor(settings), false, 'not running yet');
    await c.start();
    assert.equal(c.needsRestartFor(settings), false);
    assert.equal(c.needsRestartFor({ ...settings, rateLimitPerMinute: 50 }), true);
    assert.equal(c.needsRestartFor({ ...settings, rateLimitPerTokenPerMinute: 500 }), true);
    assert.equal(c.needsRestartFor({ ...settings, maxMcpSessions: 8 }), true);
    const other = await findFreePort();
    assert.equal(c.needsRestartFor({ ...settings, port: other }), true);
    // A session port (from "Use Another Port") that is then saved to the setting needs no restart.
    c.setSessionPort(other);
    await c.restart();
    settings = { ...settings, port: other };
    c.setSessionPort(undefined);
    assert.equal(c.needsRestartFor(settings), false);
    assert.equal(c.needsRestartFor({ ...settings, dialectic: { autoReviewOnPause: false } }), false, 'read live, no restart');
  });

  it('codexGovernance.dialectic.autoReviewOnPause reaches the server and applies to the next PAUSE without a restart', async () => {
    let auto = false;
    let broken = false;
    const c = make(() => {
      if (broken) throw new SettingsError('codexGovernance.dialectic.autoReviewOnPause', 'not a boolean');
      return { port: 0, autoStart: true, rateLimitPerMinute: 100, rateLimitPerTokenPerMinute: 1000, maxMcpSessions: 64, codex: CODEX_DEFAULTS, dialectic: { autoReviewOnPause: auto }, agents: { prices: {} } };
    });
    await c.start();
    const app = c.runningServer!.app;
    const pauseAndCount = async (agentId: string): Promise<number> => {
      let action = '';
      for (let i = 0; i < 20 && action !== 'PAUSE'; i++) action = (await app.governance.processUpdate({ agentId, complexity: 1, confidence: 0.05, operation: `rewrite ${i}` })).governance_decision.action;
      assert.equal(action, 'PAUSE');
      await app.dialecticAutoReview.settled();
      return (await app.dialectic.listOpen({ limit: 10, agentId })).length;
    };
    assert.equal(await pauseAndCount('off-agent'), 0, 'off at start: no review');
    auto = true;
    assert.equal(await pauseAndCount('on-agent'), 1, 'switched on: the next PAUSE opens a review');
    broken = true;
    assert.equal(await pauseAndCount('kept-agent'), 0, 'an unreadable setting keeps the value the server started with (off)');
  });

  it('codexGovernance.agents.prices reaches the server and prices the next usage report without a restart', async () => {
    let prices: ServerSettings['agents']['prices'] = { 'gpt-a': { input: 2, output: 8 } };
    let broken = false;
    const c = make(() => {
      if (broken) throw new SettingsError('codexGovernance.agents.prices', 'not a price table');
      return { port: 0, autoStart: true, rateLimitPerMinute: 100, rateLimitPerTokenPerMinute: 1000, maxMcpSessions: 64, codex: CODEX_DEFAULTS, dialectic: { autoReviewOnPause: true }, agents: { prices } };
    });
    await c.start();
    const registry = c.runningServer!.app.registry;
    const cost = async (model: string) => ((await registry.call('record_model_usage', { agent_id: 'priced', model, input_tokens: 1_000_000, output_tokens: 1_000_000 }, { caller: { agentId: 'priced', anonymous: false, transport: 'in-process' }, signal: new AbortController().signal })) as { cost_usd: number | null }).cost_usd;
    assert.equal(await cost('gpt-a'), 10);
    assert.equal(await cost('gpt-b'), null, 'a model without a price: tokens counted, cost not');
    prices = { 'gpt-a': { input: 1, output: 1 }, 'gpt-b': { input: 3, output: 4, cached_input: 1 } };
    assert.equal(await cost('gpt-a'), 2, 'the changed table applies at once');
    assert.equal(await cost('gpt-b'), 7);
    assert.equal(c.needsRestartFor({ port: 0, autoStart: true, rateLimitPerMinute: 100, rateLimitPerTokenPerMinute: 1000, maxMcpSessions: 64, codex: CODEX_DEFAULTS, dialectic: { autoReviewOnPause: true }, agents: { prices } }), false, 'read live, no restart');
    broken = true;
    assert.equal(await cost('gpt-a'), 10, 'an unreadable setting keeps the table the server started with');
    assert.equal(await cost('gpt-b'), null);
  });
});
