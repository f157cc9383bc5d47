/**
 * "Connect Codex to Governance": adds (or updates) `[mcp_servers.codex-governance]` in a Codex config
 * file with `url = "<server>/mcp"`, `bearer_token_env_var = "CODEX_GOVERNANCE_TOKEN"` and
 * `default_tools_approval_mode = "approve"` (why: see src/vscode/snippets.ts). An existing entry keeps
 * its other keys and comments; only these three change. No `vscode` import.
 */
import { applyEdit, loadConfigFile, writeConfigFile, type ConfigFileKind, type ConfigEdit, type LoadedConfig } from '../../config';
import { MCP_SERVER_NAME, TOKEN_ENV_VAR } from '../snippets';

export interface ConnectResult {
  file: string;
  /** 'added' | 'updated' | 'unchanged' (the entry already said the same). */
  outcome: 'added' | 'updated' | 'unchanged';
  url: string;
}

/** The edit that makes `loaded` point Codex at the governance server at `baseUrl` (e.g. http://127.0.0.1:8765). */
export function governanceEdit(loaded: LoadedConfig, baseUrl: string): ConfigEdit {
  const url = `${baseUrl.replace(/\/+$/, '')}/mcp`;
  const values = { url, bearer_token_env_var: TOKEN_ENV_VAR, default_tools_approval_mode: 'approve' };
  const existing = loaded.servers.find((s) => s.name === MCP_SERVER_NAME);
  if (!existing) return { kind: 'add', name: MCP_SERVER_NAME, table: values };
  // A stdio entry of that name (an old setup) must lose its command to become an HTTP one.
  const set: Record<string, string | null> = { ...values };
  for (const k of ['command', 'args', 'env', 'env_vars', 'cwd']) if (k in existing.raw) set[k] = null;
  return { kind: 'update', name: MCP_SERVER_NAME, set };
}

/**
 * Writes the governance entry into `file` (created when missing; atomic, with a `.bak` backup).
 * @param baseUrl the running server's URL without `/mcp`.
 * @throws ConfigParseError when the file is not valid TOML (nothing written).
 * @throws ConfigEditError when the entry cannot be edited safely (e.g. mcp_servers as an inline table).
 * @throws ConfigConflictError when the file changed while it was being edited.
 */
export async function connectCodexToGovernance(file: string, kind: ConfigFileKind, baseUrl: string): Promise<ConnectResult> {
  const loaded = await loadConfigFile(file, { kind });
  if (loaded.parseError) throw loaded.parseError;
  const edit = governanceEdit(loaded, baseUrl);
  const url = `${baseUrl.replace(/\/+$/, '')}/mcp`;
  const next = applyEdit(loaded.text, edit);
  if (next === loaded.text) return { file: loaded.path, outcome: 'unchanged', url };
  await writeConfigFile(loaded, next);
  return { file: loaded.path, outcome: edit.kind === 'add' ? 'added' : 'updated', url };
}
