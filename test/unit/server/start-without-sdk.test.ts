import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { useTempDir } from '../store/temp-dir';

// The server start does not load the MCP SDK (its types module builds hundreds of zod schemas, and
// ajv with the SDK's server: tens of ms of every first start, bench/first-start.ts); the first MCP
// session does. Checked in a fresh process: this one has the SDK loaded by other tests.
const SCRIPT = `
const { startGovernanceServer } = require(process.argv[1]);
const sdk = () => Object.keys(require.cache).filter((k) => k.includes('@modelcontextprotocol')).map((k) => k.split('@modelcontextprotocol/sdk/dist/')[1]);
startGovernanceServer({ port: 0, dataDir: process.argv[2], token: 'test-token-0123456789abcdef', hostKind: 'test' }).then(async (s) => {
  const atStart = sdk();
  const res = await fetch(s.url + '/mcp', {
    method: 'POST',
    headers: { authorization: 'Bearer test-token-0123456789abcdef', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'lazy-sdk-test', version: '1' } } }),
  });
  const body = await res.text();
  process.stdout.write(JSON.stringify({ atStart, status: res.status, body, afterSession: sdk() }));
  await s.close();
  process.exit(0);
}, (err) => { console.error(err); process.exit(1); });
`;

describe('server start without the MCP SDK', function () {
  this.timeout(60_000);
  const dataDir = useTempDir('cg-lazy-sdk-');

  it('listens without loading any SDK module; the first MCP session loads the server and types modules and initializes', () => {
    const server = join(__dirname, '..', '..', '..', 'src', 'server', 'server.ts');
    const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', SCRIPT, server, dataDir()], { encoding: 'utf8', env: { ...process.env, CODEX_GOVERNANCE_TOKEN: '' } });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { atStart: string[]; status: number; body: string; afterSession: string[] };
    assert.deepEqual(out.atStart, []);
    assert.equal(out.status, 200, out.body);
    assert.match(out.body, /"serverInfo":\{"name":"codex-governance"/);
    for (const m of ['types.js', 'server/mcp.js', 'server/streamableHttp.js']) assert.ok(out.afterSession.some((k) => k.endsWith(m)), `${m} not loaded by the first session: ${out.afterSession.join(', ')}`);
  });
});
