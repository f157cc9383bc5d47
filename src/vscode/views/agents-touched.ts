/**
 * Agents that touched the server without reporting an update (so `list_agents` has no row for
 * them): agents that called tools (`list_agents` `touched_agents`, since the server started),
 * started Codex sessions (`codex-session-info`), or asked for approvals (the audit log's
 * `approval.requested` lines). The Agents view lists them after the reporting agents, so an agent
 * that starts sessions and asks for approvals is never missing. This extension's own reads
 * ({@link VSCODE_USER_AGENT}) are not an agent.
 */
import { VSCODE_USER_AGENT, type GovernanceClient } from '../../client/types';
import type { ToolOutput } from '../../server/tools/catalog';
import { ago, escapeMarkdown, type ViewNode } from './node';

/** Approval requests read from the end of the audit log (newest first). */
export const AUDIT_SCAN = 500;

export interface TouchedRow {
  agentId: string;
  /** ISO-8601: the latest of the sightings below. */
  lastSeenAt: string;
  toolCalls: number;
  sessions: number;
  approvals: number;
  clientName?: string;
}

type Touched = NonNullable<ToolOutput<'list_agents'>['touched_agents']>;

/**
 * Gathers the sightings, leaving out `known` agents (those `list_agents` returned). Each source that
 * fails (an older server without `include_touched`, an unreadable audit log) is left out, never thrown.
 */
export async function loadTouched(client: GovernanceClient, known: ReadonlySet<string>, touched: Touched = []): Promise<TouchedRow[]> {
  const rows = new Map<string, TouchedRow>();
  const see = (agentId: string | null | undefined, at: string, kind: 'toolCalls' | 'sessions' | 'approvals', n = 1, clientName?: string) => {
    if (!agentId || known.has(agentId) || agentId === VSCODE_USER_AGENT) return;
    const row = rows.get(agentId) ?? { agentId, lastSeenAt: at, toolCalls: 0, sessions: 0, approvals: 0 };
    row[kind] += n;
    if (at > row.lastSeenAt) row.lastSeenAt = at;
    if (clientName && !row.clientName) row.clientName = clientName;
    rows.set(agentId, row);
  };
  for (const t of touched) see(t.agent_id, t.last_seen_at, 'toolCalls', t.tool_calls, t.client_name);
  const [sessions, audit] = await Promise.all([client.listSessions().catch(() => []), client.readAudit({ type: 'approval.requested', order: 'desc', limit: AUDIT_SCAN }).catch(() => undefined)]);
  for (const s of sessions) see(s.agentId, s.lastActivityAt, 'sessions');
  for (const e of audit?.entries ?? []) see(typeof e.agent === 'string' ? e.agent : undefined, e.ts, 'approvals');
  return [...rows.values()].sort((a, b) => (a.lastSeenAt < b.lastSeenAt ? 1 : a.lastSeenAt > b.lastSeenAt ? -1 : a.agentId.localeCompare(b.agentId)));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The row of `r`; `ids` are the Agents view's context value and click command (./agents-model). */
export function touchedNode(r: TouchedRow, now: number, ids: { context: string; observe: string }): ViewNode {
  const what = [
    ...(r.sessions ? [plural(r.sessions, 'session')] : []),
    ...(r.approvals ? [plural(r.approvals, 'approval')] : []),
    ...(r.toolCalls ? [plural(r.toolCalls, 'tool call')] : []),
  ];
  return {
    id: `agent:${r.agentId}`,
    label: r.agentId,
    description: ['no report', ...what, ago(r.lastSeenAt, now)].join(' · '),
    tooltip: [
      `**${escapeMarkdown(r.agentId)}**${r.clientName ? ` (${escapeMarkdown(r.clientName)})` : ''}`,
      `Seen through ${what.join(', ') || 'its calls'}; it has not reported an update (process_agent_update), so it has no decision yet.`,
      `last seen ${ago(r.lastSeenAt, now)} (${escapeMarkdown(r.lastSeenAt)})`,
    ].join('\n\n'),
    icon: { id: 'circle-outline' },
    contextValue: ids.context,
    command: { command: ids.observe, title: 'Observe Agent', arguments: [{ kind: 'agent', agentId: r.agentId }] },
    target: { kind: 'agent', agentId: r.agentId },
  };
}
