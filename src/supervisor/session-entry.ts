/**
 * What the supervisor holds per session besides the stored record: the live child, the thread's
 * settings and the state of the running turn.
 */
import { fullText, type CodexChild, type CodexEvent, type ThreadSettings, type TokenUsage } from './backend';
import type { CodexSessionRecord } from './session';

export interface SessionEntry {
  record: CodexSessionRecord;
  child: CodexChild | undefined;
  settings: ThreadSettings;
  /** The gate's reasons a person (or the policy) already said yes to; a resume asks only for new ones. */
  approvedReasons?: readonly string[];
  /** Set while we end the child on purpose (so its exit is not `lost`). */
  closing: boolean;
  /** Tokens of the running (or last) turn. */
  turnUsage: TokenUsage;
  /** Aborts the running turn (cleanup, shutdown). */
  turnAbort: AbortController | undefined;
}

/**
 * A copy of a record safe to hand out or store: every field copied, the transcript array copied but
 * its events shared (they are never changed once added), so no event is cloned again on each change.
 */
export function recordSnapshot(r: CodexSessionRecord): CodexSessionRecord {
  return { ...r, tokens: { ...r.tokens }, transcript: r.transcript.slice(), ...(r.live ? { live: r.live.slice() } : {}) };
}

/** The transcript entry of a prompt sent to Codex (type `user_message`, like Codex's own event name): a 500-character summary, the whole text, and who sent it (an agent id). */
export function userEvent(prompt: string, by?: string): CodexEvent {
  return { at: new Date().toISOString(), type: 'user_message', summary: prompt.length > 500 ? `${prompt.slice(0, 499)}…` : prompt, text: fullText(prompt), ...(by ? { by } : {}) };
}
