/**
 * "Connect Codex to Governance" from VS Code, the parts without `vscode` (unit tested as plain TS):
 * which commands Codex is given and the files they need.
 *
 * Codex must start the bridge and the hooks without VS Code's help, from any shell, also after the
 * extension was updated (which deletes the old extension folder). So:
 * - the scripts (dist/cli.js, bridge.js, hook.js) are copied to `<global storage>/bin/`, a path that
 *   survives updates, and refreshed there on every activation (see `refreshInstalledScripts`);
 * - Node is the one running this extension host (`process.execPath`): VS Code's own Electron with
 *   `ELECTRON_RUN_AS_NODE=1` on the desktop (Electron docs, "ELECTRON_RUN_AS_NODE"), the server's
 *   Node in code-server and remote windows. It is an absolute path, so a Codex started from a
 *   terminal finds it too;
 * - the token is written to `<global storage>/token` (mode 0600), where the bridge and the hooks
 *   read it like the headless CLI's (src/cli/running-server.ts); the port is in `owner.json` there.
 */
import { chmod, copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { TOKEN_FILE } from '../../cli/token';
import { codexCommands, prepareConnect, type PreparedConnect } from '../../config/codex-connect';
import type { ConfigFileKind } from '../../config';

/** The scripts Codex runs, copied from the extension's `dist/`. */
export const INSTALLED_SCRIPTS = ['cli.js', 'bridge.js', 'hook.js'] as const;

export interface VsCodeConnectRequest {
  file: string;
  kind: ConfigFileKind;
  /** The extension's global storage folder: the server's data directory. */
  storageDir: string;
  /** The extension's folder (holds `dist/`). */
  extensionPath: string;
  /** The server token from SecretStorage. */
  token: string;
  hooks: boolean;
  trust: boolean;
  /** `codexGovernance.hooks.offline`. */
  offline: 'defer' | 'deny';
  /** `process.execPath` and whether it is Electron; injected for tests. */
  runtime?: { execPath: string; electron: boolean };
}

/**
 * Copies the scripts to `<storageDir>/bin` when they differ (size or modification time) from the
 * extension's; returns the folder.
 * @throws Error naming the file when a script is missing from the extension or cannot be copied.
 */
export async function refreshInstalledScripts(extensionPath: string, storageDir: string): Promise<string> {
  const bin = path.join(storageDir, 'bin');
  await mkdir(bin, { recursive: true, mode: 0o700 });
  for (const name of INSTALLED_SCRIPTS) {
    const from = path.join(extensionPath, 'dist', name);
    const to = path.join(bin, name);
    const source = await stat(from).catch(() => undefined);
    if (!source) throw new Error(`${from} is missing from the extension; reinstall Codex Governance.`);
    const current = await stat(to).catch(() => undefined);
    if (current && current.size === source.size && current.mtimeMs >= source.mtimeMs) continue;
    const tmp = `${to}.${process.pid}.tmp`;
    await copyFile(from, tmp);
    await chmod(tmp, 0o700);
    await rename(tmp, to);
  }
  return bin;
}

/** Writes the token to `<storageDir>/token` (0600, temp + rename) unless it already holds it. */
export async function writeTokenFile(storageDir: string, token: string): Promise<void> {
  const file = path.join(storageDir, TOKEN_FILE);
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current?.trim() === token) return;
  await mkdir(storageDir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, token + '\n', { mode: 0o600 });
  await rename(tmp, file);
}

/**
 * Installs the scripts and the token file, then plans the connection of `req.file` (nothing
 * written there yet: the caller shows the diff and applies it once the person agrees).
 * @throws as prepareConnect (invalid TOML, a form the block cannot extend), or Error naming a file.
 */
export async function prepareVsCodeConnect(req: VsCodeConnectRequest): Promise<PreparedConnect> {
  const runtime = req.runtime ?? { execPath: process.execPath, electron: typeof process.versions.electron === 'string' };
  const bin = await refreshInstalledScripts(req.extensionPath, req.storageDir);
  await writeTokenFile(req.storageDir, req.token);
  const env = runtime.electron ? { ELECTRON_RUN_AS_NODE: '1' } : undefined;
  const commands = codexCommands(runtime.execPath, path.join(bin, 'cli.js'), req.storageDir, env, req.offline);
  return prepareConnect({ file: req.file, kind: req.kind, dataDir: req.storageDir, bridge: commands.bridge, hookCommand: req.hooks ? commands.hook : null, trust: req.trust });
}
