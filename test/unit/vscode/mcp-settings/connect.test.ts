/** "Connect Codex to Governance" on real files. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { ConfigParseError } from '../../../../src/config';
import { connectCodexToGovernance } from '../../../../src/vscode/mcp-settings/connect';

describe('Connect Codex to Governance', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'connect-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the config with the governance entry when there is none', async function () {
    const file = path.join(dir, 'home', 'config.toml');
    const r = await connectCodexToGovernance(file, 'user', 'http://127.0.0.1:9123/');
    assert.deepEqual(r, { file, outcome: 'added', url: 'http://127.0.0.1:9123/mcp' });
    assert.deepEqual(JSON.parse(JSON.stringify(parse(readFileSync(file, 'utf8')))), {
      mcp_servers: { 'codex-governance': { url: 'http://127.0.0.1:9123/mcp', bearer_token_env_var: 'CODEX_GOVERNANCE_TOKEN', default_tools_approval_mode: 'approve' } },
    });
  });

  it('updates an old entry in place, keeping its comments and other keys, and is idempotent', async function () {
    const file = path.join(dir, 'config.toml');
    const before = '# mine\n[mcp_servers.codex-governance]\n# old port\nurl = "http://127.0.0.1:8765/mcp"\ntool_timeout_sec = 90\n\n[mcp_servers.other]\ncommand = "x"\n';
    writeFileSync(file, before);
    assert.equal((await connectCodexToGovernance(file, 'user', 'http://127.0.0.1:9000')).outcome, 'updated');
    const text = readFileSync(file, 'utf8');
    assert.ok(text.startsWith('# mine\n[mcp_servers.codex-governance]\n# old port\nurl = "http://127.0.0.1:9000/mcp"\ntool_timeout_sec = 90\n'), text);
    assert.ok(text.includes('bearer_token_env_var = "CODEX_GOVERNANCE_TOKEN"') && text.includes('default_tools_approval_mode = "approve"'));
    assert.ok(text.endsWith('[mcp_servers.other]\ncommand = "x"\n'));
    assert.equal(readFileSync(`${file}.bak`, 'utf8'), before);
    assert.equal((await connectCodexToGovernance(file, 'user', 'http://127.0.0.1:9000')).outcome, 'unchanged');
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('refuses a file with invalid TOML, naming line and column, and writes nothing', async function () {
    const file = path.join(dir, 'config.toml');
    writeFileSync(file, 'model = "o3"\n[mcp_servers\n');
    await assert.rejects(connectCodexToGovernance(file, 'user', 'http://127.0.0.1:9000'), (e: unknown) => e instanceof ConfigParseError && e.line === 2 && /config\.toml:2:\d+/.test(e.message));
    assert.equal(readFileSync(file, 'utf8'), 'model = "o3"\n[mcp_servers\n');
    assert.ok(!existsSync(`${file}.bak`));
  });
});
