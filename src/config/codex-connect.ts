/**
 * "Connect Codex" and "Disconnect Codex" as two steps each, shared by the CLI (`connect codex`,
 * `disconnect codex`) and VS Code: `prepare*` reads the file and returns the planned text and its
 * unified diff (nothing written), `apply*` writes it (atomic, refused when the file changed since it
 * was read) and records or forgets what was written (./connect-state.ts).
 */
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { deleteConnectState, readConnectState, writeConnectState, type ConnectState } from './connect-state';
import { ConfigConflictError } from './errors';
import { loadConfigFile, writeConfigFile, type LoadedConfig } from './file';
import { blockDataDir, planConnect, planDisconnect, removeBlock, unifiedDiff, type ConnectPlan, type DisconnectPlan, type LaunchCommand } from './governance-block';
import { HOOKS_MIN_VERSION } from '../supervisor/capabilities';
import { locateCodex, type LocatedCodex } from '../supervisor/locate';
import { hooksIgnoredMessage, shellQuote } from './hooks-toml';
import type { OfflineMode } from '../hooks/decisions';
import type { ConfigFileKind } from './model';

/**
 * What Codex runs: the small bundles `bridge.js` and `hook.js` beside `cli` when they exist (they
 * start several times faster than the whole CLI), else `cli bridge` / `cli hook`.
 * @param offline the hooks' offline rule, always written out (`--offline defer|deny`) so the config
 *   says what happens when the server cannot answer.
 * @returns the bridge's launch command and the hooks' shell command line.
 */
export function codexCommands(node: string, cli: string, dataDir: string, env?: Record<string, string>, offline: OfflineMode = 'defer'): { bridge: LaunchCommand; hook: string } {
  const beside = (name: string) => path.join(path.dirname(cli), name);
  const bridgeArgs = existsSync(beside('bridge.js')) ? [beside('bridge.js')] : [cli, 'bridge'];
  const hookArgs = existsSync(beside('hook.js')) ? [beside('hook.js')] : [cli, 'hook'];
  const envPrefix = Object.entries(env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)} `).join('');
  return {
    bridge: { command: node, args: [...bridgeArgs, '--data-dir', dataDir], ...(env && Object.keys(env).length ? { env } : {}) },
    hook: envPrefix + [node, ...hookArgs, '--data-dir', dataDir, '--offline', offline].map(shellQuote).join(' '),
  };
}

export interface ConnectRequest {
  /** The Codex config file to edit (created when missing). */
  file: string;
  kind?: ConfigFileKind;
  /** The governance data directory the bridge and the hooks read (and where the state is kept). */
  dataDir: string;
  bridge: LaunchCommand;
  /** Shell command line for the hooks; null: no hooks. */
  hookCommand: string | null;
  trust: boolean;
}

export interface PreparedConnect {
  loaded: LoadedConfig;
  /** The config path as Codex names it (absolute, directory symlinks resolved). */
  codexPath: string;
  dataDir: string;
  plan: ConnectPlan;
  /** Unified diff of the file; '' when nothing changes. */
  diff: string;
  state: ConnectState;
}

/** The path Codex uses for a config file: it canonicalizes CODEX_HOME, then appends the file name. */
export function codexConfigPath(file: string): string {
  const abs = path.resolve(file);
  try {
    return path.join(realpathSync(path.dirname(abs)), path.basename(abs));
  } catch {
    return abs;
  }
}

/**
 * Reads `req.file` and plans the connection. Nothing is written.
 * @throws ConfigParseError when the file is not valid TOML; ConfigEditError when the block cannot be
 *   added (see planConnect); Error naming the file when it cannot be read.
 */
export async function prepareConnect(req: ConnectRequest): Promise<PreparedConnect> {
  const loaded = await loadConfigFile(req.file, { kind: req.kind });
  if (loaded.parseError) throw loaded.parseError;
  const codexPath = codexConfigPath(loaded.path);
  const dataDir = path.resolve(req.dataDir);
  const previous = await readConnectState(dataDir, codexPath);
  const matches = previous !== undefined && previous.after === loaded.text;
  const plan = planConnect(loaded.text, loaded.path, { bridge: req.bridge, hookCommand: req.hookCommand, trust: req.trust, codexPath }, matches ? previous : undefined);
  const state: ConnectState = {
    config: codexPath,
    created: matches ? previous.created : !loaded.exists,
    before: matches ? previous.before : removeBlock(loaded.text),
    after: plan.after,
    at: new Date().toISOString(),
  };
  return { loaded, codexPath, dataDir, plan, diff: unifiedDiff(loaded.path, loaded.text, plan.after, 'after connect'), state };
}

/**
 * Writes a prepared connection and records it for disconnect.
 * @throws ConfigConflictError when the file changed since `prepareConnect` read it (nothing written).
 */
export async function applyConnect(prepared: PreparedConnect): Promise<void> {
  if (!prepared.plan.changed) return;
  await writeConfigFile(prepared.loaded, prepared.plan.after);
  await writeConnectState(prepared.dataDir, prepared.state);
}

export interface PreparedDisconnect {
  loaded: LoadedConfig;
  codexPath: string;
  /** Where the connect state was looked for. */
  dataDir: string | undefined;
  plan: DisconnectPlan;
  /** Delete the file instead of writing it (connect created it and nothing else changed). */
  remove: boolean;
  diff: string;
}

/**
 * Plans the removal of what connect added to `file`.
 * @param dataDir where to look for the connect state; default the data directory named by the block's bridge.
 */
export async function prepareDisconnect(file: string, dataDir?: string, kind?: ConfigFileKind): Promise<PreparedDisconnect> {
  const loaded = await loadConfigFile(file, { kind });
  const codexPath = codexConfigPath(loaded.path);
  const dir = dataDir ?? blockDataDir(loaded.text);
  const state = dir ? await readConnectState(path.resolve(dir), codexPath) : undefined;
  const plan = planDisconnect(loaded.text, state);
  const remove = plan.how === 'restored' && state?.created === true && plan.after === '';
  const diff = unifiedDiff(loaded.path, loaded.text, plan.after, 'after disconnect');
  return { loaded, codexPath, dataDir: dir ? path.resolve(dir) : undefined, plan, remove, diff };
}

/**
 * Writes (or deletes) the file as planned and forgets the connect state.
 * @throws ConfigConflictError when the file changed since it was read (nothing written).
 */
export async function applyDisconnect(prepared: PreparedDisconnect): Promise<void> {
  if (prepared.plan.how === 'absent') return;
  if (prepared.remove) {
    const now = await loadConfigFile(prepared.loaded.path);
    if (now.hash !== prepared.loaded.hash) throw new ConfigConflictError(prepared.loaded.path);
    await fs.rm(prepared.loaded.path);
  } else {
    // No .bak: disconnect puts back what was there, and a backup of our own block is no use.
    await writeConfigFile(prepared.loaded, prepared.plan.after, { backup: false });
  }
  if (prepared.dataDir) await deleteConnectState(prepared.dataDir, prepared.codexPath);
}

/**
 * Why the Codex that will run the hooks may not run them: it predates hooks (naming its version,
 * path and the fix), or it cannot be found.
 * @param explicitPath the Codex binary or npm wrapper to ask (`--codex-path`, `codexGovernance.codex.path`);
 *   default the one the supervisor would locate (PATH, then the bundled copies).
 * @param locate injectable locator; default `locateCodex` (runs `codex --version`, up to 10 s).
 * @returns undefined when that Codex runs governance hooks. Never throws.
 */
export async function codexHooksWarning(
  explicitPath: string | undefined,
  env: NodeJS.ProcessEnv,
  locate: (explicitPath: string | undefined) => Promise<Pick<LocatedCodex, 'path' | 'version'>> = (p) => locateCodex({ explicitPath: p, env }),
): Promise<string | undefined> {
  let located: Pick<LocatedCodex, 'path' | 'version'>;
  try {
    located = await locate(explicitPath || undefined);
  } catch (e) {
    return `could not check which Codex will run the hooks (${(e as Error).message}). The hooks need Codex ${HOOKS_MIN_VERSION} or newer; older versions ignore them.`;
  }
  return hooksIgnoredMessage(located);
}
