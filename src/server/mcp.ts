/**
 * Builds an `McpServer` (@modelcontextprotocol/sdk) exposing every tool of the registry.
 * One instance per MCP session (the SDK binds a server to one transport); the registry, and so
 * the tools' behaviour, is shared.
 *
 * Tools are served with the SDK's low-level `tools/list` and `tools/call` handlers rather than
 * `McpServer.registerTool`: registerTool validates arguments itself before its callback, with a
 * non-strict object (unknown arguments silently dropped) and its own error text. Here the
 * arguments go unvalidated to {@link ToolRegistry.call}, the one validation path every transport
 * shares, so MCP refuses exactly what `POST /v1/tools/call` refuses, with the same message, and
 * `tools/list` publishes the same JSON Schemas as `GET /v1/tools` (`additionalProperties: false`).
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { registerPrompts } from './prompts';
import { registerResources } from './resources-register';
import { toToolCallError } from './tools/errors';
import type { ToolRegistry } from './tools/registry';
import type { CallerIdentity, ToolAnnouncement, ToolResult } from './tools/types';

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

/** The registry's tools (and their aliases, as entries of their own) as MCP `tools/list` entries. */
export function mcpTools(registry: ToolRegistry): Tool[] {
  return registry.entries().map(({ name, tool, description }) => {
    const entry: Tool = { name, description, inputSchema: registry.inputJsonSchema(tool.name) as Tool['inputSchema'] };
    if (tool.title !== undefined) entry.title = tool.title;
    const output = registry.outputJsonSchema(tool.name);
    if (output) entry.outputSchema = output as Tool['outputSchema'];
    if (tool.annotations) entry.annotations = tool.annotations;
    return entry;
  });
}

/** Creates a server with every registry tool registered. */
export function createMcpServer(registry: ToolRegistry, options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, title: 'Codex Governance', version: options.version },
    { instructions: options.instructions ?? DEFAULT_INSTRUCTIONS, capabilities: { logging: {} } },
  );
  // The tool set is fixed for the server's life: no list_changed notifications.
  server.server.registerCapabilities({ tools: { listChanged: false } });
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: mcpTools(registry) }));
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    try {
      const progressToken = request.params._meta?.progressToken;
      const announce = (a: ToolAnnouncement) => {
        // A progress notification for clients that asked for progress, and a logging message with
        // the structured data for every client (MCP 2025-06-18 "Progress" and "Logging").
        if (progressToken !== undefined) {
          void extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: 0, message: a.message } }).catch(() => undefined);
        }
        void extra.sendNotification({ method: 'notifications/message', params: { level: 'info', logger: name, data: { type: a.type, message: a.message, ...a.data } } }).catch(() => undefined);
      };
      const result = await registry.call(name, request.params.arguments ?? {}, { caller: options.identity(server), signal: extra.signal, announce });
      return { content: [{ type: 'text', text: registry.render(name, result) }], structuredContent: result };
    } catch (err) {
      const e = toToolCallError(err);
      return { isError: true, content: [{ type: 'text', text: `${e.code}: ${e.message}` }] };
    }
  });
  registerPrompts(server);
  registerResources(server, registry);
  return server;
}
