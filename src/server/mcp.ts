/**
 * Builds an `McpServer` (@modelcontextprotocol/sdk) exposing every tool of the registry.
 * One instance per MCP session (the SDK binds a server to one transport); the registry, and so
 * the tools' behaviour, is shared.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { registerPrompts } from './prompts';
import { registerResources } from './resources';
import { CODEX_TEXT_TOOLS } from './tools/codex-tools';
import { toToolCallError } from './tools/errors';
import type { ToolRegistry } from './tools/registry';
import type { CallerIdentity, ToolResult } from './tools/types';

export const SERVER_NAME = 'codex-governance';

export interface McpServerOptions {
  version: string;
  /** Called on every tool call; MCP identity is only known after `initialize`. */
  identity(server: McpServer): CallerIdentity;
  instructions?: string;
}

const DEFAULT_INSTRUCTIONS =
  'Codex Governance: call process_agent_update after each unit of work and honour PAUSE decisions; ' +
  'search_knowledge_graph before starting work and store_discovery_graph for what you learn.';

/** Turns a tool's structured result into an MCP `CallToolResult` (text mirror + structuredContent). */
export function toCallToolResult(result: ToolResult): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
}

/** Creates a server with every registry tool registered. */
export function createMcpServer(registry: ToolRegistry, options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, title: 'Codex Governance', version: options.version },
    { instructions: options.instructions ?? DEFAULT_INSTRUCTIONS, capabilities: { logging: {} } },
  );
  for (const tool of registry.list()) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: tool.annotations,
      },
      async (args: Record<string, unknown>, extra: { signal: AbortSignal }) => {
        try {
          const result = await registry.execute(tool, args, { caller: options.identity(server), signal: extra.signal });
          // Clients of Codex's former mcp-server read the answer text itself from `codex`/`codex-reply`.
          if (CODEX_TEXT_TOOLS.has(tool.name)) return { content: [{ type: 'text', text: String(result.content ?? '') }], structuredContent: result };
          return toCallToolResult(result);
        } catch (err) {
          const e = toToolCallError(err);
          return { isError: true, content: [{ type: 'text', text: `${e.code}: ${e.message}` }] };
        }
      },
    );
  }
  registerPrompts(server);
  registerResources(server, registry);
  return server;
}
