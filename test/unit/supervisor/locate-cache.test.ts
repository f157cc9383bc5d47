import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateCodex } from '../../../src/supervisor/locate';
import { CODEX_VERSION_CACHE_FILE } from '../../../src/supervisor/locate-cache';
import { startGovernanceServer } from '../../../src/server/server';

/**
 * A real executable standing in for `codex`: it appends its arguments to `runs.log` each time it
 * runs and prints `codex-cli <version>`. "0.171.0" and "0.153.4" have the same length, so a
 * rewrite from one to the other keeps the file's size and inode.
 */
function writeFakeCodex(dir: string, version: string): string {
  const bin = join(dir, 'codex');
  writeFileSync(bin, `#!/bin/sh\necho "$@" >> "${join(dir, 'runs.log')}"\necho "codex-cli ${version}"\n`);
  chmodSync(bin, 0o755);
  return bin;
}

const runs = (dir: string): number => (existsSync(join(dir, 'runs.log')) ? readFileSync(join(dir, 'runs.log'), 'utf8').split('\n').filter(Boolean).length : 0);

describe('supervisor/locate-cache: the version of an unchanged Codex binary is not probed again', function () {
  if (process.platform === 'win32') return;
  let dir: string;
  let bin: string;
  let cacheFile: string;
  const locate = () => locateCodex({ explicitPath: bin, versionCacheFile: cacheFile, searchPath: false, useBundled: false });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cg-locate-cache-'));
    bin = writeFakeCodex(dir, '0.171.0');
    cacheFile = join(dir, CODEX_VERSION_CACHE_FILE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('probes once, then answers from the cache without running the binary', async () => {
    const first = await locate();
    assert.deepEqual([first.version, first.backend, runs(dir)], ['0.171.0', 'app-server', 1]);
    assert.match(readFileSync(join(dir, 'runs.log'), 'utf8'), /^--version\n$/);
    for (let i = 0; i < 3; i++) {
      const again = await locate();
      assert.deepEqual(again, first);
    }
    assert.equal(runs(dir), 1, 'a cache hit must not spawn the binary');
  });

  it('picks the backend from the cached version on every start, so a forced backend still applies', async () => {
    await locate();
    const forced = await locateCodex({ explicitPath: bin, versionCacheFile: cacheFile, forcedBackend: 'mcp-server', searchPath: false, useBundled: false }).catch((e: Error) => e);
    assert.ok(forced instanceof Error && /no "mcp-server" command/.test(forced.message), JSON.stringify(forced));
    assert.equal(runs(dir), 1);
  });

  it('probes again after the binary is rewritten (same size and inode), and caches the new version', async () => {
    await locate();
    const ino = statSync(bin).ino;
    writeFakeCodex(dir, '0.153.4');
    assert.equal(statSync(bin).ino, ino);
    const after = await locate();
    assert.deepEqual([after.version, after.backend, runs(dir)], ['0.153.4', 'mcp-server', 2]);
    assert.equal((await locate()).version, '0.153.4');
    assert.equal(runs(dir), 2);
  });

  it('probes again after a rewrite that set the mtime back (the ctime changed)', async () => {
    // Whole seconds, so setting the time back restores the very same mtimeMs.
    const past = 1_700_000_000;
    utimesSync(bin, past, past);
    await locate();
    const before = statSync(bin);
    writeFakeCodex(dir, '0.153.4');
    utimesSync(bin, past, past);
    assert.equal(statSync(bin).mtimeMs, before.mtimeMs);
    assert.equal(statSync(bin).size, before.size);
    assert.equal((await locate()).version, '0.153.4');
    assert.equal(runs(dir), 2);
  });

  it('probes again after a touch (mtime only)', async () => {
    await locate();
    const later = new Date(Date.now() + 60_000);
    utimesSync(bin, later, later);
    assert.equal((await locate()).version, '0.171.0');
    assert.equal(runs(dir), 2);
  });

  it('ignores a corrupt, foreign or malformed cache file, probes, and writes a valid one', async () => {
    const bad = [
      '{"format": "codex-governance/codex-version-cache", "version": 1, "entries": [',
      '\u0000\u0001 not json',
      JSON.stringify({ format: 'someone-else', version: 1, entries: [] }),
      JSON.stringify({ format: 'codex-governance/codex-version-cache', version: 99, entries: [] }),
      JSON.stringify([1, 2, 3]),
      'null',
    ];
    for (const [i, text] of bad.entries()) {
      writeFileSync(cacheFile, text);
      assert.equal((await locate()).version, '0.171.0');
      assert.equal(runs(dir), i + 1, `probed with cache file ${JSON.stringify(text)}`);
      const written = JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: { path: string; version: string }[] };
      assert.deepEqual(written.entries.map((e) => [e.path, e.version]), [[bin, '0.171.0']]);
    }
  });

  it('does not trust an entry with a bad version or missing fields (the binary is probed)', async () => {
    await locate();
    const doc = JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: Record<string, unknown>[] };
    for (const broken of [{ version: 'rm -rf /' }, { size: 'big' }, { ino: undefined }]) {
      writeFileSync(cacheFile, JSON.stringify({ ...doc, entries: [{ ...doc.entries[0], ...broken }] }));
      const before = runs(dir);
      assert.equal((await locate()).version, '0.171.0');
      assert.equal(runs(dir), before + 1, `probed with entry ${JSON.stringify(broken)}`);
    }
  });

  it('keeps one entry per binary and leaves no temporary files', async () => {
    const other = mkdtempSync(join(tmpdir(), 'cg-locate-cache-other-'));
    try {
      const otherBin = writeFakeCodex(other, '0.153.4');
      await locate();
      assert.equal((await locateCodex({ explicitPath: otherBin, versionCacheFile: cacheFile, searchPath: false, useBundled: false })).backend, 'mcp-server');
      await locate();
      const doc = JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: { path: string }[] };
      assert.deepEqual(doc.entries.map((e) => e.path).sort(), [bin, otherBin].sort());
      assert.deepEqual([runs(dir), runs(other)], [1, 1]);
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('still locates when the cache cannot be written', async () => {
    cacheFile = join(dir, 'no-such-dir', CODEX_VERSION_CACHE_FILE);
    assert.equal((await locate()).version, '0.171.0');
    assert.equal((await locate()).version, '0.171.0');
    assert.equal(runs(dir), 2);
  });

  it('a second server start on the same data directory lists the codex tool without running Codex', async () => {
    const dataDir = join(dir, 'data');
    const start = () => startGovernanceServer({ port: 0, dataDir, token: 'locate-cache-token-0123456789', codex: { codexPath: bin } });
    const policies = (s: Awaited<ReturnType<typeof start>>) =>
      ((s.app.registry.inputJsonSchema('codex') as { properties: Record<string, { enum?: string[] }> }).properties['approval-policy']?.enum ?? []).join(',');
    const first = await start();
    const firstPolicies = policies(first);
    await first.close();
    assert.equal(runs(dir), 1);
    assert.ok(existsSync(join(dataDir, CODEX_VERSION_CACHE_FILE)));
    const second = await start();
    try {
      assert.equal(runs(dir), 1, 'the second start must not spawn Codex');
      assert.equal(policies(second), firstPolicies);
      assert.ok(firstPolicies.length > 0);
    } finally {
      await second.close();
    }
  });
});
