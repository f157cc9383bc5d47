/**
 * Registers the governance server with VS Code's MCP support (`contributes.mcpServerDefinitionProviders`
 * + `vscode.lm.registerMcpServerDefinitionProvider`, VS Code >= 1.101), so Copilot agent mode and any
 * VS Code MCP client see the governance tools without configuration. The list changes with the
 * server URL; the token from SecretStorage is added in `resolveMcpServerDefinition` only.
 */
import * as vscode from 'vscode';
import { mcpAuthHeaders, mcpDefinitionFor, MCP_PROVIDER_ID } from '../client/mcp-definition';
import type { Logger } from '../util/log';
import type { ServerState } from './server-state';
import { urlOf } from './server-state';

export interface McpProviderHost {
  readonly logger: Logger;
  readonly tokens: { get(): Promise<string> };
  readonly controller: { readonly state: ServerState; onDidChangeState(l: (s: ServerState) => void): vscode.Disposable };
  push<T extends vscode.Disposable>(d: T): T;
}

/** Registers the provider; returns false (and logs why) when this VS Code lacks the API (e.g. some code-server builds). */
export function registerMcpProvider(host: McpProviderHost): boolean {
  const lm = (vscode as { lm?: Partial<typeof vscode.lm> }).lm;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function' || typeof vscode.McpHttpServerDefinition !== 'function') {
    host.logger.info('This VS Code has no MCP server definition API (vscode.lm.registerMcpServerDefinitionProvider); add the server by hand with "Copy MCP Connection Config".');
    return false;
  }
  const changed = host.push(new vscode.EventEmitter<void>());
  let lastUrl = urlOf(host.controller.state);
  host.push(
    host.controller.onDidChangeState((s) => {
      const url = urlOf(s);
      if (url === lastUrl) return;
      lastUrl = url;
      changed.fire();
    }),
  );
  const provider: vscode.McpServerDefinitionProvider<vscode.McpHttpServerDefinition> = {
    onDidChangeMcpServerDefinitions: changed.event,
    provideMcpServerDefinitions: () => {
      const d = mcpDefinitionFor(urlOf(host.controller.state));
      return d ? [new vscode.McpHttpServerDefinition(d.label, vscode.Uri.parse(d.uri), {}, d.version)] : [];
    },
    resolveMcpServerDefinition: async (server) => {
      const d = mcpDefinitionFor(urlOf(host.controller.state));
      // The server stopped since the list was given: nothing to connect to.
      if (!d) return undefined;
      server.uri = vscode.Uri.parse(d.uri);
      server.headers = { ...server.headers, ...mcpAuthHeaders(await host.tokens.get()) };
      return server;
    },
  };
  host.push(lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider));
  host.logger.info(`Registered the governance server with VS Code's MCP support (provider ${MCP_PROVIDER_ID}).`);
  return true;
}
