/**
 * MCP resources of the Codex supervisor, each a JSON document:
 * - `codex://sessions/active`: active sessions (starting, running, idle) without transcripts;
 * - `codex://config/current`: the supervisor's limits and the Codex binary in use (or why none was found);
 * - `codex://logs/recent`: the latest 100 transcript events across sessions;
 * - `codex://stats/performance`: turn outcomes, latency, tokens, child start-up times.
 *
 * The supervisor is attached to the tool registry the app builds, because every MCP session's
 * server is created from the registry alone (see ./mcp).
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { readAudit } from '../approvals/audit-query';
import type { AuditLog } from '../store/audit';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { CodexSupervisor } from '../supervisor/supervisor';
import type { ToolRegistry } from './tools/registry';

const supervisors = new WeakMap<ToolRegistry, CodexSupervisor>();
const audits = new WeakMap<ToolRegistry, AuditLog>();

/** Makes the `audit_log` resource (approval requests and answers) available on every MCP server built from `registry`. */
export function attachAuditResource(registry: ToolRegistry, audit: AuditLog): void {
  audits.set(registry, audit);
}

const AUDIT_PAGE = 100;

/**
 * A page of the audit log as the `audit_log` resource shows it: `audit://log` is the first page,
 * `audit://log/page/{cursor}` the page at a `next_cursor`; `next_uri` names the following page.
 */
async function auditDocument(audit: AuditLog, cursor: string | undefined): Promise<unknown> {
  const page = await readAudit(audit, { limit: AUDIT_PAGE, ...(cursor ? { cursor } : {}) });
  return { ...page, next_uri: `audit://log/page/${page.next_cursor}` };
}

/** Makes `supervisor`'s resources available on every MCP server built from `registry`. */
export function attachCodexResources(registry: ToolRegistry, supervisor: CodexSupervisor): void {
  supervisors.set(registry, supervisor);
}

function json(uri: URL, value: unknown): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] };
}

/** The documents, exported for in-process callers (views, CLI). */
export async function codexResourceDocument(supervisor: CodexSupervisor, name: 'sessions' | 'config' | 'logs' | 'stats'): Promise<unknown> {
  switch (name) {
    case 'sessions': {
      const sessions = supervisor.list({ activeOnly: true }).map(({ transcript, id, ...rest }) => ({ session_id: id, ...rest, events: transcript.length }));
      return { sessions, count: sessions.length };
    }
    case 'config': {
      let codex: unknown;
      try {
        codex = await supervisor.locate();
      } catch (err) {
        codex = { error: err instanceof Error ? err.message : String(err) };
      }
      return { codex, ...supervisor.settings() };
    }
    case 'logs':
      return { events: supervisor.recentEvents(100) };
    case 'stats':
      return supervisor.stats();
  }
}

/** Registers the four resources on `server` if `registry` has a supervisor attached. */
export function registerResources(server: McpServer, registry: ToolRegistry): void {
  const audit = audits.get(registry);
  if (audit) {
    const meta = { title: 'Audit log', description: `Approval requests and answers, oldest first, ${AUDIT_PAGE} per page; next_uri reads the next page.`, mimeType: 'application/json' };
    server.registerResource('audit_log', 'audit://log', meta, async (u) => json(u, await auditDocument(audit, undefined)));
    server.registerResource('audit_log_page', new ResourceTemplate('audit://log/page/{cursor}', { list: undefined }), meta, async (u, vars) =>
      json(u, await auditDocument(audit, String(vars.cursor))),
    );
  }
  const supervisor = supervisors.get(registry);
  if (!supervisor) return;
  const add = (name: string, uri: string, title: string, description: string, doc: 'sessions' | 'config' | 'logs' | 'stats') =>
    server.registerResource(name, uri, { title, description, mimeType: 'application/json' }, async (u) => json(u, await codexResourceDocument(supervisor, doc)));
  add('codex-sessions-active', 'codex://sessions/active', 'Active Codex sessions', 'Codex sessions that are starting, running or idle.', 'sessions');
  add('codex-config-current', 'codex://config/current', 'Codex supervisor configuration', 'Codex binary, version, backend and the supervisor limits.', 'config');
  add('codex-logs-recent', 'codex://logs/recent', 'Recent Codex events', 'The latest 100 events of all Codex sessions.', 'logs');
  add('codex-stats-performance', 'codex://stats/performance', 'Codex performance', 'Turn outcomes, latency, tokens and child start-up times.', 'stats');
}
