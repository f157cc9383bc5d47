/** "Connect Codex to Governance" from VS Code: the scripts and token file it installs, the commands it gives Codex. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { ConfigParseError } from '../../../../src/config';
import { applyConnect } from '../../../../src/config/codex-connect';
import { prepareVsCodeConnect, refreshInstalledScripts } from '../../../../src/vscode/mcp-settings/connect';

describe('Connect Codex to Governance (VS Code side)', function () {
  let dir: string;
  let ext: string;
  let storage: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'connect-'));
    ext = path.join(dir, 'ext');
    storage = path.join(dir, 'storage');
    mkdirSync(path.join(ext, 'dist'), { recursive: true });
    for (const f of ['cli.js', 'bridge.js', 'hook.js']) writeFileSync(path.join(ext, 'dist', f), `// ${f} v1\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const request = (file: string, extra: Partial<Parameters<typeof prepareVsCodeConnect>[0]> = {}) => ({
    file,
    kind: 'user' as const,
    storageDir: storage,
    extensionPath: ext,
    token: 'a-token-of-at-least-sixteen-chars',
    hooks: true,
    trust: false,
    offline: 'defer' as const,
    runtime: { execPath: '/usr/share/code/code', electron: true },
    ...extra,
  });

  it('runs VS Code\'s own runtime as Node on copies of the scripts that survive updates, with the token in a 0600 file', async function () {
    const file = path.join(dir, 'home', 'config.toml');
    const prepared = await prepareVsCodeConnect(request(file));
    await applyConnect(prepared);
    const entry = (parse(readFileSync(file, 'utf8')) as any).mcp_servers['codex-governance'];
    assert.equal(entry.command, '/usr/share/code/code');
    assert.deepEqual([...entry.args], [path.join(storage, 'bin', 'bridge.js'), '--data-dir', storage]);
    assert.deepEqual({ ...entry.env }, { ELECTRON_RUN_AS_NODE: '1' });
    const hook = (parse(readFileSync(file, 'utf8')) as any).hooks.PreToolUse[0].hooks[0].command as string;
    assert.equal(hook, `ELECTRON_RUN_AS_NODE=1 /usr/share/code/code ${path.join(storage, 'bin', 'hook.js')} --data-dir ${storage} --offline defer`);
    assert.equal(readFileSync(path.join(storage, 'token'), 'utf8').trim(), 'a-token-of-at-least-sixteen-chars');
    assert.equal(statSync(path.join(storage, 'token')).mode & 0o777, 0o600);
    assert.ok(!readFileSync(file, 'utf8').includes('a-token-of-at-least-sixteen-chars'));
  });

  it('passes --offline deny to the hooks when the setting says so; no env table outside Electron', async function () {
    const file = path.join(dir, 'config.toml');
    const prepared = await prepareVsCodeConnect(request(file, { offline: 'deny', runtime: { execPath: '/srv/node', electron: false } }));
    assert.match(prepared.plan.after, /command = "\/srv\/node .*hook\.js --data-dir .* --offline deny"/);
    assert.ok(!prepared.plan.after.includes('ELECTRON_RUN_AS_NODE'));
  });

  it('refreshes the installed scripts after an update of the extension', async function () {
    const bin = await refreshInstalledScripts(ext, storage);
    assert.equal(readFileSync(path.join(bin, 'hook.js'), 'utf8'), '// hook.js v1\n');
    writeFileSync(path.join(ext, 'dist', 'hook.js'), '// hook.js v2, longer\n');
    await refreshInstalledScripts(ext, storage);
    assert.equal(readFileSync(path.join(bin, 'hook.js'), 'utf8'), '// hook.js v2, longer\n');
  });

  it('refuses a file with invalid TOML and writes nothing', async function () {
    const file = path.join(dir, 'config.toml');
    writeFileSync(file, 'model = "o3"\n[mcp_servers\n');
    await assert.rejects(prepareVsCodeConnect(request(file)), ConfigParseError);
    assert.equal(readFileSync(file, 'utf8'), 'model = "o3"\n[mcp_servers\n');
  });
});
