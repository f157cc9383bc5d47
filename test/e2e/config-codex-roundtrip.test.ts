/**
 * Round trips with the real Codex: files `codex mcp add` writes are read back with the same values
 * Codex reports, and files this module writes are accepted by `codex mcp list --json` / `get --json`
 * with the same values as ours.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMcpCommand } from '../../src/cli/mcp';
import { editConfigFile, loadConfigFile, toCodexJson, type ConfigEdit } from '../../src/config';
import { assertCodexInstalled, CODEX_CURRENT, CODEX_CURRENT_VERSION, CODEX_LEGACY, runCodex } from '../fixtures/config/codex-bin';
import { fixture } from '../unit/config/helpers';

/** JSON with object keys sorted, so key order (HashMap order in Codex) does not matter. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

async function codexList(bin: string, home: string): Promise<unknown> {
  const r = await runCodex(bin, ['mcp', 'list', '--json'], { home });
  assert.equal(r.code, 0, `codex mcp list failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function ourList(file: string): Promise<unknown> {
  let out = '';
  const code = await runMcpCommand(['list', '--json', '--config', file], { stdout: { write: (s: string) => (out += s) }, stderr: { write: () => true }, env: {} });
  assert.equal(code, 0);
  return JSON.parse(out);
}

describe('config round trips with the real Codex', function () {
  this.timeout(180_000);
  let home: string;
  let file: string;
  before(assertCodexInstalled);
  beforeEach(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'cg-roundtrip-'));
    file = path.join(home, 'config.toml');
  });
  afterEach(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  for (const [label, bin] of [
    [CODEX_CURRENT_VERSION, CODEX_CURRENT],
    ['0.153.4', CODEX_LEGACY],
  ] as const) {
    it(`reads what codex ${label} mcp add writes with the values Codex reports`, async () => {
      await fs.writeFile(file, '# my settings\nmodel = "o3"\n\n[profiles.p]\nmodel = "o4-mini"\n');
      const adds = [
        ['mcp', 'add', 'srv', '--env', 'A=1', '--env', 'B=x=y', '--', 'node', 'server.js', '--flag', 'with space'],
        ['mcp', 'add', 'web', '--url', 'http://127.0.0.1:9/mcp', '--bearer-token-env-var', 'TOK'],
        ['mcp', 'add', 'dot.name', '--', 'echo', 'hi'],
        ['mcp', 'add', 'a/b@c:d', '--', 'uvx', 'tool'],
        ['mcp', 'add', 'srv', '--', 'node', 'replaced.js'],
      ];
      for (const args of adds) {
        const r = await runCodex(bin, args, { home });
        assert.equal(r.code, 0, r.stderr);
      }
      const loaded = await loadConfigFile(file);
      assert.deepEqual(loaded.issues.filter((i) => i.severity === 'error'), []);
      assert.equal(canonical(loaded.servers.map((s) => toCodexJson(s, 'list')).sort((a, b) => (a.name < b.name ? -1 : 1))), canonical(await codexList(bin, home)));
      for (const s of loaded.servers) {
        const r = await runCodex(bin, ['mcp', 'get', s.name, '--json'], { home });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(canonical(toCodexJson(s, 'get')), canonical(JSON.parse(r.stdout)), s.name);
      }
    });
  }

  it('reads timeouts, filters and HTTP headers Codex reads, with the same values', async () => {
    await fs.writeFile(file, fixture('corpus/tools.toml') + '\n' + fixture('corpus/commented.toml').replace(/^model.*$/gm, '').replace('[profiles.fast]', '[profiles.fast2]'));
    const loaded = await loadConfigFile(file);
    assert.deepEqual(loaded.issues.filter((i) => i.severity === 'error'), []);
    assert.equal(canonical(await ourList(file)), canonical(await codexList(CODEX_CURRENT, home)));
    for (const name of ['shell', 'remote', 'github', 'docs']) {
      const r = await runCodex(CODEX_CURRENT, ['mcp', 'get', name, '--json'], { home });
      const ours = loaded.servers.find((s) => s.name === name);
      assert.ok(ours);
      assert.equal(canonical(toCodexJson(ours, 'get')), canonical(JSON.parse(r.stdout)), name);
    }
  });

  const corpora = ['commented.toml', 'dotted-root.toml', 'dotted-header.toml', 'quoted-names.toml', 'inline.toml', 'multiline.toml', 'crlf.toml', 'bom.toml', 'no-trailing-newline.toml', 'tools.toml', 'empty.toml'];
  for (const corpus of corpora) {
    it(`writes ${corpus} so that codex accepts every edit with the same values`, async () => {
      await fs.writeFile(file, fixture(`corpus/${corpus}`));
      let loaded = await loadConfigFile(file);
      const first = loaded.servers[0]?.name;
      const edits: ConfigEdit[] = [
        { kind: 'add', name: 'gov', table: { url: 'http://127.0.0.1:8765/mcp', bearer_token_env_var: 'CODEX_GOVERNANCE_TOKEN', startup_timeout_sec: 15, tool_timeout_sec: 120.5 } },
        { kind: 'add', name: 'local.tool', table: { command: 'node', args: ['srv.js', 'a b'], env: { KEY: 'v"q' }, env_vars: ['HOME'], cwd: '/tmp' } },
        { kind: 'setToolFilter', name: 'gov', enabled_tools: ['process_agent_update', 'health_check'], disabled_tools: ['codex'] },
        { kind: 'setEnabled', name: 'local.tool', enabled: false },
        { kind: 'rename', from: 'local.tool', to: 'local-tool' },
      ];
      if (first) {
        edits.push({ kind: 'update', name: first, set: { startup_timeout_sec: 33, enabled_tools: ['x'] } }, { kind: 'setEnabled', name: first, enabled: false });
      }
      for (const edit of edits) loaded = await editConfigFile(loaded, edit);
      assert.deepEqual(loaded.issues.filter((i) => i.severity === 'error'), []);

      const ours = canonical(await ourList(file));
      assert.equal(ours, canonical(await codexList(CODEX_CURRENT, home)), `codex ${CODEX_CURRENT_VERSION} disagrees`);
      assert.equal(ours, canonical(await codexList(CODEX_LEGACY, home)), 'codex 0.153.4 disagrees');
      const gov = await runCodex(CODEX_CURRENT, ['mcp', 'get', 'gov', '--json'], { home });
      assert.deepEqual(JSON.parse(gov.stdout).enabled_tools, ['process_agent_update', 'health_check']);
      assert.deepEqual(JSON.parse(gov.stdout).disabled_tools, ['codex']);

      if (first) {
        await editConfigFile(loaded, { kind: 'remove', name: first });
        assert.equal(canonical(await ourList(file)), canonical(await codexList(CODEX_CURRENT, home)));
      }
    });
  }
});
