/**
 * Codex session calls the Sessions view, its commands and the Session panel make, written once over
 * {@link GovernanceClient.callTool} so the in-process and HTTP clients behave the same. Tools and
 * their arguments: src/server/tools/codex-tools.ts.
 */
import type { ToolOutput } from '../server/tools/catalog';
import { GovernanceClientError, type GovernanceClient, type SessionDetails } from './types';

/** What a finished `codex` / `codex-reply` call answers. */
export type TurnAnswer = ToolOutput<'codex'>;

/** @throws GovernanceClientError (`not_found` for an unknown session or thread id) */
export async function getSession(client: GovernanceClient, sessionIdOrThreadId: string): Promise<SessionDetails> {
  const r = await client.callTool('codex-session-info', { session_id: sessionIdOrThreadId });
  if (!r.session) throw new GovernanceClientError('bad_response', `codex-session-info answered no session for ${sessionIdOrThreadId}.`);
  return r.session;
}

/**
 * Sends the next prompt; resolves when Codex's turn ends (the server's tool timeout bounds it, not the client).
 * @throws GovernanceClientError (`conflict` while a turn runs, `not_found`, `internal_error` for a failed turn)
 */
export async function replyToSession(client: GovernanceClient, sessionId: string, prompt: string): Promise<TurnAnswer> {
  return client.callTool('codex-reply', { session_id: sessionId, prompt }, { timeoutMs: 'none' });
}

/**
 * Ends one session and its process tree (`codex-cleanup` with `session_id`).
 * @returns whether this call ended it (false: it had ended already)
 * @throws GovernanceClientError (`not_found`)
 */
export async function cancelSession(client: GovernanceClient, sessionId: string): Promise<boolean> {
  const r = await client.callTool('codex-cleanup', { session_id: sessionId });
  return r.closed.length > 0;
}

/**
 * `idle`: closes every idle session now; `all`: ends every session, running turns included.
 * @returns ids of the sessions closed
 */
export async function cleanUpSessions(client: GovernanceClient, which: 'idle' | 'all'): Promise<string[]> {
  const r = await client.callTool('codex-cleanup', which === 'all' ? { force: true } : { idle: true });
  return r.closed;
}

/**
 * Stops only the running turn of a session (`codex-cleanup` with `stop_turn`): its output so far
 * stays, and the session stays open when Codex confirms the stop.
 * @returns whether a turn was running
 * @throws GovernanceClientError (`not_found`)
 */
export async function stopTurn(client: GovernanceClient, sessionId: string): Promise<boolean> {
  const r = await client.callTool('codex-cleanup', { session_id: sessionId, stop_turn: true });
  return 'stopped' in r && r.stopped === true;
}
