import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  type BundledCodexLabel,
  bundledCodexPaths,
  CodexLocateError,
  compareVersions,
  detectCodexVersion,
  findOnPath,
  locateCodex,
  parseCodexVersion,
  pickBackend,
  platformTarget,
  resolveWrapper,
} from '../../../src/supervisor/locate';

const repoRoot = resolve(__dirname, '../../..');

function bundled(label: BundledCodexLabel): string {
  const copy = bundledCodexPaths().find((c) => c.label === label);
  assert.ok(copy?.path, `the ${label} devDependency copy of Codex is installed`);
  return copy.path;
}

describe('supervisor/locate: versions and backend choice', () => {
  it('reads the version from `codex --version` output', () => {
    assert.equal(parseCodexVersion('codex-cli 0.169.0\n'), '0.169.0');
    assert.equal(parseCodexVersion('codex-cli 0.153.4'), '0.153.4');
    assert.equal(parseCodexVersion('codex-cli 0.154.0-alpha.2'), '0.154.0-alpha.2');
  });

  it('rejects output without a version, quoting it', () => {
    assert.throws(() => parseCodexVersion('command not found'), /command not found.*codex-cli 0\.171\.0/);
  });

  it('orders versions numerically, a pre-release before its release', () => {
    assert.ok(compareVersions('0.153.4', '0.169.0') < 0);
    assert.ok(compareVersions('0.9.0', '0.10.0') < 0);
    assert.ok(compareVersions('1.0.0', '0.999.999') > 0);
    assert.equal(compareVersions('codex-cli 0.169.0', '0.169.0'), 0);
    assert.ok(compareVersions('0.154.0-alpha.1', '0.154.0') < 0);
  });

  it('picks mcp-server up to 0.153.x and app-server from 0.154.0 on', () => {
    assert.equal(pickBackend('0.153.4'), 'mcp-server');
    assert.equal(pickBackend('0.153.99'), 'mcp-server');
    assert.equal(pickBackend('0.100.0'), 'mcp-server');
    assert.equal(pickBackend('0.154.0'), 'app-server');
    assert.equal(pickBackend('0.154.0-alpha.1'), 'app-server');
    assert.equal(pickBackend('0.169.0'), 'app-server');
    assert.equal(pickBackend('0.171.0'), 'app-server');
    assert.equal(pickBackend('1.0.0'), 'app-server');
  });

  it('lets a forced backend win, and treats `auto` as no override', () => {
    assert.equal(pickBackend('0.169.0', 'mcp-server'), 'mcp-server');
    assert.equal(pickBackend('0.153.4', 'app-server'), 'app-server');
    assert.equal(pickBackend('0.153.4', 'auto'), 'mcp-server');
    assert.equal(pickBackend('0.169.0', 'auto'), 'app-server');
  });

  it('maps platforms to the npm platform package and target triple Codex ships', () => {
    assert.deepEqual(platformTarget('linux', 'x64'), { triple: 'x86_64-unknown-linux-musl', pkg: '@openai/codex-linux-x64' });
    assert.deepEqual(platformTarget('darwin', 'arm64'), { triple: 'aarch64-apple-darwin', pkg: '@openai/codex-darwin-arm64' });
    assert.deepEqual(platformTarget('win32', 'x64'), { triple: 'x86_64-pc-windows-msvc', pkg: '@openai/codex-win32-x64' });
    assert.equal(platformTarget('linux', 'ia32'), undefined);
  });
});

describe('supervisor/locate: finding the binary', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'locate-test-'));
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('finds the three devDependency copies, newest first, as native binaries of the pinned versions', async () => {
    assert.deepEqual(
      bundledCodexPaths().map((c) => [c.label, c.packageName]),
      [
        ['current', '@openai/codex'],
        ['previous', 'codex-0169'],
        ['legacy', 'codex-mcp-legacy'],
      ],
    );
    const paths = (['current', 'previous', 'legacy'] as const).map(bundled);
    assert.equal(new Set(paths).size, 3);
    const triple = platformTarget()?.triple ?? 'unsupported';
    for (const p of paths) {
      assert.ok(p.includes(join('vendor', triple, 'bin')), `${p} is inside the platform package's vendor folder`);
      assert.ok(!p.endsWith('.js'));
    }
    // The versions package.json pins (a Codex update changes them there and here).
    assert.deepEqual(await Promise.all(paths.map((p) => detectCodexVersion(p))), ['0.171.0', '0.169.0', '0.153.4']);
  });

  it('uses an explicit path first and picks the backend from its version', async () => {
    const legacy = await locateCodex({ explicitPath: bundled('legacy'), env: { PATH: join(repoRoot, 'node_modules', '.bin') } });
    assert.deepEqual(legacy, { path: bundled('legacy'), version: '0.153.4', backend: 'mcp-server', source: 'explicit' });
    const current = await locateCodex({ explicitPath: bundled('current') });
    assert.equal(current.backend, 'app-server');
    assert.equal(current.version, '0.171.0');
    const previous = await locateCodex({ explicitPath: bundled('previous') });
    assert.deepEqual([previous.version, previous.backend], ['0.169.0', 'app-server']);
  });

  it('resolves `codex` on PATH (the npm wrapper) to the native binary', async () => {
    const binDir = join(repoRoot, 'node_modules', '.bin');
    const found = await locateCodex({ env: { PATH: binDir } });
    assert.equal(found.source, 'path');
    assert.equal(found.wrapper, join(binDir, 'codex'));
    assert.equal(found.path, bundled('current'));
    assert.equal(found.backend, 'app-server');
  });

  it('resolves a global npm layout (bin/codex -> lib/node_modules/@openai/codex/bin/codex.js)', async () => {
    const target = platformTarget();
    assert.ok(target);
    const pkgDir = join(tmp, 'lib', 'node_modules', '@openai', 'codex');
    mkdirSync(join(pkgDir, 'bin'), { recursive: true });
    writeFileSync(join(pkgDir, 'package.json'), JSON.stringify({ name: '@openai/codex', version: '0.153.4' }));
    writeFileSync(join(pkgDir, 'bin', 'codex.js'), '#!/usr/bin/env node\n');
    chmodSync(join(pkgDir, 'bin', 'codex.js'), 0o755);
    const platDir = join(pkgDir, 'node_modules', ...target.pkg.split('/'));
    const vendorBin = join(platDir, 'vendor', target.triple, 'bin');
    mkdirSync(vendorBin, { recursive: true });
    writeFileSync(join(platDir, 'package.json'), JSON.stringify({ name: '@openai/codex', version: '0.153.4-plat' }));
    symlinkSync(bundled('legacy'), join(vendorBin, 'codex'));
    mkdirSync(join(tmp, 'bin'));
    symlinkSync(join('..', 'lib', 'node_modules', '@openai', 'codex', 'bin', 'codex.js'), join(tmp, 'bin', 'codex'));

    assert.equal(findOnPath('codex', { PATH: `/nonexistent-dir${process.platform === 'win32' ? ';' : ':'}${join(tmp, 'bin')}` }), join(tmp, 'bin', 'codex'));
    assert.equal(resolveWrapper(join(tmp, 'bin', 'codex')), join(vendorBin, 'codex'));
    const found = await locateCodex({ env: { PATH: join(tmp, 'bin') } });
    assert.deepEqual(found, { path: join(vendorBin, 'codex'), version: '0.153.4', backend: 'mcp-server', source: 'path', wrapper: join(tmp, 'bin', 'codex') });
  });

  it('falls back to the newest bundled copy, the legacy one when mcp-server is forced', async () => {
    const plain = await locateCodex({ env: { PATH: tmp } });
    assert.equal(plain.source, 'bundled');
    assert.equal(plain.path, bundled('current'));
    assert.equal(plain.version, '0.171.0');
    const legacy = await locateCodex({ env: { PATH: tmp }, forcedBackend: 'mcp-server' });
    assert.equal(legacy.path, bundled('legacy'));
    assert.equal(legacy.backend, 'mcp-server');
  });

  it('refuses to force mcp-server on a Codex that no longer has it', async () => {
    await assert.rejects(locateCodex({ explicitPath: bundled('current'), forcedBackend: 'mcp-server' }), (err: Error) => {
      assert.ok(err instanceof CodexLocateError);
      assert.match(err.message, /0\.171\.0.*no "mcp-server".*0\.154\.0/);
      return true;
    });
  });

  it('allows forcing app-server on the legacy version', async () => {
    const found = await locateCodex({ explicitPath: bundled('legacy'), forcedBackend: 'app-server' });
    assert.equal(found.backend, 'app-server');
  });

  it('fails closed on a bad explicit path instead of searching elsewhere', async () => {
    const missing = join(tmp, 'nope', 'codex');
    await assert.rejects(locateCodex({ explicitPath: missing }), (err: Error) => err instanceof CodexLocateError && err.message.includes(missing) && err.message.includes('codexGovernance.codex.path'));
    const notExec = join(tmp, 'codex');
    writeFileSync(notExec, 'not a program');
    chmodSync(notExec, 0o644);
    await assert.rejects(locateCodex({ explicitPath: notExec }), /not an executable file/);
  });

  it('reports a binary that does not print a version', async () => {
    const fakeTool = join(tmp, 'true-tool');
    symlinkSync('/bin/true', fakeTool);
    await assert.rejects(detectCodexVersion(fakeTool), (err: Error) => err instanceof CodexLocateError && err.message.includes(basename(fakeTool)));
  });

  it('says how to fix it when nothing is found', async () => {
    await assert.rejects(locateCodex({ env: { PATH: tmp }, useBundled: false }), /codexGovernance\.codex\.path.*npm install -g @openai\/codex/);
  });
});
