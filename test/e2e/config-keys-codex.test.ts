/**
 * The config-override allowlist against the installed Codex copies: `codex app-server`'s
 * `config/read` serializes every top-level key of Codex's configuration (set or not), so a Codex
 * update that adds a key this project does not classify fails here, naming the key and the
 * version. Also checks that the gate reads
 * the layers as Codex does: for a trusted project with a `.codex/config.toml`, Codex's own effective
 * sandbox and MCP servers equal the gate's.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { CONFIG_KEYS } from '../../src/supervisor/gate/config-keys';
import { effectiveCodexConfig } from '../../src/supervisor/gate/effective-config';
import { unclassifiedKeys } from '../../src/supervisor/gate/gate';
import { killAllSpawned } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { bundledCodex, codexMatrix, startCodexAppServer } from '../fakes/codex-processes';

interface ConfigRead {
  config: Record<string, unknown>;
  layers: Array<{ name: { type: string }; disabledReason: string | null }>;
}

describe('config-override allowlist vs the installed Codex (app-server config/read)', function () {
  this.timeout(60_000);
  let home: CodexHome;
  after(() => killAllSpawned());
  afterEach(async () => home?.cleanup());

  async function configRead(cwd: string, binary = bundledCodex().current.path): Promise<ConfigRead> {
    const app = await startCodexAppServer(binary, home);
    try {
      return await app.rpc.request<ConfigRead>('config/read', { cwd, includeLayers: true });
    } finally {
      await app.close();
    }
  }

  it('classifies every top-level key of each installed app-server Codex, and knows no key all of them lack', async () => {
    home = await createCodexHome({ modelBaseUrl: 'http://127.0.0.1:9/v1' });
    const seen = new Set<string>();
    for (const codex of codexMatrix().filter((c) => c.backend === 'app-server')) {
      const keys = Object.keys((await configRead(home.workDir, codex.path)).config);
      assert.ok(keys.length > 50, `Codex ${codex.version}: config/read returned only ${keys.length} keys`);
      assert.deepEqual(unclassifiedKeys(keys), [], `Codex ${codex.version}: add these keys to src/supervisor/gate/config-keys.ts, as model or review`);
      for (const k of keys) seen.add(k);
    }
    assert.deepEqual(Object.keys(CONFIG_KEYS).filter((k) => !seen.has(k)), [], 'keys in the table that no installed Codex has');
  });

  it("reads a trusted project's layer as Codex does (sandbox and MCP servers), and skips an untrusted one as Codex does", async () => {
    home = await createCodexHome({ modelBaseUrl: 'http://127.0.0.1:9/v1' });
    const project = join(home.root, 'project');
    mkdirSync(join(project, '.git'), { recursive: true });
    mkdirSync(join(project, '.codex'));
    writeFileSync(join(project, '.codex', 'config.toml'), stringify({ sandbox_mode: 'workspace-write', mcp_servers: { lint: { command: 'true', args: ['x'] } } }));
    const ours = () => effectiveCodexConfig({ cwd: project, env: home.env, systemConfigPath: '/etc/codex/config.toml' });

    const untrusted = await configRead(project);
    assert.equal(untrusted.config.sandbox_mode ?? null, null);
    assert.match(untrusted.layers.find((l) => l.name.type === 'project')?.disabledReason ?? '', /trusted project/);
    const mine = await ours();
    assert.equal(mine.sandbox, 'read-only');
    assert.equal(mine.projectTrusted, false);

    writeFileSync(home.configPath, stringify({ ...home.config, projects: { [project]: { trust_level: 'trusted' } } }));
    const trusted = await configRead(project);
    const mineTrusted = await ours();
    assert.equal(trusted.config.sandbox_mode, 'workspace-write');
    assert.equal(mineTrusted.sandbox, trusted.config.sandbox_mode);
    assert.deepEqual(Object.keys(trusted.config.mcp_servers as object), ['lint']);
    assert.deepEqual(
      mineTrusted.programs.map((p) => p.key),
      ['mcp_servers.lint.command'],
    );
  });
});
