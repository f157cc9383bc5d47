/**
 * Puts the resources attached to a tool registry (./resources) on one MCP session's server. Loaded
 * with ./mcp, i.e. with the first MCP session, not at server start (the SDK's server module).
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { attachedTo, AUDIT_PAGE, auditDocument, codexResourceDocument, json } from './resources';
import type { ToolRegistry } from './tools/registry';

/** Registers the four resources on `server` if `registry` has a supervisor attached. */
export function registerResources(server: McpServer, registry: ToolRegistry): void {
  const { audit, supervisor } = attachedTo(registry);
  if (audit) {
    const meta = { title: 'Audit log', description: `Approval requests and answers, oldest first, ${AUDIT_PAGE} per page; next_uri reads the next page.`, mimeType: 'application/json' };
    server.registerResource('audit_log', 'audit://log', meta, async (u) => json(u, await auditDocument(audit, undefined)));
    server.registerResource('audit_log_page', new ResourceTemplate('audit://log/page/{cursor}', { list: undefined }), meta, async (u, vars) =>
      json(u, await auditDocument(audit, String(vars.cursor))),
    );
  }
  if (!supervisor) return;
  const add = (name: string, uri: string, title: string, description: string, doc: 'sessions' | 'config' | 'logs' | 'stats') =>
    server.registerResource(name, uri, { title, description, mimeType: 'application/json' }, async (u) => json(u, await codexResourceDocument(supervisor, doc)));
  add('codex-sessions-active', 'codex://sessions/active', 'Active Codex sessions', 'Codex sessions that are starting, running or idle.', 'sessions');
  add('codex-config-current', 'codex://config/current', 'Codex supervisor configuration', 'Codex binary, version, backend and the supervisor limits.', 'config');
  add('codex-logs-recent', 'codex://logs/recent', 'Recent Codex events', 'The latest 100 events of all Codex sessions.', 'logs');
  add('codex-stats-performance', 'codex://stats/performance', 'Codex performance', 'Turn outcomes, latency, tokens and child start-up times.', 'stats');
}
