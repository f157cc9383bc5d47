/**
 * MCP resources of the Codex supervisor, each a JSON document:
 * - `codex://sessions/active`: active sessions (starting, running, idle) without transcripts;
 * - `codex://config/current`: the supervisor's limits and the Codex binary in use (or why none was found);
 * - `codex://logs/recent`: the latest 100 transcript events across sessions;
 * - `codex://stats/performance`: turn outcomes, latency, tokens, child start-up times.
 *
 * The supervisor is attached to the tool registry the app builds, because every MCP session's
 * server is created from the registry alone (see ./mcp); ./resources-register puts them on a server.
 * This file imports nothing of the MCP SDK at run time: the app attaches at start, and the SDK
 * loads with the first MCP session (see ./mcp).
 */
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

/** Rows per page of the `audit_log` resource. */
export const AUDIT_PAGE = 100;

/**
 * A page of the audit log as the `audit_log` resource shows it: `audit://log` is the first page,
 * `audit://log/page/{cursor}` the page at a `next_cursor`; `next_uri` names the following page.
 */
export async function auditDocument(audit: AuditLog, cursor: string | undefined): Promise<unknown> {
  const page = await readAudit(audit, { limit: AUDIT_PAGE, ...(cursor ? { cursor } : {}) });
  return { ...page, next_uri: `audit://log/page/${page.next_cursor}` };
}

/** Makes `supervisor`'s resources available on every MCP server built from `registry`. */
export function attachCodexResources(registry: ToolRegistry, supervisor: CodexSupervisor): void {
  supervisors.set(registry, supervisor);
}

/** What was attached to `registry` (undefined: that resource is not offered). */
export function attachedTo(registry: ToolRegistry): { audit: AuditLog | undefined; supervisor: CodexSupervisor | undefined } {
  return { audit: audits.get(registry), supervisor: supervisors.get(registry) };
}

/** A resource's contents: `value` as indented JSON. */
export function json(uri: URL, value: unknown): ReadResourceResult {
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
