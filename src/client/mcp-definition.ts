/**
 * What the extension tells VS Code's own MCP support about the governance server (see
 * src/vscode/mcp-provider.ts): one Streamable HTTP server at `<url>/mcp`, the token added only when
 * VS Code is about to connect (`resolveMcpServerDefinition`), never in the listed definition.
 */
import { VERSION } from '../version';

export const MCP_PROVIDER_ID = 'codexGovernance.governanceServer';
export const MCP_SERVER_LABEL = 'Codex Governance';

export interface McpDefinitionShape {
  label: string;
  /** e.g. `http://127.0.0.1:8765/mcp` */
  uri: string;
  /** Changes when the server URL changes, so VS Code refreshes the tool list. */
  version: string;
}

/** The definition for a base URL (this window's or another window's server), or none without one. */
export function mcpDefinitionFor(baseUrl: string | undefined): McpDefinitionShape | undefined {
  if (!baseUrl) return undefined;
  return { label: MCP_SERVER_LABEL, uri: `${baseUrl.replace(/\/+$/, '')}/mcp`, version: `${VERSION}+${new URL(baseUrl).port || '80'}` };
}

/** The headers of a resolved definition: the bearer token (the server's `Authorization` check). */
export function mcpAuthHeaders(token: string): Record<string, string> {
  if (!token) throw new Error('The server token is empty; run "Codex Governance: Restart Server" to create one.');
  return { Authorization: `Bearer ${token}` };
}
