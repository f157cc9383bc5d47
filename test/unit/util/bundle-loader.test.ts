import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { loadBundle } from '../../../src/util/bundle-loader';

// A tiny real bundle: CommonJS, requiring a built-in and a file beside it, reading its own path,
// importing a built-in dynamically (what a bundled dependency's `import()` needs) and exporting.
const BUNDLE = `"use strict";
const { basename } = require("node:path");
const helper = require("./helper.js");
let loads = (globalThis.__bundleLoads ?? 0) + 1;
globalThis.__bundleLoads = loads;
function add(a, b) { return helper.twice(a) / 2 + b; }
module.exports = { add, name: basename(__filename), dir: __dirname, loads, viaThis: this === module.exports, osName: () => import("node:os").then((m) => typeof m.platform()) };
`;
const HELPER = 'exports.twice = (n) => n * 2;\n';

interface ChildResult {
  cache: string;
  sum: number;
  name: string;
  dir: string;
  viaThis: boolean;
  os: string;
  saved: boolean;
  errors: string[];
}

describe('loadBundle (V8 code cache for one bundle)', function () {
  this.timeout(60_000);
  let root: string;
  let loaderJs: string;
  let bundleDir: string;
  let bundle: string;
  let cacheDir: string;
  let cacheFile: string;

  // Each load runs in a fresh process, as a new VS Code window would: V8's in-memory cache of the
  // parent process would otherwise stand in for the file.
  const child = (dir: string | undefined = cacheDir): ChildResult => {
    const script = `
      const { loadBundle } = require(process.argv[1]);
      const errors = [];
      const b = loadBundle(process.argv[2], { cacheDir: process.argv[3] || undefined, onError: (m) => errors.push(m) });
      b.exports.osName().then(async (os) => {
        const saved = await b.saveCache();
        process.stdout.write(JSON.stringify({ cache: b.cache, sum: b.exports.add(2, 3), name: b.exports.name, dir: b.exports.dir, viaThis: b.exports.viaThis, os, saved, errors }));
      });`;
    const r = spawnSync(process.execPath, ['-e', script, loaderJs, bundle, dir ?? ''], { encoding: 'utf8' });
    assert.equal(r.status, 0, `child failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as ChildResult;
  };
  const header = (): { format: number; key: string; sha256: string } => {
    const raw = readFileSync(cacheFile);
    return JSON.parse(raw.subarray(0, raw.indexOf(0x0a)).toString('utf8')) as { format: number; key: string; sha256: string };
  };
  const payload = (): Buffer => {
    const raw = readFileSync(cacheFile);
    return raw.subarray(raw.indexOf(0x0a) + 1);
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'cg-bundle-loader-'));
    loaderJs = join(root, 'loader.js');
    // The loader as the extension bundle carries it (esbuild, CommonJS).
    buildSync({ entryPoints: [join(__dirname, '..', '..', '..', 'src', 'util', 'bundle-loader.ts')], outfile: loaderJs, bundle: true, platform: 'node', format: 'cjs', logLevel: 'warning' });
  });
  beforeEach(() => {
    bundleDir = mkdtempSync(join(root, 'dist-'));
    bundle = join(bundleDir, 'tiny.js');
    writeFileSync(bundle, BUNDLE);
    writeFileSync(join(bundleDir, 'helper.js'), HELPER);
    cacheDir = join(mkdtempSync(join(root, 'data-')), 'nested');
    cacheFile = join(cacheDir, 'tiny.js.v8-cache');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('runs the bundle as a CommonJS module without a cache directory (plain require)', () => {
    const r = child('');
    assert.deepEqual({ cache: r.cache, sum: r.sum, name: r.name, dir: r.dir, viaThis: r.viaThis, os: r.os, saved: r.saved }, { cache: 'off', sum: 5, name: 'tiny.js', dir: bundleDir, viaThis: true, os: 'string', saved: false });
  });

  it('compiles without a cache the first time, writes one (creating its directory), and the next process uses it', () => {
    const first = child();
    assert.deepEqual({ cache: first.cache, saved: first.saved, sum: first.sum, name: first.name, dir: first.dir, viaThis: first.viaThis, os: first.os, errors: first.errors }, { cache: 'absent', saved: true, sum: 5, name: 'tiny.js', dir: bundleDir, viaThis: true, os: 'string', errors: [] });
    assert.equal(header().format, 1);
    assert.equal(createHash('sha256').update(payload()).digest('hex'), header().sha256);
    const written = statSync(cacheFile).mtimeMs;

    const second = child();
    assert.deepEqual({ cache: second.cache, saved: second.saved, sum: second.sum, dir: second.dir, os: second.os, errors: second.errors }, { cache: 'accepted', saved: false, sum: 5, dir: bundleDir, os: 'string', errors: [] });
    assert.equal(statSync(cacheFile).mtimeMs, written, 'an accepted cache is not rewritten');
  });

  it('ignores a damaged cache (bytes changed, same length) and rewrites it', () => {
    child();
    const raw = readFileSync(cacheFile);
    const at = raw.indexOf(0x0a) + 1 + Math.floor(payload().length / 2);
    for (let i = 0; i < 64; i++) raw[at + i] = raw[at + i]! ^ 0x5a;
    writeFileSync(cacheFile, raw);
    const damaged = child();
    assert.deepEqual({ cache: damaged.cache, saved: damaged.saved, sum: damaged.sum }, { cache: 'corrupt', saved: true, sum: 5 });
    assert.equal(child().cache, 'accepted');
  });

  it('ignores a file that is not a cache, or a truncated one, and rewrites it', () => {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(cacheFile, 'not a cache at all');
    assert.deepEqual(pick(child()), { cache: 'corrupt', saved: true, sum: 5 });
    const raw = readFileSync(cacheFile);
    writeFileSync(cacheFile, raw.subarray(0, raw.length - 100));
    assert.deepEqual(pick(child()), { cache: 'corrupt', saved: true, sum: 5 });
    assert.equal(child().cache, 'accepted');
  });

  it('rewrites a cache V8 rejects (right key and checksum, bytes V8 does not take)', () => {
    child();
    const data = randomBytes(payload().length);
    const h = { ...header(), sha256: createHash('sha256').update(data).digest('hex') };
    writeFileSync(cacheFile, Buffer.concat([Buffer.from(JSON.stringify(h) + '\n'), data]));
    assert.deepEqual(pick(child()), { cache: 'rejected', saved: true, sum: 5 });
    assert.equal(child().cache, 'accepted');
  });

  it('treats a cache of another build of the bundle (changed mtime) as stale and rewrites it', () => {
    child();
    const later = new Date(Date.now() + 5_000);
    utimesSync(bundle, later, later);
    assert.deepEqual(pick(child()), { cache: 'stale', saved: true, sum: 5 });
    assert.equal(child().cache, 'accepted');
  });

  it('never fails the load because of the cache: an unreadable cache and an unwritable directory are reported, not thrown', () => {
    mkdirSync(cacheFile, { recursive: true }); // a directory where the cache file should be
    const r = child();
    assert.deepEqual({ cache: r.cache, saved: r.saved, sum: r.sum }, { cache: 'unreadable', saved: false, sum: 5 });
    assert.equal(r.errors.length, 2, r.errors.join('\n'));
    assert.match(r.errors[0]!, /could not read the code cache .*tiny\.js\.v8-cache/);
    assert.match(r.errors[1]!, /could not write the code cache/);

    const fileAsDir = join(root, `plain-file-${Date.now()}`);
    writeFileSync(fileAsDir, 'x');
    const w = child(join(fileAsDir, 'cache'));
    assert.deepEqual({ cache: w.cache, saved: w.saved, sum: w.sum }, { cache: 'unreadable', saved: false, sum: 5 });
  });

  it('throws what require would: a missing bundle, an error at its top level (in this process)', async () => {
    assert.throws(() => loadBundle(join(bundleDir, 'missing.js'), { cacheDir }), { code: 'ENOENT' });
    const broken = join(bundleDir, 'broken.js');
    writeFileSync(broken, 'throw new Error("top-level failure");\n');
    assert.throws(() => loadBundle(broken, { cacheDir }), /top-level failure/);
    const loaded = loadBundle<{ add: (a: number, b: number) => number }>(bundle, { cacheDir });
    assert.equal(loaded.exports.add(1, 1), 2);
    assert.equal(await loaded.saveCache(), true);
    assert.equal(await loaded.saveCache(), false, 'written once');
  });
});

function pick(r: ChildResult): { cache: string; saved: boolean; sum: number } {
  return { cache: r.cache, saved: r.saved, sum: r.sum };
}
