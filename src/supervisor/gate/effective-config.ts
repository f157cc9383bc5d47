/**
 * The configuration Codex will really run a new thread with, computed before any Codex process is
 * asked, so the approval gate judges that and never one argument.
 *
 * Layers, lowest to highest, as Codex 0.169.0 applies them (observed with the app-server's
 * `config/read {cwd, includeLayers}`; openai/codex `docs/config.md` "Config" and
 * `codex-rs/app-server/README.md` `config/read`; `ConfigLayerSource` in the generated v2 schema):
 * 1. system: `/etc/codex/config.toml`;
 * 2. user: `$CODEX_HOME/config.toml` (default `~/.codex`), with a legacy `profile = "NAME"` selecting
 *    `[profiles.NAME]` over it (Codex 0.153; 0.169 rejects mixing it with `--profile`);
 * 3. project: every `.codex/config.toml` from the project root (the nearest folder up from `cwd`
 *    holding one of `project_root_markers`, default `[".git"]`) down to `cwd`. Codex loads them only
 *    when the project is trusted (`projects."<path>".trust_level = "trusted"` for `cwd` or a folder
 *    above it); otherwise it reports "add <path> as a trusted project" and skips them. Codex drops
 *    `notify` from project layers (observed); trusted `.codex/hooks.json` files add hooks;
 * 4. the `config` argument (per-thread overrides; keys may be dotted paths, as `-c` takes them);
 * 5. the tool's own arguments (`sandbox`, `approval-policy`), which win.
 * Tables merge key by key; arrays and scalars replace. Defaults: sandbox `read-only`, approval
 * policy `on-request`. `workspace-write` may write `cwd`, `sandbox_workspace_write.writable_roots`,
 * `/tmp` and `$TMPDIR` (unless `exclude_slash_tmp` / `exclude_tmpdir_env_var`).
 */
import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { SandboxMode } from '../backend';

/** Where a value came from. */
export type LayerKind = 'system' | 'user' | 'profile' | 'project' | 'override' | 'argument' | 'default';

export interface LayerRef {
  kind: LayerKind;
  /** The file, or `config argument` / `sandbox argument` / `Codex default`. */
  source: string;
}

export interface ReadLayer extends LayerRef {
  config: Record<string, unknown>;
  /** False for a project layer Codex skips (the project is not trusted). */
  applied: boolean;
}

/** A program Codex would start (or a server it would connect to), and the layer that asks for it. */
export interface ProgramEntry {
  /** The config key, e.g. `mcp_servers.lint.command`, `notify`, `hooks.PreToolUse`. */
  key: string;
  /** What would run, as one display line (argv joined) or the URL connected to. */
  run: string;
  from: LayerRef;
}

export interface WritableRoot {
  path: string;
  from: LayerRef;
}

export interface EffectiveCodexConfig {
  /** Absolute, symbolic links resolved where the folder exists. */
  cwd: string;
  sandbox: SandboxMode;
  sandboxFrom: LayerRef;
  /** `untrusted` | `on-failure` | `on-request` | `never` | `granular` (an object in config). */
  approvalPolicy: string;
  approvalPolicyFrom: LayerRef;
  /** Folders `workspace-write` may write, besides Codex's `/tmp` and `$TMPDIR` (empty for other sandboxes). */
  writableRoots: WritableRoot[];
  /** `sandbox_workspace_write.network_access` (workspace-write only). */
  networkAccess: boolean;
  programs: ProgramEntry[];
  /** Every layer read, applied or not. */
  layers: ReadLayer[];
  /** The merged configuration (all applied layers and overrides). */
  merged: Record<string, unknown>;
  /** Whether Codex trusts the project (loads its layers). */
  projectTrusted: boolean;
}

/** A configuration file Codex would read cannot be read or parsed: Codex would fail too, so nothing is judged. */
export class CodexConfigFileError extends Error {
  readonly code = 'invalid_arguments';
  constructor(readonly file: string, message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

export interface EffectiveConfigInput {
  cwd: string;
  /** The `sandbox` argument (canonical). */
  sandbox?: SandboxMode;
  /** The `approval-policy` argument. */
  approvalPolicy?: string;
  /** The `config` argument. */
  overrides?: Record<string, unknown>;
  /** Environment Codex is started with (CODEX_HOME, HOME, TMPDIR). */
  env: NodeJS.ProcessEnv;
  /** System layer path; default `/etc/codex/config.toml`. */
  systemConfigPath?: string;
}

const SANDBOXES: readonly SandboxMode[] = ['read-only', 'workspace-write', 'danger-full-access'];
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Codex's home folder for `env`: `$CODEX_HOME`, else `$HOME/.codex`. */
export function codexHomeOf(env: NodeJS.ProcessEnv): string {
  const home = env.CODEX_HOME?.trim();
  if (home) return resolve(home);
  return join(env.HOME?.trim() || homedir(), '.codex');
}

/** `path` with symbolic links resolved for its longest existing prefix (a folder not created yet keeps its tail). */
export function realPath(path: string): string {
  const abs = resolve(path);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return abs;
      tail.push(head.slice(parent.length).replace(/^[/\\]+/, ''));
      head = parent;
    }
  }
}

/** True when `child` is `parent` or inside it (both absolute, already real paths). */
export function isWithin(child: string, parent: string): boolean {
  if (child === parent) return true;
  const p = parent.endsWith(sep) ? parent : parent + sep;
  return child.startsWith(p);
}

async function readTomlLayer(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CodexConfigFileError(file, `Cannot read Codex's configuration ${file} (${code ?? String(err)}); Codex Governance judges every session on it, so no session starts until it is readable.`);
  }
  try {
    return parseToml(text);
  } catch (err) {
    throw new CodexConfigFileError(file, `Codex's configuration ${file} is not valid TOML (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); Codex would refuse it too. Fix the file and try again.`);
  }
}

async function readJsonLayer(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v: unknown = JSON.parse(text);
    return isPlainObject(v) ? v : {};
  } catch (err) {
    throw new CodexConfigFileError(file, `${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}). Fix the file and try again.`);
  }
}

/** Deep merge: tables merge key by key, everything else replaces (Codex's layer merge). */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? mergeConfig(prev, v) : v;
  }
  return out;
}

/** The override object with dotted keys expanded into tables (`{"a.b": 1}` -> `{a: {b: 1}}`). */
export function expandDotted(config: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    const value = isPlainObject(v) ? expandDotted(v) : v;
    const parts = k.split('.');
    let node: Record<string, unknown> = { [parts[parts.length - 1] ?? k]: value };
    for (let i = parts.length - 2; i >= 0; i--) node = { [parts[i] ?? '']: node };
    out = mergeConfig(out, node);
  }
  return out;
}

/** The folders from the project root down to `cwd` (root first), per `project_root_markers`. */
function projectFolders(cwd: string, markers: readonly string[]): string[] {
  const chain: string[] = [];
  let dir = cwd;
  for (;;) {
    chain.push(dir);
    if (markers.some((m) => existsSync(join(dir, m)))) return chain.reverse();
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // No marker up to the file-system root: the project is `cwd` alone.
  return [cwd];
}

function isTrusted(projects: unknown, folders: readonly string[], cwd: string): boolean {
  if (!isPlainObject(projects)) return false;
  const candidates = new Set<string>([cwd, ...folders]);
  for (let d = cwd; ; d = dirname(d)) {
    candidates.add(d);
    if (dirname(d) === d) break;
  }
  for (const [path, entry] of Object.entries(projects)) {
    if (!isPlainObject(entry) || entry.trust_level !== 'trusted') continue;
    if (candidates.has(realPath(path))) return true;
  }
  return false;
}

function argvLine(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(' ');
  return undefined;
}

/** Every `command` (string or argv) anywhere under `value`, with its dotted key. */
function commandsUnder(value: unknown, key: string, out: Array<{ key: string; run: string }>): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => commandsUnder(v, `${key}[${i}]`, out));
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'command') {
      const line = argvLine(v);
      const args = Array.isArray(value.args) && value.args.every((a) => typeof a === 'string') ? ` ${value.args.join(' ')}` : '';
      if (line !== undefined) out.push({ key: `${key}.command`, run: `${line}${args}` });
    } else commandsUnder(v, `${key}.${k}`, out);
  }
}

/** The programs (and servers) a layer's configuration asks Codex to start or connect to. */
export function programsOf(config: Record<string, unknown>, from: LayerRef): ProgramEntry[] {
  const out: ProgramEntry[] = [];
  const servers = config.mcp_servers;
  if (isPlainObject(servers)) {
    for (const [name, s] of Object.entries(servers)) {
      if (!isPlainObject(s) || s.enabled === false) continue;
      const cmd = argvLine(s.command);
      const args = Array.isArray(s.args) ? ` ${s.args.map(String).join(' ')}` : '';
      if (cmd !== undefined) out.push({ key: `mcp_servers.${name}.command`, run: `${cmd}${args}`, from });
      else if (typeof s.url === 'string') out.push({ key: `mcp_servers.${name}.url`, run: `connect to ${s.url}`, from });
    }
  }
  const notify = argvLine(config.notify);
  if (notify !== undefined && from.kind !== 'project') out.push({ key: 'notify', run: notify, from });
  const found: Array<{ key: string; run: string }> = [];
  commandsUnder(config.hooks, 'hooks', found);
  if (isPlainObject(config.model_providers)) commandsUnder(config.model_providers, 'model_providers', found);
  for (const f of found) out.push({ ...f, from });
  const repl = argvLine(config.js_repl_node_path);
  if (repl !== undefined) out.push({ key: 'js_repl_node_path', run: repl, from });
  return out;
}

function sandboxOf(v: unknown): SandboxMode | undefined {
  return typeof v === 'string' && (SANDBOXES as readonly string[]).includes(v) ? (v as SandboxMode) : undefined;
}

/**
 * Reads the layers and computes the effective configuration for one new thread.
 * @throws CodexConfigFileError naming the file when a layer Codex would read is unreadable or invalid
 */
export async function effectiveCodexConfig(input: EffectiveConfigInput): Promise<EffectiveCodexConfig> {
  const cwd = realPath(input.cwd);
  const layers: ReadLayer[] = [];
  const systemFile = input.systemConfigPath ?? '/etc/codex/config.toml';
  const system = await readTomlLayer(systemFile);
  if (system) layers.push({ kind: 'system', source: systemFile, config: system, applied: true });
  const userFile = join(codexHomeOf(input.env), 'config.toml');
  const user = (await readTomlLayer(userFile)) ?? {};
  layers.push({ kind: 'user', source: userFile, config: user, applied: true });
  if (typeof user.profile === 'string' && isPlainObject(user.profiles) && isPlainObject(user.profiles[user.profile])) {
    layers.push({ kind: 'profile', source: `${userFile} [profiles.${user.profile}]`, config: user.profiles[user.profile] as Record<string, unknown>, applied: true });
  }
  const overrides = expandDotted(input.overrides ?? {});
  // Trust and root markers come from everything but the project layers themselves.
  const below = [...layers.map((l) => l.config), overrides].reduce(mergeConfig, {});
  const markers = Array.isArray(below.project_root_markers) ? below.project_root_markers.filter((m): m is string => typeof m === 'string') : ['.git'];
  const folders = projectFolders(cwd, markers);
  const trusted = isTrusted(below.projects, folders, cwd);
  for (const folder of folders) {
    const file = join(folder, '.codex', 'config.toml');
    const config = await readTomlLayer(file).catch((err: unknown) => {
      // An untrusted project's file is never loaded by Codex, so its syntax cannot matter.
      if (!trusted) return undefined;
      throw err;
    });
    if (config) layers.push({ kind: 'project', source: file, config, applied: trusted });
    const hooksFile = join(folder, '.codex', 'hooks.json');
    const hooks = trusted ? await readJsonLayer(hooksFile) : undefined;
    if (hooks) layers.push({ kind: 'project', source: hooksFile, config: { hooks: isPlainObject(hooks.hooks) ? hooks.hooks : hooks }, applied: true });
  }
  if (Object.keys(overrides).length) layers.push({ kind: 'override', source: 'config argument', config: overrides, applied: true });

  let merged: Record<string, unknown> = {};
  let sandbox: SandboxMode = 'read-only';
  let sandboxFrom: LayerRef = { kind: 'default', source: 'Codex default' };
  let approvalPolicy = 'on-request';
  let approvalPolicyFrom: LayerRef = { kind: 'default', source: 'Codex default' };
  const programs: ProgramEntry[] = [];
  for (const layer of layers) {
    if (!layer.applied) continue;
    const ref = { kind: layer.kind, source: layer.source };
    const c = layer.kind === 'project' ? { ...layer.config, notify: undefined } : layer.config;
    merged = mergeConfig(merged, Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
    const s = sandboxOf(layer.config.sandbox_mode);
    if (s) [sandbox, sandboxFrom] = [s, ref];
    const ap = layer.config.approval_policy;
    if (typeof ap === 'string') [approvalPolicy, approvalPolicyFrom] = [ap, ref];
    else if (isPlainObject(ap)) [approvalPolicy, approvalPolicyFrom] = ['granular', ref];
    programs.push(...programsOf(layer.config, ref));
  }
  if (input.sandbox) [sandbox, sandboxFrom] = [input.sandbox, { kind: 'argument', source: 'sandbox argument' }];
  if (input.approvalPolicy) [approvalPolicy, approvalPolicyFrom] = [input.approvalPolicy, { kind: 'argument', source: 'approval-policy argument' }];

  const writableRoots: WritableRoot[] = [];
  let networkAccess = false;
  if (sandbox === 'workspace-write') {
    writableRoots.push({ path: cwd, from: { kind: 'argument', source: 'cwd' } });
    for (const layer of layers) {
      if (!layer.applied) continue;
      const sww = layer.config.sandbox_workspace_write;
      if (!isPlainObject(sww)) continue;
      if (Array.isArray(sww.writable_roots)) {
        for (const r of sww.writable_roots) {
          if (typeof r !== 'string') continue;
          const base = layer.kind === 'project' ? dirname(dirname(layer.source)) : cwd;
          writableRoots.push({ path: realPath(isAbsolute(r) ? r : resolve(base, r)), from: { kind: layer.kind, source: layer.source } });
        }
      }
      if (typeof sww.network_access === 'boolean') networkAccess = sww.network_access;
    }
  }
  return { cwd, sandbox, sandboxFrom, approvalPolicy, approvalPolicyFrom, writableRoots, networkAccess, programs, layers, merged, projectTrusted: trusted };
}
