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
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type { CodexSupervisor } from '../supervisor/supervisor';
import type { ToolRegistry } from './tools/registry';

const supervisors = new WeakMap<ToolRegistry, CodexSupervisor>();

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
  const supervisor = supervisors.get(registry);
  if (!supervisor) return;
  const add = (name: string, uri: string, title: string, description: string, doc: 'sessions' | 'config' | 'logs' | 'stats') =>
    server.registerResource(name, uri, { title, description, mimeType: 'application/json' }, async (u) => json(u, await codexResourceDocument(supervisor, doc)));
  add('codex-sessions-active', 'codex://sessions/active', 'Active Codex sessions', 'Codex sessions that are starting, running or idle.', 'sessions');
  add('codex-config-current', 'codex://config/current', 'Codex supervisor configuration', 'Codex binary, version, backend and the supervisor limits.', 'config');
  add('codex-logs-recent', 'codex://logs/recent', 'Recent Codex events', 'The latest 100 events of all Codex sessions.', 'logs');
  add('codex-stats-performance', 'codex://stats/performance', 'Codex performance', 'Turn outcomes, latency, tokens and child start-up times.', 'stats');
}
