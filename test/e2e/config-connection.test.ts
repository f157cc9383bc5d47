/**
 * "Test connection" against real servers: a stdio MCP server written for the tests, the governance
 * server over Streamable HTTP, and failures (missing command, crash, hang, wrong token, nothing
 * listening) that must come back as clear, masked errors within the startup timeout.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeConfigText, type McpServerEntry } from '../../src/config';
import { testConnection } from '../../src/config/connection';
import { startGovernanceServer } from '../../src/server/server';
import type { RunningGovernanceServer } from '../../src/server/api';
import { FIXTURES } from '../unit/config/helpers';

const SERVER = path.join(FIXTURES, 'stdio-server.mjs');

/** The entry a config file with this TOML would give (so the test goes through the same parsing). */
function entry(toml: string): McpServerEntry {
  const loaded = analyzeConfigText(toml, 'config.toml');
  assert.deepEqual(loaded.issues.filter((i) => i.severity === 'error'), []);
  const first = loaded.servers[0];
  assert.ok(first);
  return first;
}

function stdioToml(extra = ''): string {
  return `[mcp_servers.t]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(SERVER)}]\n${extra}`;
}

describe('config test connection', function () {
  this.timeout(60_000);
  let tmp: string;
  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'cg-conn-'));
  });
  after(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('starts a stdio server with its env, env_vars and cwd, and lists its tools', async () => {
    const cwd = path.join(tmp, 'work-dir');
    await fs.mkdir(cwd);
    const e = entry(stdioToml(`cwd = ${JSON.stringify(cwd)}\nenv_vars = ["CG_FROM_PARENT"]\n[mcp_servers.t.env]\nCG_MARK = "literal"\n`));
    const r = await testConnection(e, { env: { CG_FROM_PARENT: 'x' } });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.tools.map((t) => t.name).sort(), ['cwd_work-dir', 'echo', 'env_literal']);
    assert.equal(r.tools.find((t) => t.name === 'echo')?.description, 'Echo the text back');
    assert.deepEqual(r.serverInfo, { name: 'cg-test-stdio', version: '1.2.3' });
  });

  it('passes env_vars from the given environment only', async () => {
    const e = entry(stdioToml('env_vars = ["CG_MARK"]\n'));
    const withVar = await testConnection(e, { env: { CG_MARK: 'inherited' } });
    assert.ok(withVar.tools.some((t) => t.name === 'env_inherited'));
    const without = await testConnection(e, { env: {} });
    assert.ok(!without.tools.some((t) => t.name.startsWith('env_')));
  });

  it('reports a command that does not exist clearly and quickly', async () => {
    const e = entry('[mcp_servers.ghost]\ncommand = "cg-no-such-command-anywhere"\n');
    const r = await testConnection(e, { timeoutMs: 10_000 });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /command not found: cg-no-such-command-anywhere .*mcp_servers\.ghost\.command/);
    assert.ok(r.durationMs < 10_000, `took ${r.durationMs} ms`);
  });

  it('reports a server that exits at startup, with its stderr masked', async () => {
    const e = entry(stdioToml('[mcp_servers.t.env]\nCG_MODE = "crash"\nCG_SECRET = "hunter2-secret"\n'));
    const r = await testConnection(e, { timeoutMs: 10_000 });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /exited before answering/);
    assert.match(r.stderrTail ?? '', /fatal: cannot open database with password \*\*\*\*\*/);
    assert.ok(!JSON.stringify(r).includes('hunter2-secret'));
  });

  it('gives up on a server that never answers at the startup timeout', async () => {
    const e = entry(stdioToml('startup_timeout_sec = 1.5\n[mcp_servers.t.env]\nCG_MODE = "hang"\n'));
    const r = await testConnection(e);
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /within 1500 ms \(startup timeout\)/);
    assert.ok(r.durationMs >= 1400 && r.durationMs < 5000, `took ${r.durationMs} ms`);
    assert.match(r.stderrTail ?? '', /starting slowly/);
  });

  describe('the governance server over HTTP', () => {
    const token = 'cg-test-token-' + 'x'.repeat(24);
    let server: RunningGovernanceServer;
    before(async () => {
      server = await startGovernanceServer({ port: 0, dataDir: path.join(tmp, 'data'), token, hostKind: 'test' });
    });
    after(async () => {
      await server?.close();
    });

    const httpToml = (url: string) => `[mcp_servers.gov]\nurl = ${JSON.stringify(url)}\nbearer_token_env_var = "CG_GOV_TOKEN"\n`;

    it('connects with the bearer token from the environment and lists the governance tools', async () => {
      const r = await testConnection(entry(httpToml(`${server.url}/mcp`)), { env: { CG_GOV_TOKEN: token } });
      assert.equal(r.ok, true, r.error);
      const names = r.tools.map((t) => t.name);
      for (const tool of ['process_agent_update', 'store_discovery_graph', 'search_knowledge_graph', 'health_check']) assert.ok(names.includes(tool), `${tool} missing from ${names.join(', ')}`);
    });

    it('fails with a wrong token without printing it', async () => {
      const r = await testConnection(entry(httpToml(`${server.url}/mcp`)), { env: { CG_GOV_TOKEN: 'wrong-token-value-123' }, timeoutMs: 10_000 });
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /refused the credentials \(HTTP 401\); check the token in CG_GOV_TOKEN/);
      assert.ok(!JSON.stringify(r).includes('wrong-token-value-123'));
    });

    it('points at the path when the URL has no MCP endpoint', async () => {
      const r = await testConnection(entry(httpToml(`${server.url}/not-mcp`)), { env: { CG_GOV_TOKEN: token }, timeoutMs: 10_000 });
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /has no MCP endpoint \(HTTP 404\); check the path/);
    });

    it('says which variable is missing when the token is not set', async () => {
      const r = await testConnection(entry(httpToml(`${server.url}/mcp`)), { env: {} });
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /CG_GOV_TOKEN, which is not set/);
    });
  });

  it('reports nothing listening at the URL', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const r = await testConnection(entry(`[mcp_servers.off]\nurl = "http://127.0.0.1:${port}/mcp"\n`), { timeoutMs: 10_000 });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /nothing is listening at http:\/\/127\.0\.0\.1:\d+\/mcp/);
  });
});
