/**
 * Which config files hold MCP servers: `$CODEX_HOME/config.toml` (default `~/.codex/config.toml`),
 * each workspace folder's `.codex/config.toml`, and standalone `mcp_servers.toml` files chosen in
 * settings (same `[mcp_servers.NAME]` layout).
 *
 * Codex 0.169.0 reads a project's `.codex/config.toml` only when the project is trusted
 * (`[projects."<path>"] trust_level = "trusted"` in the user config); observed with `codex mcp list`.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseToml } from './errors';
import type { ConfigFileKind } from './model';
import { isTable } from './toml-emit';

export interface ConfigFileRef {
  path: string;
  kind: ConfigFileKind;
  exists: boolean;
  /** For workspace files: whether Codex will read it (project trusted in the user config). Undefined for other kinds. */
  trusted?: boolean;
  /** Short label for the UI, e.g. "user (~/.codex/config.toml)". */
  label: string;
}

export interface FindOptions {
  /** Defaults to $CODEX_HOME, else ~/.codex. */
  codexHome?: string;
  /** Absolute folder paths; each contributes `<folder>/.codex/config.toml`. */
  workspaceFolders?: string[];
  /** Standalone files (absolute or relative to the first workspace folder). */
  extraFiles?: string[];
  env?: NodeJS.ProcessEnv;
}

/** `$CODEX_HOME`, else `~/.codex`. */
export function defaultCodexHome(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.CODEX_HOME?.trim();
  return home ? path.resolve(home) : path.join(env.HOME || os.homedir(), '.codex');
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Lists the candidate files in precedence order (user, workspace folders, standalone), missing ones included. */
export async function findConfigFiles(options: FindOptions = {}): Promise<ConfigFileRef[]> {
  const env = options.env ?? process.env;
  const codexHome = options.codexHome ? path.resolve(options.codexHome) : defaultCodexHome(env);
  const userFile = path.join(codexHome, 'config.toml');
  const refs: ConfigFileRef[] = [{ path: userFile, kind: 'user', exists: await exists(userFile), label: `user (${tilde(userFile, env)})` }];
  const trusted = refs[0]?.exists ? await trustedProjects(userFile) : new Set<string>();
  const seen = new Set([userFile]);
  for (const folder of options.workspaceFolders ?? []) {
    const file = path.join(path.resolve(folder), '.codex', 'config.toml');
    if (seen.has(file)) continue;
    seen.add(file);
    refs.push({ path: file, kind: 'workspace', exists: await exists(file), trusted: trusted.has(path.resolve(folder)), label: `workspace (${path.basename(folder)}/.codex/config.toml)` });
  }
  const base = options.workspaceFolders?.[0] ?? process.cwd();
  for (const extra of options.extraFiles ?? []) {
    const file = path.resolve(base, extra.replace(/^~(?=\/|$)/, env.HOME || os.homedir()));
    if (seen.has(file)) continue;
    seen.add(file);
    refs.push({ path: file, kind: 'standalone', exists: await exists(file), label: `standalone (${tilde(file, env)})` });
  }
  return refs;
}

function tilde(file: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME || os.homedir();
  return home && file.startsWith(home + path.sep) ? `~${file.slice(home.length)}` : file;
}

async function trustedProjects(userFile: string): Promise<Set<string>> {
  try {
    const root = parseToml(await fs.readFile(userFile, 'utf8'), userFile);
    const projects = isTable(root.projects) ? root.projects : {};
    return new Set(
      Object.entries(projects)
        .filter(([, v]) => isTable(v) && v.trust_level === 'trusted')
        .map(([p]) => path.resolve(p)),
    );
  } catch {
    return new Set();
  }
}
