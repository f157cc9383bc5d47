/**
 * Loads one CommonJS bundle (an esbuild output file) the way `require` would, but compiled with
 * `vm.Script` so that V8's code cache for it can be kept in a directory of ours: a later process
 * then skips most of the parse and compile (dist/on-demand.js, 1.4 MB, on 2 vCPU: compiling took
 * 78 -> 33 ms CPU and running its top level 192 -> 165 ms; bench/first-start.ts times whole starts).
 *
 * Why not Node's own caches: `module.enableCompileCache()` is process-wide (in VS Code it would
 * cache every extension's modules in the shared extension host), and the `v8-compile-cache`
 * package hooks `Module.prototype._compile` for the whole process too; this caches one file.
 *
 * The cache file (`<cacheDir>/<bundle name>.v8-cache`) is one JSON header line
 * `{"format":1,"key":...,"sha256":...}` then V8's bytes. It is used only when the key (the bundle's
 * path, size and mtime, Node's and V8's versions, the CPU architecture) and the SHA-256 of the
 * bytes match: V8 checks its version, flags and the source's length but not a checksum, and a
 * damaged cache of the right length crashed Node 24 (V8 13.6) in our test. A missing, stale,
 * damaged or unreadable cache is ignored and the bundle compiles from source; so does a cache V8
 * rejects (`script.cachedDataRejected`). {@link LoadedBundle.saveCache} then writes a new one.
 */
import { isAscii } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire, Module } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script, constants as vmConstants } from 'node:vm';

/** What became of the code cache when the bundle was loaded. */
export type CodeCacheState =
  /** V8 used the cache. */
  | 'accepted'
  /** No cache file yet. */
  | 'absent'
  /** The file is of another build of the bundle, Node, V8 or CPU architecture. */
  | 'stale'
  /** The header is not ours or the bytes do not match their SHA-256 (a damaged file). */
  | 'corrupt'
  /** The key and checksum matched but V8 refused the bytes (e.g. other V8 flags). */
  | 'rejected'
  /** The file could not be read (permissions, a directory in its place...). */
  | 'unreadable'
  /** No cache directory given, or this Node cannot run a `vm.Script` bundle's `import()` (plain `require`). */
  | 'off';

export interface LoadedBundle<T> {
  /** The bundle's `module.exports`. */
  readonly exports: T;
  readonly cache: CodeCacheState;
  /** The cache file's path; undefined when `cache` is 'off'. */
  readonly cachePath: string | undefined;
  /**
   * Writes the code cache of what V8 has compiled so far (call it after the work the cache should
   * speed up, e.g. once the server listens: functions compiled by then are in it), unless the
   * loaded cache was accepted or it was written already. Written to a temporary file, then renamed.
   * Never rejects: a failure is passed to `onError` and resolves false.
   * @returns true when a cache file was written.
   */
  saveCache(): Promise<boolean>;
}

export interface LoadBundleOptions {
  /** Where the cache file lives (created when missing); undefined = no cache. */
  cacheDir?: string;
  /** Told why a cache could not be read or written (never thrown). */
  onError?: (message: string) => void;
}

const FORMAT = 1;
const HEADER_MAX = 4096;
// The header on a line of its own, so the bundle's line numbers stay as they are (lineOffset -1).
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {\n';
const WRAPPER_TAIL = '\n})';

/**
 * Loads `file` (an absolute path to a CommonJS bundle) once and runs it as a module: `require`
 * resolves from beside it, `__filename` / `__dirname` are its own.
 * @throws what `require(file)` would: the bundle missing (ENOENT), its syntax or top-level errors.
 *   Never because of the cache.
 */
export function loadBundle<T>(file: string, options: LoadBundleOptions = {}): LoadedBundle<T> {
  const onError = options.onError ?? (() => undefined);
  const importModuleDynamically = vmConstants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (!options.cacheDir || importModuleDynamically === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { exports: require(file) as T, cache: 'off', cachePath: undefined, saveCache: () => Promise.resolve(false) };
  }
  const bytes = readFileSync(file);
  // esbuild writes ASCII (its default charset): read as Latin-1, V8 takes the bytes as they are,
  // where UTF-8 decoding cost ~20 ms on this bundle. Anything else is decoded as UTF-8, as require does.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const key = cacheKey(file, bytes.length);
  const cachePath = join(options.cacheDir, `${basename(file)}.v8-cache`);
  const read = readCache(cachePath, key, onError);
  const compile = (cachedData: Buffer | undefined) =>
    new Script(WRAPPER_HEAD + source + WRAPPER_TAIL, { filename: file, lineOffset: -1, cachedData, importModuleDynamically });
  let script: Script;
  let cache = read.state;
  try {
    script = compile(read.data);
  } catch (err) {
    if (!read.data) throw err;
    // A cache cannot make valid source fail to compile; compile once more without it to be sure.
    onError(`compiling ${file} with its code cache failed (${String(err)}); compiled without it`);
    script = compile(undefined);
    cache = 'rejected';
  }
  if (read.data && script.cachedDataRejected) cache = 'rejected';

  const mod = new Module(file);
  mod.filename = file;
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  run.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;

  let saved = cache === 'accepted';
  return {
    exports: mod.exports as T,
    cache,
    cachePath,
    saveCache: async () => {
      if (saved) return false;
      saved = true;
      try {
        const data = script.createCachedData();
        const header = JSON.stringify({ format: FORMAT, key, sha256: sha256(data) });
        await writeAtomically(cachePath, Buffer.concat([Buffer.from(header + '\n'), data]));
        return true;
      } catch (err) {
        onError(`could not write the code cache ${cachePath}: ${String(err)}`);
        return false;
      }
    },
  };
}

function cacheKey(file: string, size: number): string {
  const mtimeMs = statSync(file).mtimeMs;
  return JSON.stringify([file, size, mtimeMs, process.versions.node, process.versions.v8, process.arch]);
}

function readCache(path: string, key: string, onError: (message: string) => void): { state: CodeCacheState; data?: Buffer } {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    onError(`could not read the code cache ${path}: ${String(err)}`);
    return { state: 'unreadable' };
  }
  const end = raw.subarray(0, HEADER_MAX).indexOf(0x0a);
  let header: { format?: unknown; key?: unknown; sha256?: unknown } | undefined;
  try {
    header = end > 0 ? (JSON.parse(raw.subarray(0, end).toString('utf8')) as typeof header) : undefined;
  } catch {
    header = undefined;
  }
  if (!header || header.format !== FORMAT || typeof header.sha256 !== 'string') return { state: 'corrupt' };
  if (header.key !== key) return { state: 'stale' };
  const data = raw.subarray(end + 1);
  if (sha256(data) !== header.sha256) return { state: 'corrupt' };
  return { state: 'accepted', data };
}

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

async function writeAtomically(path: string, data: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}
