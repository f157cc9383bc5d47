/**
 * Finds the Codex CLI binary to supervise, detects its version and picks the backend that version
 * speaks. Search order (DESIGN.md, "Codex supervisor"): an explicit path (setting
 * `codexGovernance.codex.path` / CLI flag) > `codex` on PATH > the copy this project installs.
 *
 * An npm install of `@openai/codex` puts a Node wrapper (`bin/codex.js`) on PATH that re-executes
 * the native binary shipped in the platform package `@openai/codex-<platform>-<arch>` under
 * `vendor/<target triple>/bin/codex`. Spawning the native binary directly saves a ~42 MB Node
 * process per child, so wrappers are resolved to it when the package layout allows. The
 * platform -> package/triple table is the one in the wrapper itself (`@openai/codex` `bin/codex.js`).
 *
 * Backends: `codex mcp-server` (MCP over stdio) exists up to 0.153.x and was removed in 0.154.0;
 * `codex app-server` (JSON-RPC over stdio) exists in 0.153.4, 0.169.0 and 0.171.0 (the versions
 * this project tests).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { cachedCodexVersion, fingerprintOf, rememberCodexVersion, sameFingerprint } from './locate-cache';

/** How the supervisor talks to a Codex child. */
export type CodexBackend = 'mcp-server' | 'app-server';
/** Where the binary was found. */
export type CodexSource = 'explicit' | 'path' | 'bundled';

export interface LocatedCodex {
  /** Absolute path of the binary to spawn (the native one when a wrapper could be resolved). */
  path: string;
  /** Semantic version reported by `codex --version`, e.g. `0.171.0`. */
  version: string;
  backend: CodexBackend;
  source: CodexSource;
  /** The npm wrapper (`.../bin/codex.js`) that was resolved to `path`, if any. */
  wrapper?: string;
}

export interface LocateCodexOptions {
  /** Explicit binary or wrapper path; if set and unusable, locating fails (no silent fallback). */
  explicitPath?: string;
  /** Backend override; `auto` or undefined picks by version. */
  forcedBackend?: CodexBackend | 'auto';
  /** Environment for the PATH lookup and the `--version` probe. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Search PATH (default true). */
  searchPath?: boolean;
  /** Fall back to this project's own devDependency copies (default true). */
  useBundled?: boolean;
  /** Deadline of the `--version` probe in ms. Default 10 000. */
  versionTimeoutMs?: number;
  /**
   * Cache file of probed versions (`<dataDir>/codex-version-cache.json`, see ./locate-cache): the
   * probe is skipped while the binary's path, size, mtime, ctime and inode are unchanged. Default
   * none (always probe).
   */
  versionCacheFile?: string;
}

/** Thrown when no usable Codex binary is found or the chosen one cannot run the requested backend. */
export class CodexLocateError extends Error {
  readonly code = 'codex_not_found';
  constructor(message: string) {
    super(message);
    this.name = 'CodexLocateError';
  }
}

/** Last minor version of 0.x that still has `codex mcp-server`. */
export const LAST_MCP_SERVER_MINOR = 153;

const PLATFORM_TARGETS: Record<string, { triple: string; pkg: string }> = {
  'linux-x64': { triple: 'x86_64-unknown-linux-musl', pkg: '@openai/codex-linux-x64' },
  'android-x64': { triple: 'x86_64-unknown-linux-musl', pkg: '@openai/codex-linux-x64' },
  'linux-arm64': { triple: 'aarch64-unknown-linux-musl', pkg: '@openai/codex-linux-arm64' },
  'android-arm64': { triple: 'aarch64-unknown-linux-musl', pkg: '@openai/codex-linux-arm64' },
  'darwin-x64': { triple: 'x86_64-apple-darwin', pkg: '@openai/codex-darwin-x64' },
  'darwin-arm64': { triple: 'aarch64-apple-darwin', pkg: '@openai/codex-darwin-arm64' },
  'win32-x64': { triple: 'x86_64-pc-windows-msvc', pkg: '@openai/codex-win32-x64' },
  'win32-arm64': { triple: 'aarch64-pc-windows-msvc', pkg: '@openai/codex-win32-arm64' },
};

/** The npm platform package and Rust target triple of Codex for `platform`/`arch`, or undefined if Codex ships none. */
export function platformTarget(platform: string = process.platform, arch: string = process.arch): { triple: string; pkg: string } | undefined {
  return PLATFORM_TARGETS[`${platform}-${arch}`];
}

/**
 * Extracts the version from `codex --version` output (`codex-cli 0.171.0` -> `0.171.0`; a
 * pre-release suffix such as `-alpha.3` is kept).
 * @throws Error naming the output when it holds no `MAJOR.MINOR.PATCH`.
 */
export function parseCodexVersion(output: string): string {
  const m = /(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?/.exec(output);
  if (!m) throw new Error(`Cannot read a Codex version from ${JSON.stringify(output.trim().slice(0, 200))}; expected e.g. "codex-cli 0.171.0".`);
  return m[0];
}

/**
 * Compares two versions by MAJOR.MINOR.PATCH, then pre-release (a pre-release sorts before its
 * release; pre-release tags compare as strings). Semantic Versioning 2.0.0, section 11, simplified.
 * @returns negative, 0 or positive like a sort comparator.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = parseCodexVersion(v).split(/-(.*)/s);
    return { nums: core.split('.').map(Number), pre };
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa.nums[i] ?? 0) - (pb.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === undefined) return 1;
  if (pb.pre === undefined) return -1;
  return pa.pre < pb.pre ? -1 : 1;
}

/** True if this Codex version still has `codex mcp-server` (0.x up to 0.153.x). */
export function hasMcpServer(version: string): boolean {
  const [major, minor] = parseCodexVersion(version).split('.').map(Number);
  return major === 0 && (minor ?? 0) <= LAST_MCP_SERVER_MINOR;
}

/**
 * The backend for a Codex version: `forced` when given (not `auto`), else `mcp-server` for
 * versions <= 0.153.x and `app-server` otherwise.
 * @throws Error when `version` is unreadable (see {@link parseCodexVersion}).
 */
export function pickBackend(version: string, forced?: CodexBackend | 'auto'): CodexBackend {
  if (forced === 'mcp-server' || forced === 'app-server') return forced;
  return hasMcpServer(version) ? 'mcp-server' : 'app-server';
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    if (process.platform !== 'win32') accessSync(p, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readPackageName(packageJsonPath: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { name?: unknown };
    return typeof json.name === 'string' ? json.name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The native binary inside an installed `@openai/codex` package folder, found the way the package's
 * own wrapper finds it: the platform package resolved from the package folder (npm nests it there
 * or hoists it above), else the package's own `vendor/` folder. Undefined if absent.
 */
export function nativeBinaryInPackage(codexPackageDir: string, platform: string = process.platform, arch: string = process.arch): string | undefined {
  const target = platformTarget(platform, arch);
  if (!target) return undefined;
  const exe = platform === 'win32' ? 'codex.exe' : 'codex';
  const vendorRoots: string[] = [];
  try {
    vendorRoots.push(join(dirname(require.resolve(`${target.pkg}/package.json`, { paths: [codexPackageDir] })), 'vendor'));
  } catch {
    // Platform package not installed next to this copy.
  }
  vendorRoots.push(join(codexPackageDir, 'vendor'));
  for (const root of vendorRoots) {
    const candidate = join(root, target.triple, 'bin', exe);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * If `candidate` is (a link to) the npm wrapper of `@openai/codex`, or a Windows shim next to a
 * `node_modules/@openai/codex` folder, the native binary it would run; otherwise undefined.
 */
export function resolveWrapper(candidate: string, platform: string = process.platform, arch: string = process.arch): string | undefined {
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    return undefined;
  }
  const packageDirs: string[] = [];
  if (basename(real) === 'codex.js' && basename(dirname(real)) === 'bin') packageDirs.push(dirname(dirname(real)));
  // npm on Windows writes codex.cmd / codex.ps1 shims into the prefix, next to node_modules/.
  packageDirs.push(join(dirname(candidate), 'node_modules', '@openai', 'codex'));
  for (const dir of packageDirs) {
    if (readPackageName(join(dir, 'package.json')) !== '@openai/codex') continue;
    const native = nativeBinaryInPackage(dir, platform, arch);
    if (native) return native;
  }
  return undefined;
}

/** The first executable `name` on `PATH` (with `PATHEXT` extensions on Windows), or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const pathVar = env.PATH ?? env.Path ?? '';
  const exts = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean)] : [''];
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Labels of the devDependency copies, newest first: `current` = `@openai/codex` (the pinned
 * version); `previous` = `codex-0169` (npm alias of `@openai/codex@0.169.0`, the app-server
 * version tested before it); `legacy` = `codex-mcp-legacy` (npm alias of `@openai/codex@0.153.4`,
 * the last with `mcp-server`).
 */
export type BundledCodexLabel = 'current' | 'previous' | 'legacy';

const BUNDLED_PACKAGES: ReadonlyArray<readonly [BundledCodexLabel, string]> = [
  ['current', '@openai/codex'],
  ['previous', 'codex-0169'],
  ['legacy', 'codex-mcp-legacy'],
];

/** A devDependency copy of Codex: label, the npm package it comes from, and its native binary if installed. */
export interface BundledCodex {
  label: BundledCodexLabel;
  packageName: string;
  /** Native binary path, or undefined when the package or its platform package is not installed. */
  path: string | undefined;
}

/**
 * The native binaries of the Codex copies this project installs as devDependencies, newest first
 * (see {@link BundledCodexLabel}), located via `require.resolve` of their `package.json` so the
 * platform package matches this machine.
 */
export function bundledCodexPaths(platform: string = process.platform, arch: string = process.arch): BundledCodex[] {
  return BUNDLED_PACKAGES.map(([label, packageName]) => {
    try {
      const dir = dirname(require.resolve(`${packageName}/package.json`));
      return { label, packageName, path: nativeBinaryInPackage(dir, platform, arch) };
    } catch {
      return { label, packageName, path: undefined };
    }
  });
}

/**
 * Runs `<binary> --version` and parses it.
 * @param timeoutMs deadline in ms (default 10 000)
 * @throws CodexLocateError naming the binary when it cannot run, times out or prints no version
 */
export function detectCodexVersion(binary: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['--version'], { env, timeout: timeoutMs, windowsHide: true, maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const why = err.killed ? `no answer within ${timeoutMs} ms` : err.message;
        reject(new CodexLocateError(`Could not run "${binary} --version": ${why}${stderr ? ` (stderr: ${stderr.trim().slice(0, 300)})` : ''}.`));
        return;
      }
      try {
        resolve(parseCodexVersion(stdout));
      } catch (e) {
        reject(new CodexLocateError(`"${binary} --version" gave no version: ${(e as Error).message}`));
      }
    });
  });
}

/** The version of the binary at `path`: from the cache while the binary is unchanged, else probed (and cached). */
async function versionOf(path: string, opts: LocateCodexOptions): Promise<string> {
  const file = opts.versionCacheFile;
  const before = file ? fingerprintOf(path) : undefined;
  if (file && before) {
    const cached = cachedCodexVersion(file, path, before);
    if (cached) return cached;
  }
  const version = await detectCodexVersion(path, opts.env ?? process.env, opts.versionTimeoutMs);
  // A binary replaced while it was probed may have answered for the new file: cache only a stable one.
  const after = file && before ? fingerprintOf(path) : undefined;
  if (file && before && after && sameFingerprint(before, after)) rememberCodexVersion(file, path, before, version);
  return version;
}

async function finish(path: string, source: CodexSource, opts: LocateCodexOptions, wrapper?: string): Promise<LocatedCodex> {
  const version = await versionOf(path, opts);
  const backend = pickBackend(version, opts.forcedBackend);
  if (backend === 'mcp-server' && !hasMcpServer(version)) {
    throw new CodexLocateError(
      `Codex ${version} at ${path} has no "mcp-server" command (removed in 0.154.0). Use the app-server backend (set codexGovernance.codex.backend to "auto" or "app-server") or point codexGovernance.codex.path at Codex 0.153.x or older.`,
    );
  }
  const located: LocatedCodex = { path, version, backend, source };
  if (wrapper !== undefined) located.wrapper = wrapper;
  return located;
}

/**
 * Finds Codex: `explicitPath` > `codex` on PATH > the bundled devDependency copies, newest first
 * (with a forced `mcp-server` backend oldest first, so the legacy copy that still has it wins),
 * then detects the version (`--version`, or the cache while the binary is unchanged) and picks the backend.
 * @throws CodexLocateError when the explicit path is unusable, nothing is found, or the forced
 *   backend does not exist in the found version.
 */
export async function locateCodex(opts: LocateCodexOptions = {}): Promise<LocatedCodex> {
  const env = opts.env ?? process.env;
  if (opts.explicitPath !== undefined && opts.explicitPath !== '') {
    const p = opts.explicitPath;
    if (!existsSync(p)) throw new CodexLocateError(`Codex path "${p}" does not exist. Fix the setting codexGovernance.codex.path (or --codex-path), or clear it to search PATH.`);
    const native = resolveWrapper(p);
    if (native) return finish(native, 'explicit', opts, p);
    if (!isExecutableFile(p)) throw new CodexLocateError(`Codex path "${p}" is not an executable file. Fix the setting codexGovernance.codex.path (or --codex-path).`);
    return finish(p, 'explicit', opts);
  }
  if (opts.searchPath !== false) {
    const onPath = findOnPath('codex', env);
    if (onPath) {
      const native = resolveWrapper(onPath);
      return native ? finish(native, 'path', opts, onPath) : finish(onPath, 'path', opts);
    }
  }
  if (opts.useBundled !== false) {
    const copies = bundledCodexPaths();
    if (opts.forcedBackend === 'mcp-server') copies.reverse();
    for (const copy of copies) if (copy.path) return finish(copy.path, 'bundled', opts);
  }
  throw new CodexLocateError('Codex CLI not found: set codexGovernance.codex.path (or --codex-path) to the codex binary, or install it with "npm install -g @openai/codex" so that "codex" is on PATH.');
}
