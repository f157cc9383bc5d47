/**
 * A Codex session seen through its hooks (src/hooks, tool `get_observed_session`) in the Session
 * panel's shape, for its read-only mode: this server does not own that Codex process, so there is
 * no reply, stop or end; the transcript is what the hooks saw (tool calls with governance's
 * decision, approvals, prompts when Codex sent them, turns) and the header the source and folder.
 * Plain TypeScript (no `vscode`), unit tested.
 */
import type { GovernanceClient, SessionDetails } from '../../client/types';
import type { ToolOutput } from '../../server/tools/catalog';
import type { CodexEvent } from '../../supervisor/backend';
import { SOURCE_LABELS } from '../../hooks/source';

/** Panel keys of observed sessions: `observed:<Codex session id>` (ours are plain session ids). */
export const OBSERVED_KEY_PREFIX = 'observed:';

export type ObservedSessionOutput = ToolOutput<'get_observed_session'>;

/** The Codex session id of an observed panel key; undefined for a session of ours. */
export function observedSessionIdOf(key: string): string | undefined {
  return key.startsWith(OBSERVED_KEY_PREFIX) && key.length > OBSERVED_KEY_PREFIX.length ? key.slice(OBSERVED_KEY_PREFIX.length) : undefined;
}

/** Reads the session and its newest events (up to the tool's page of 500) through `get_observed_session`. */
export async function getObservedSession(client: GovernanceClient, sessionId: string): Promise<ObservedSessionOutput> {
  return client.callTool('get_observed_session', { session_id: sessionId, after_seq: 0, limit: 500 });
}

const what = (e: ObservedSessionOutput['events'][number]) => [e.tool_name, e.summary?.replace(/^[^:]*:\s*/, '')].filter(Boolean).join(': ');

/** The Session page's event types (its labels: "Running a command", "Ran a command", ...) for a tool's start and end. */
function toolTypes(toolName: string | null): [string, string] {
  if (toolName === 'apply_patch') return ['patch_apply_begin', 'patch_apply_end'];
  if (toolName?.startsWith('mcp__')) return ['mcp_tool_call_begin', 'mcp_tool_call_end'];
  return ['exec_command_begin', 'exec_command_end'];
}

/**
 * One hook event as a transcript entry, in the Session page's own event types so it reads like
 * our sessions: the prompt as a prompt, a tool call as "Running a command" (a blocked one as a
 * warning with governance's reason), the approval with its decision, Stop's last message as Codex's answer.
 */
export function observedEvent(e: ObservedSessionOutput['events'][number]): CodexEvent {
  const at = e.at;
  const reason = e.reason ? ` (${e.reason})` : '';
  const [begin, end] = toolTypes(e.tool_name);
  switch (e.event) {
    case 'SessionStart':
      return { at, type: 'session_configured', summary: e.summary ?? 'Session started' };
    case 'UserPromptSubmit':
      return { at, type: 'user_message', summary: e.summary ?? '(prompt)', by: 'Codex user', ...(e.summary ? { text: e.summary } : {}) };
    case 'PreToolUse':
      return e.decision === 'deny' ? { at, type: 'warning', summary: `Blocked by governance: ${what(e)}${reason}` } : { at, type: begin, summary: what(e) };
    case 'PostToolUse':
      return { at, type: end, summary: what(e) };
    case 'PermissionRequest':
      if (e.decision === null) return { at, type: 'exec_approval_request', summary: what(e) };
      return {
        at,
        type: 'approval',
        summary: `${e.decision === 'deny' ? 'Denied' : 'Allowed'}: ${what(e)}${reason}`,
        approval: { source: e.tool_name === 'apply_patch' ? 'codex-patch' : 'codex-exec', decision: e.decision === 'allow' ? 'allow_once' : 'deny', ...(e.summary ? { command: what(e) } : {}), ...(e.reason ? { reason: e.reason } : {}) },
      };
    case 'Stop':
      return { at, type: 'agent_message', summary: e.summary ?? 'Turn ended', text: e.summary ?? 'Turn ended' };
    default:
      return { at, type: `hook/${e.event}`, summary: e.summary ?? e.event };
  }
}

/**
 * The observed session as the Session panel's `SessionDetails` (status `idle`, since we cannot tell
 * whether that process still runs; the panel shows it read-only). No token counts: hooks do not see them.
 */
export function observedAsSession(out: ObservedSessionOutput): SessionDetails {
  const s = out.session;
  const firstPrompt = out.events.find((e) => e.event === 'UserPromptSubmit')?.summary ?? null;
  const source = SOURCE_LABELS[s.source] ?? String(s.source);
  return {
    session_id: `${OBSERVED_KEY_PREFIX}${s.session_id}`,
    threadId: s.session_id,
    backend: 'app-server',
    codexVersion: s.codex_version ?? 'unknown',
    pid: null,
    cwd: s.cwd ?? '(unknown)',
    sandbox: null,
    approvalPolicy: null,
    model: s.model,
    mode: null,
    agentId: s.agent_id,
    status: 'idle',
    createdAt: s.first_seen_at,
    lastActivityAt: s.last_event_at,
    endedAt: null,
    turns: s.turns,
    tokens: { input: 0, cachedInput: 0, output: 0, reasoningOutput: 0, total: 0 },
    lastError: null,
    prompt: firstPrompt ?? `${source} session in ${s.cwd ?? '?'} (seen through hooks)`,
    transcript: out.events.map(observedEvent),
  };
}
