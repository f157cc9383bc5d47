/**
 * The output formats of `codex mcp list` / `codex mcp get` (text and `--json`), as printed by Codex CLI
 * 0.169.0 and 0.153.4 (observed). Env values and header values are masked (`A=*****`) in text output;
 * the JSON carries the configured values, as Codex's does, except `http_headers_helper` (`<redacted>`).
 */
import type { CodexServerJson, McpServerEntry } from './model';

const MASK = '*****';

function sortedKeys(map: Record<string, string> | null): string[] {
  return Object.keys(map ?? {}).sort();
}

/** `auth_status` as Codex reports it without contacting the server (OAuth status is not probed). */
export function authStatus(entry: McpServerEntry): 'unsupported' | 'bearer_token' | 'unknown' {
  const t = entry.transport;
  if (!t || t.type === 'stdio' || !entry.enabled) return 'unsupported';
  return t.bearer_token_env_var ? 'bearer_token' : 'unknown';
}

/**
 * The JSON object for one server.
 * @param shape `list` (with `auth_status`) or `get` (with `enabled_tools` / `disabled_tools`).
 * @throws Error when the entry has no transport (Codex would have refused the file).
 */
export function toCodexJson(entry: McpServerEntry, shape: 'list' | 'get'): CodexServerJson {
  const t = entry.transport;
  if (!t) throw new Error(`mcp_servers.${entry.name} has neither command nor url.`);
  const transport: CodexServerJson['transport'] =
    t.type === 'stdio'
      ? { type: 'stdio', command: t.command, args: t.args, env: t.env, env_vars: t.env_vars, cwd: t.cwd }
      : {
          type: 'streamable_http',
          url: t.url,
          bearer_token_env_var: t.bearer_token_env_var,
          http_headers: t.http_headers,
          env_http_headers: t.env_http_headers,
          http_headers_helper: t.http_headers_helper === null ? null : '<redacted>',
        };
  const base = { name: entry.name, enabled: entry.enabled, disabled_reason: null, transport };
  if (shape === 'get') {
    return { ...base, enabled_tools: entry.enabled_tools, disabled_tools: entry.disabled_tools, startup_timeout_sec: entry.startup_timeout_sec, tool_timeout_sec: entry.tool_timeout_sec };
  }
  return { ...base, startup_timeout_sec: entry.startup_timeout_sec, tool_timeout_sec: entry.tool_timeout_sec, auth_status: authStatus(entry) };
}

/** Masked env column: `env` keys sorted, then `env_vars` names in order, each `NAME=*****`. */
export function maskedEnv(entry: McpServerEntry): string {
  const t = entry.transport;
  if (!t || t.type !== 'stdio') return '-';
  const names = [...sortedKeys(t.env), ...t.env_vars.map((v) => (typeof v === 'string' ? v : v.name))];
  return names.length ? names.map((n) => `${n}=${MASK}`).join(', ') : '-';
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), ...rows.map(line)];
}

/** The text of `codex mcp list`: a stdio table and a streamable HTTP table, sorted by name. */
export function formatList(entries: McpServerEntry[]): string {
  const sorted = [...entries].filter((e) => e.transport).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (sorted.length === 0) return 'No MCP servers configured yet. Try `codex-governance mcp add my-tool -- my-command`.\n';
  const status = (e: McpServerEntry) => (e.enabled ? 'enabled' : 'disabled');
  const authLabel = (e: McpServerEntry) => ({ unsupported: 'Unsupported', bearer_token: 'Bearer token', unknown: 'Unknown' })[authStatus(e)];
  const stdio = sorted.filter((e) => e.transport?.type === 'stdio');
  const http = sorted.filter((e) => e.transport?.type === 'streamable_http');
  const blocks: string[][] = [];
  if (stdio.length) {
    blocks.push(
      table(
        ['Name', 'Command', 'Args', 'Env', 'Cwd', 'Status', 'Auth'],
        stdio.map((e) => {
          const t = e.transport as Extract<McpServerEntry['transport'], { type: 'stdio' }>;
          return [e.name, t.command, t.args.length ? t.args.join(' ') : '-', maskedEnv(e), t.cwd ?? '-', status(e), authLabel(e)];
        }),
      ),
    );
  }
  if (http.length) {
    blocks.push(
      table(
        ['Name', 'Url', 'Bearer Token Env Var', 'Status', 'Auth'],
        http.map((e) => {
          const t = e.transport as Extract<McpServerEntry['transport'], { type: 'streamable_http' }>;
          return [e.name, t.url, t.bearer_token_env_var ?? '-', status(e), authLabel(e)];
        }),
      ),
    );
  }
  return blocks.map((b) => b.join('\n')).join('\n\n') + '\n';
}

function seconds(n: number): string {
  return String(Math.round(n * 1e9) / 1e9);
}

/**
 * The text of `codex mcp get NAME`.
 * @param removeHint the command printed on the `remove:` line.
 */
export function formatGet(entry: McpServerEntry, removeHint: string): string {
  if (!entry.enabled) return `${entry.name} (disabled)\n`;
  const t = entry.transport;
  const lines = [entry.name, `  enabled: true`];
  const list = (v: string[]) => (v.length ? v.join(', ') : '[]');
  if (entry.enabled_tools) lines.push(`  enabled_tools: ${list(entry.enabled_tools)}`);
  if (entry.disabled_tools) lines.push(`  disabled_tools: ${list(entry.disabled_tools)}`);
  if (t?.type === 'stdio') {
    lines.push('  transport: stdio', `  command: ${t.command}`, `  args: ${t.args.length ? t.args.join(' ') : '-'}`, `  cwd: ${t.cwd ?? '-'}`, `  env: ${maskedEnv(entry)}`);
  } else if (t) {
    const masked = sortedKeys(t.http_headers).map((k) => `${k}=${MASK}`);
    const envHeaders = sortedKeys(t.env_http_headers).map((k) => `${k}=${t.env_http_headers?.[k] ?? ''}`);
    lines.push(
      '  transport: streamable_http',
      `  url: ${t.url}`,
      `  bearer_token_env_var: ${t.bearer_token_env_var ?? '-'}`,
      `  http_headers: ${masked.length ? masked.join(', ') : '-'}`,
      `  env_http_headers: ${envHeaders.length ? envHeaders.join(', ') : '-'}`,
      `  http_headers_helper: ${t.http_headers_helper === null ? '-' : '<redacted>'}`,
    );
  }
  if (entry.startup_timeout_sec !== null) lines.push(`  startup_timeout_sec: ${seconds(entry.startup_timeout_sec)}`);
  if (entry.tool_timeout_sec !== null) lines.push(`  tool_timeout_sec: ${seconds(entry.tool_timeout_sec)}`);
  lines.push(`  remove: ${removeHint}`);
  return lines.join('\n') + '\n';
}
