/**
 * Typed model of Codex's `[mcp_servers.NAME]` tables (config.toml). Key names, defaults and the JSON
 * shape of {@link CodexServerJson} follow Codex CLI 0.153.4 and 0.169.0 as observed (`codex mcp list
 * --json`, `codex mcp get --json`) and openai/codex `codex-rs/config/src/mcp_types.rs`.
 */
import type { TomlValue } from './toml-emit';

/** A key of `env_vars`: a variable name, or `{ name, source }` with source `local` | `remote`. */
export type EnvVarRef = string | { name: string; source?: string };

export type ToolApprovalMode = 'auto' | 'prompt' | 'writes' | 'approve';
export const TOOL_APPROVAL_MODES: readonly ToolApprovalMode[] = ['auto', 'prompt', 'writes', 'approve'];

export interface StdioTransport {
  type: 'stdio';
  command: string;
  args: string[];
  /** Literal variables for the child process; null when the table has no `env`. */
  env: Record<string, string> | null;
  /** Variables copied from the parent environment. */
  env_vars: EnvVarRef[];
  cwd: string | null;
}

export interface StreamableHttpTransport {
  type: 'streamable_http';
  url: string;
  /** Name of the environment variable holding the bearer token (never the token itself). */
  bearer_token_env_var: string | null;
  http_headers: Record<string, string> | null;
  /** Header name -> environment variable name. */
  env_http_headers: Record<string, string> | null;
  http_headers_helper: string | null;
}

export type McpTransport = StdioTransport | StreamableHttpTransport;

/** Where a server entry was read from (the UI shows it next to each server). */
export type ConfigFileKind = 'user' | 'workspace' | 'standalone';

export type Severity = 'error' | 'warning';

/** One validation finding. `error` = Codex refuses the whole file; `warning` = Codex loads it anyway. */
export interface Issue {
  /** Dotted TOML path of the offending key, e.g. `mcp_servers.github.startup_timeout_sec`. */
  key: string;
  /** The same key as path parts, e.g. `['mcp_servers', 'github', 'startup_timeout_sec']`. */
  path: string[];
  /** Human text: names the key, says what is wrong and how to fix it. */
  message: string;
  severity: Severity;
  /** Codex's own wording of the same problem, when Codex reports one. */
  codexMessage?: string;
  /** 1-based line and column, for TOML syntax errors and keys the scanner could place. */
  line?: number;
  column?: number;
}

/** A server as read from a file: the typed view plus the raw table it came from. */
export interface McpServerEntry {
  name: string;
  /** Absolute path of the file the table is in. */
  file: string;
  fileKind: ConfigFileKind;
  /** null when the table has no valid transport (see `issues`). */
  transport: McpTransport | null;
  enabled: boolean;
  required: boolean;
  supports_parallel_tool_calls: boolean;
  /** Seconds; from `startup_timeout_sec`, else `startup_timeout_ms` / 1000, else null (Codex default 10 s). */
  startup_timeout_sec: number | null;
  /** Seconds; null = Codex default (60 s). */
  tool_timeout_sec: number | null;
  enabled_tools: string[] | null;
  disabled_tools: string[] | null;
  default_tools_approval_mode: ToolApprovalMode | null;
  /** Per-tool settings from `[mcp_servers.NAME.tools.TOOL]`. */
  tools: Record<string, { approval_mode?: ToolApprovalMode }>;
  scopes: string[] | null;
  oauth_resource: string | null;
  /** Keys Codex does not know; kept untouched by every edit. */
  unknownKeys: string[];
  /** The table exactly as smol-toml parsed it. */
  raw: Record<string, TomlValue>;
  issues: Issue[];
}

/** Keys Codex accepts in a server table, by transport. */
export const STDIO_KEYS = ['command', 'args', 'env', 'env_vars', 'cwd'] as const;
export const HTTP_KEYS = ['url', 'bearer_token_env_var', 'http_headers', 'env_http_headers', 'http_headers_helper'] as const;
export const COMMON_KEYS = [
  'startup_timeout_sec',
  'startup_timeout_ms',
  'tool_timeout_sec',
  'enabled',
  'required',
  'supports_parallel_tool_calls',
  'default_tools_approval_mode',
  'enabled_tools',
  'disabled_tools',
  'scopes',
  'oauth',
  'oauth_resource',
  'tools',
  'experimental_environment',
  // Accepted only to be rejected with a clear message (a literal token must not live in config).
  'bearer_token',
  // Legacy display name, accepted and ignored by Codex.
  'name',
] as const;
export const KNOWN_KEYS: ReadonlySet<string> = new Set<string>([...STDIO_KEYS, ...HTTP_KEYS, ...COMMON_KEYS]);

/** Default startup timeout Codex applies, seconds. */
export const DEFAULT_STARTUP_TIMEOUT_SEC = 10;
/** Default tool-call timeout Codex applies, seconds. */
export const DEFAULT_TOOL_TIMEOUT_SEC = 60;

/** Names `codex mcp add` accepts: letters, digits, `-`, `_`, `:`, `@`, `/`, `.`. */
export const SERVER_NAME_PATTERN = /^[A-Za-z0-9_:@/.-]+$/;

export function isValidServerName(name: string): boolean {
  return SERVER_NAME_PATTERN.test(name);
}

/** The JSON object `codex mcp list --json` prints per server (`codex mcp get --json` adds the tool filters). */
export interface CodexServerJson {
  name: string;
  enabled: boolean;
  disabled_reason: string | null;
  transport:
    | { type: 'stdio'; command: string; args: string[]; env: Record<string, string> | null; env_vars: EnvVarRef[]; cwd: string | null }
    | {
        type: 'streamable_http';
        url: string;
        bearer_token_env_var: string | null;
        http_headers: Record<string, string> | null;
        env_http_headers: Record<string, string> | null;
        http_headers_helper: string | null;
      };
  enabled_tools?: string[] | null;
  disabled_tools?: string[] | null;
  startup_timeout_sec: number | null;
  tool_timeout_sec: number | null;
  auth_status?: 'unsupported' | 'bearer_token' | 'unknown';
}
