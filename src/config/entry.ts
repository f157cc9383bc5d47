/**
 * Builds the typed {@link McpServerEntry} view of a parsed server table. Tolerant of bad types (they
 * become null/defaults); the verdict on the table is in `issues`, from {@link validateServer}.
 */
import { TomlDate } from 'smol-toml';
import { KNOWN_KEYS, TOOL_APPROVAL_MODES, type ConfigFileKind, type EnvVarRef, type Issue, type McpServerEntry, type McpTransport, type ToolApprovalMode } from './model';
import { isTable, type TomlValue } from './toml-emit';

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v instanceof TomlDate) return v.toISOString();
  return null;
}

function strs(v: unknown): string[] | null {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : null;
}

function strMap(v: unknown): Record<string, string> | null {
  if (!isTable(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function num(v: unknown): number | null {
  return typeof v === 'number' || typeof v === 'bigint' ? Number(v) : null;
}

function approval(v: unknown): ToolApprovalMode | null {
  return typeof v === 'string' && (TOOL_APPROVAL_MODES as readonly string[]).includes(v) ? (v as ToolApprovalMode) : null;
}

/** Codex's transport choice: `command` wins, else `url`, else none. */
export function transportOf(t: Record<string, unknown>): McpTransport | null {
  const command = str(t.command);
  if (command !== null) {
    const envVars = Array.isArray(t.env_vars)
      ? t.env_vars.filter((x): x is EnvVarRef => typeof x === 'string' || (isTable(x) && typeof x.name === 'string')).map((x) => (typeof x === 'string' ? x : { ...x }))
      : [];
    return { type: 'stdio', command, args: strs(t.args) ?? [], env: t.env === undefined ? null : strMap(t.env), env_vars: envVars, cwd: str(t.cwd) };
  }
  const url = str(t.url);
  if (url !== null) {
    return {
      type: 'streamable_http',
      url,
      bearer_token_env_var: str(t.bearer_token_env_var),
      http_headers: t.http_headers === undefined ? null : strMap(t.http_headers),
      env_http_headers: t.env_http_headers === undefined ? null : strMap(t.env_http_headers),
      http_headers_helper: str(t.http_headers_helper),
    };
  }
  return null;
}

/**
 * @param raw the parsed value of `mcp_servers.NAME` (a non-table yields an entry with no transport).
 * @param issues findings for this server (from validateServer).
 */
export function buildEntry(name: string, raw: unknown, file: string, fileKind: ConfigFileKind, issues: Issue[]): McpServerEntry {
  const t: Record<string, TomlValue> = isTable(raw) ? raw : {};
  const sec = num(t.startup_timeout_sec);
  const ms = num(t.startup_timeout_ms);
  const tools: McpServerEntry['tools'] = {};
  if (isTable(t.tools)) {
    for (const [tool, cfg] of Object.entries(t.tools)) {
      const mode = isTable(cfg) ? approval(cfg.approval_mode) : null;
      tools[tool] = mode ? { approval_mode: mode } : {};
    }
  }
  return {
    name,
    file,
    fileKind,
    transport: transportOf(t),
    enabled: t.enabled !== false,
    required: t.required === true,
    supports_parallel_tool_calls: t.supports_parallel_tool_calls === true,
    startup_timeout_sec: sec ?? (ms !== null ? ms / 1000 : null),
    tool_timeout_sec: num(t.tool_timeout_sec),
    enabled_tools: t.enabled_tools === undefined ? null : strs(t.enabled_tools),
    disabled_tools: t.disabled_tools === undefined ? null : strs(t.disabled_tools),
    default_tools_approval_mode: approval(t.default_tools_approval_mode),
    tools,
    scopes: t.scopes === undefined ? null : strs(t.scopes),
    oauth_resource: str(t.oauth_resource),
    unknownKeys: Object.keys(t).filter((k) => !KNOWN_KEYS.has(k)),
    raw: t,
    issues,
  };
}
