/**
 * Connection snippets for the "Copy MCP Connection Config" command. Plain TypeScript (no `vscode`),
 * so the exact text users paste is unit tested.
 *
 * Formats:
 * - Codex `config.toml`: an `[mcp_servers.NAME]` table for a streamable HTTP server, keys `url`,
 *   `bearer_token_env_var` (Codex reads the bearer token from that environment variable; see the
 *   Codex config reference, "mcp_servers" section) and `default_tools_approval_mode = "approve"`
 *   (observed with Codex 0.153.4 and 0.169.0: without it Codex asks before calling any tool not
 *   annotated read-only, and `codex mcp-server` then hangs because the request never reaches its client).
 * - VS Code `mcp.json`: a server of `type: "http"` whose `Authorization` header uses an
 *   `${input:ID}` variable backed by a `promptString` input with `password: true`, so the token is
 *   asked for once and kept by VS Code instead of being written into the file (VS Code docs,
 *   "MCP configuration format", input variables).
 * - A curl command for `GET /health` reading the token from `$CODEX_GOVERNANCE_TOKEN`.
 */
import { stringify } from 'smol-toml';

/** Name of the MCP server entry in both config formats. */
export const MCP_SERVER_NAME = 'codex-governance';
/** Environment variable that carries the bearer token for Codex and curl. */
export const TOKEN_ENV_VAR = 'CODEX_GOVERNANCE_TOKEN';
/** Id of the `mcp.json` password input that holds the token. */
export const MCP_JSON_TOKEN_INPUT_ID = 'codex-governance-token';

export type SnippetKind = 'codex' | 'vscode' | 'curl';

export interface ConnectionSnippet {
  kind: SnippetKind;
  /** Short label for a quick pick. */
  label: string;
  /** Where the text goes. */
  detail: string;
  text: string;
}

/**
 * Validates the server's base URL (`http://127.0.0.1:8765`, no trailing slash needed).
 * @throws Error when `baseUrl` is not an http(s) URL.
 */
function normalizeBaseUrl(baseUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new Error(`Server URL "${baseUrl}" is not a valid URL; expected e.g. http://127.0.0.1:8765.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`Server URL "${baseUrl}" must start with http:// or https://.`);
  }
  return baseUrl.replace(/\/+$/, '');
}

/** The `[mcp_servers.codex-governance]` table for Codex's `config.toml`, with a comment on exporting the token. */
export function codexTomlSnippet(baseUrl: string): string {
  const url = `${normalizeBaseUrl(baseUrl)}/mcp`;
  const table = stringify({
    mcp_servers: { [MCP_SERVER_NAME]: { url, bearer_token_env_var: TOKEN_ENV_VAR, default_tools_approval_mode: 'approve' } },
  });
  return [
    '# Codex Governance MCP server (add to ~/.codex/config.toml).',
    `# Codex sends the token from $${TOKEN_ENV_VAR}; export it in the shell that starts Codex, e.g.`,
    `#   export ${TOKEN_ENV_VAR}='<paste from "Codex Governance: Copy Server Token">'`,
    '# default_tools_approval_mode = "approve": Codex otherwise asks before every governance tool call',
    '# (the tools only touch the governance database), and refuses them under approval_policy = "never".',
    table.trim(),
    '',
  ].join('\n');
}

/** A complete `.vscode/mcp.json` with the server and a password input for its token. */
export function vscodeMcpJsonSnippet(baseUrl: string): string {
  const url = `${normalizeBaseUrl(baseUrl)}/mcp`;
  const config = {
    inputs: [
      {
        type: 'promptString',
        id: MCP_JSON_TOKEN_INPUT_ID,
        description: 'Codex Governance server token (command "Codex Governance: Copy Server Token")',
        password: true,
      },
    ],
    servers: {
      [MCP_SERVER_NAME]: {
        type: 'http',
        url,
        headers: { Authorization: `Bearer \${input:${MCP_JSON_TOKEN_INPUT_ID}}` },
      },
    },
  };
  return JSON.stringify(config, null, 2) + '\n';
}

/** A curl command that checks `/health` with the token from `$CODEX_GOVERNANCE_TOKEN`. */
export function curlHealthSnippet(baseUrl: string): string {
  const url = `${normalizeBaseUrl(baseUrl)}/health`;
  return `curl -sS -H "Authorization: Bearer $${TOKEN_ENV_VAR}" ${url}\n`;
}

/** All snippets for `baseUrl`, in the order the quick pick shows them. */
export function connectionSnippets(baseUrl: string): ConnectionSnippet[] {
  return [
    { kind: 'codex', label: 'Codex config.toml', detail: `[mcp_servers.${MCP_SERVER_NAME}] table; token from $${TOKEN_ENV_VAR}`, text: codexTomlSnippet(baseUrl) },
    { kind: 'vscode', label: 'VS Code mcp.json', detail: 'HTTP server with the token asked for once (password input)', text: vscodeMcpJsonSnippet(baseUrl) },
    { kind: 'curl', label: 'curl /health', detail: `Check the server from a terminal; token from $${TOKEN_ENV_VAR}`, text: curlHealthSnippet(baseUrl) },
  ];
}
