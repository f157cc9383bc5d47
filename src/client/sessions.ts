/**
 * Codex session calls the Sessions view, its commands and the Session panel make, written once over
 * {@link GovernanceClient.callTool} so the in-process and HTTP clients behave the same. Tools and
 * their arguments: src/server/tools/codex-tools.ts.
 */
import type { CodexEvent } from '../supervisor/backend';
import type { GovernanceClient, SessionSummary } from './types';

/** One session with its transcript (oldest first, bounded by the supervisor, default 200 events). */
export type SessionDetails = Omit<SessionSummary, 'events'> & { transcript: CodexEvent[] };

/** What a finished `codex` / `codex-reply` call answers. */
export interface TurnAnswer {
  threadId: string;
  content: string;
  session_id: string;
}

/** @throws GovernanceClientError (`not_found` for an unknown session or thread id) */
export async function getSession(client: GovernanceClient, sessionIdOrThreadId: string): Promise<SessionDetails> {
  return ((await client.callTool('codex-session-info', { session_id: sessionIdOrThreadId })) as { session: SessionDetails }).session;
}

/**
 * Sends the next prompt; resolves when Codex's turn ends.
 * @throws GovernanceClientError (`conflict` while a turn runs, `not_found`, `internal_error` for a failed turn)
 */
export async function replyToSession(client: GovernanceClient, sessionId: string, prompt: string): Promise<TurnAnswer> {
  return (await client.callTool('codex-reply', { session_id: sessionId, prompt })) as unknown as TurnAnswer;
}

/**
 * Ends one session and its process tree (`codex-cleanup` with `session_id`).
 * @returns whether this call ended it (false: it had ended already)
 * @throws GovernanceClientError (`not_found`)
 */
export async function cancelSession(client: GovernanceClient, sessionId: string): Promise<boolean> {
  const r = (await client.callTool('codex-cleanup', { session_id: sessionId })) as { closed: string[] };
  return r.closed.length > 0;
}

/**
 * `idle`: closes every idle session now; `all`: ends every session, running turns included.
 * @returns ids of the sessions closed
 */
export async function cleanUpSessions(client: GovernanceClient, which: 'idle' | 'all'): Promise<string[]> {
  const r = (await client.callTool('codex-cleanup', which === 'all' ? { force: true } : { idle: true })) as { closed: string[] };
  return r.closed;
}
