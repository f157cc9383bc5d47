/**
 * The Sessions view: one row per Codex session the governance server's supervisor knows, newest
 * activity first (the order `codex-session-info` lists them), with its details as children; then
 * the Codex sessions seen through hooks (Codex CLI, the Codex IDE extension, other app-server
 * clients: `list_observed_sessions`, src/hooks), read-only, with the client that started them.
 * Data from `codex-session-info` (src/server/tools/codex-tools.ts); no `vscode`, so unit tested in mocha.
 */
import type { GovernanceClient, SessionSummary } from '../../client/types';
import type { ToolOutput } from '../../server/tools/catalog';
import { SOURCE_LABELS } from '../../hooks/source';
import { OBSERVED_KEY_PREFIX } from './observed-model';
import type { CodexSessionStatus } from '../../supervisor/session';
import { ago, errorNode, escapeMarkdown, oneLine, type ViewContent, type ViewNode } from '../views/node';

/** `viewItem` values the package.json menus test (inline Reply only on idle, Cancel on running or idle). */
export const SESSION_CONTEXT = {
  running: 'codexGovernance.session.running',
  idle: 'codexGovernance.session.idle',
  ended: 'codexGovernance.session.ended',
} as const;

export const OPEN_SESSION_COMMAND = 'codexGovernance.sessions.open';

/** Characters of the prompt shown as a row's label. */
const LABEL_CHARS = 40;

/** Rows of the Sessions view. `now` (ms) dates the relative times. */
export async function loadSessions(client: GovernanceClient | undefined, now: number = Date.now()): Promise<ViewContent> {
  // No server: the view's welcome content explains how to start one.
  if (!client) return { nodes: [] };
  let sessions: SessionSummary[];
  try {
    sessions = await client.listSessions();
  } catch (err) {
    return { nodes: [errorNode('sessions', err)] };
  }
  const running = sessions.filter((s) => s.status === 'running' || s.status === 'starting').length;
  const idle = sessions.filter((s) => s.status === 'idle').length;
  // Sessions we started show above with their full details; a server without the hooks tool (older) shows none.
  const observed = await client.callTool('list_observed_sessions', { limit: 100 }).then(
    (r) => r.sessions.filter((o) => o.source !== 'ours'),
    () => [],
  );
  const parts = [running ? `${running} running` : '', idle ? `${idle} idle` : '', observed.length ? `${observed.length} observed` : ''].filter(Boolean);
  return { nodes: [...sessions.map((s) => sessionNode(s, now)), ...observed.map((o) => observedNode(o, now))], description: parts.length ? parts.join(', ') : undefined };
}

export type ObservedSessionRow = ToolOutput<'list_observed_sessions'>['sessions'][number];

/** A Codex session seen through its hooks: who started it, where, what governance saw (read-only: we do not own its process). */
export function observedNode(o: ObservedSessionRow, now: number): ViewNode {
  const source = SOURCE_LABELS[o.source];
  const folder = o.cwd ? (o.cwd.split(/[\\/]/).filter(Boolean).at(-1) ?? o.cwd) : o.session_id;
  const details: Array<[string, string, string]> = [
    ['source', 'Started by', `${source}${o.originator ? ` (${o.originator})` : ''}`],
    ['agent', 'Governance agent', o.agent_id],
    ['cwd', 'Working directory', o.cwd ?? '(unknown)'],
    ['model', 'Model', o.model ?? '(unknown)'],
    ['tools', 'Tool calls', `${o.tool_calls}${o.tool_calls_denied ? `, ${o.tool_calls_denied} blocked` : ''}`],
    ['approvals', 'Approvals', `${o.approvals}${o.approvals_denied ? `, ${o.approvals_denied} denied` : ''}`],
    ['last', 'Last event', `${o.last_event} ${ago(o.last_event_at, now)}`],
    ['codex', 'Codex', o.codex_version ?? '(unknown)'],
  ];
  return {
    id: `observed:${o.session_id}`,
    label: `${source} · ${folder}`,
    description: `observed · ${o.tool_calls} tool call${o.tool_calls === 1 ? '' : 's'} · ${ago(o.last_event_at, now)}`,
    tooltip: [
      `**${escapeMarkdown(source)}** session seen through Codex hooks (read-only: not started here)`,
      `Session ${escapeMarkdown(o.session_id)} · agent ${escapeMarkdown(o.agent_id)}`,
      `Working directory ${escapeMarkdown(o.cwd ?? '(unknown)')}`,
      `${o.tool_calls} tool calls (${o.tool_calls_denied} blocked) · ${o.approvals} approvals (${o.approvals_denied} denied) · ${o.turns} turns`,
    ].join('\n\n'),
    icon: { id: 'eye' },
    contextValue: 'codexGovernance.session.observed',
    // Opens the Session panel read-only on what the hooks saw.
    command: { command: OPEN_SESSION_COMMAND, title: 'Open Session', arguments: [`${OBSERVED_KEY_PREFIX}${o.session_id}`] },
    children: details.map(([key, label, value]) => ({ id: `observed:${o.session_id}:${key}`, label: `${label}:`, description: oneLine(value, 120), tooltip: `**${label}:** ${escapeMarkdown(value)}` })),
  };
}

export function sessionContext(status: CodexSessionStatus): string {
  if (status === 'starting' || status === 'running') return SESSION_CONTEXT.running;
  return status === 'idle' ? SESSION_CONTEXT.idle : SESSION_CONTEXT.ended;
}

/** A codicon and theme colour per status; an idle session whose last turn failed shows a warning. */
export function sessionIcon(s: Pick<SessionSummary, 'status' | 'lastError'>): { id: string; color?: string } {
  switch (s.status) {
    case 'starting':
      return { id: 'loading~spin' };
    case 'running':
      return { id: 'sync~spin', color: 'charts.blue' };
    case 'idle':
      return s.lastError ? { id: 'warning', color: 'list.warningForeground' } : { id: 'pass', color: 'testing.iconPassed' };
    case 'lost':
      return { id: 'error', color: 'errorForeground' };
    case 'closed':
      return { id: 'circle-slash', color: 'disabledForeground' };
  }
}

/** "1.2k tok" style total; exact below 1000. */
export function tokenText(total: number): string {
  if (total < 1000) return `${total} tok`;
  if (total < 1_000_000) return `${(total / 1000).toFixed(total < 10_000 ? 1 : 0)}k tok`;
  return `${(total / 1_000_000).toFixed(1)}M tok`;
}

/** The row's title: the first prompt, else the thread id, else our session id. */
export function sessionTitle(s: Pick<SessionSummary, 'prompt' | 'threadId' | 'session_id'>, max = LABEL_CHARS): string {
  if (s.prompt) return oneLine(s.prompt, max);
  return s.threadId ? `thread ${s.threadId}` : `session ${s.session_id}`;
}

export function sessionNode(s: SessionSummary, now: number): ViewNode {
  const id = s.session_id;
  const target = { kind: 'session' as const, sessionId: id, threadId: s.threadId, status: s.status };
  const details: Array<[string, string, string]> = [
    ['thread', 'Thread', s.threadId ?? '(not yet known)'],
    ['sandbox', 'Sandbox', s.sandbox ?? 'Codex default'],
    ['approval', 'Approval policy', s.approvalPolicy ?? 'Codex default'],
    ['cwd', 'Working directory', s.cwd],
    ['tokens', 'Tokens', `${s.tokens.total} (input ${s.tokens.input}, cached ${s.tokens.cachedInput}, output ${s.tokens.output})`],
    ['turns', 'Turns', `${s.turns}, ${s.events} events`],
    ['codex', 'Codex', `${s.codexVersion} (${s.backend})${s.pid ? `, pid ${s.pid}` : ''}`],
  ];
  if (s.lastError) details.push(['error', 'Last error', s.lastError]);
  const children: ViewNode[] = details.map(([key, label, value]) => ({
    id: `session:${id}:${key}`,
    label: `${label}:`,
    description: oneLine(value, 120),
    tooltip: `**${label}:** ${escapeMarkdown(value)}`,
    ...(key === 'error' ? { icon: { id: 'error', color: 'errorForeground' } } : {}),
  }));
  const tooltip = [
    `**${escapeMarkdown(s.prompt ? oneLine(s.prompt, 400) : sessionTitle(s))}**`,
    `Status **${s.status}** · last activity ${ago(s.lastActivityAt, now)} · started ${escapeMarkdown(s.createdAt)}`,
    `Thread ${escapeMarkdown(s.threadId ?? '(not yet known)')} · session ${escapeMarkdown(id)}`,
    `Sandbox ${escapeMarkdown(s.sandbox ?? 'Codex default')} · approval policy ${escapeMarkdown(s.approvalPolicy ?? 'Codex default')}`,
    `Working directory ${escapeMarkdown(s.cwd)}`,
    `${s.turns} turn${s.turns === 1 ? '' : 's'} · ${s.tokens.total} tokens (input ${s.tokens.input}, output ${s.tokens.output}) · Codex ${escapeMarkdown(s.codexVersion)} (${s.backend})`,
    ...(s.lastError ? [`Last error: ${escapeMarkdown(s.lastError)}`] : []),
  ];
  return {
    id: `session:${id}`,
    label: sessionTitle(s),
    // Short enough for a narrow sidebar, the time last (the first part cut); the rest is in the tooltip and the children.
    description: `${s.status} · ${tokenText(s.tokens.total)} · ${ago(s.lastActivityAt, now)}`,
    tooltip: tooltip.join('\n\n'),
    icon: sessionIcon(s),
    contextValue: sessionContext(s.status),
    command: { command: OPEN_SESSION_COMMAND, title: 'Open Session', arguments: [target] },
    children,
    target,
  };
}
