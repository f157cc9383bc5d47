/**
 * Messages between the Session panel's page and its host (src/vscode/sessions/): types and
 * constants only, so the page bundle carries no validation code. The host validates every page
 * message with the schemas of ./schema (zod/mini, host only); the page trusts the host.
 */

export const SESSION_VIEW_TYPE = 'codexGovernance.session';

/** Longest prompt the reply box sends (characters). */
export const MAX_PROMPT_CHARS = 100_000;

/** One transcript entry as the supervisor records it (src/supervisor/backend.ts CodexEvent). */
export interface TranscriptEvent {
  /** ISO-8601 time the supervisor saw it. */
  at: string;
  /** `user_message`, mcp-server event types (`agent_message`, `exec_command_begin`...), app-server methods (`item/completed:agentMessage`...), `approval`. */
  type: string;
  /** One line, at most 500 characters. */
  summary: string;
}

/** What the header shows; a subset of the session record (src/supervisor/session.ts). */
export interface SessionHeader {
  sessionId: string;
  threadId: string | null;
  /** starting | running | idle | lost | closed */
  status: string;
  title: string;
  sandbox: string | null;
  approvalPolicy: string | null;
  cwd: string;
  model: string | null;
  backend: string;
  codexVersion: string;
  turns: number;
  tokens: { input: number; cachedInput: number; output: number; total: number };
  lastActivityAt: string;
  lastError: string | null;
}

export type SessionPageMessage =
  /** The page is listening; `sessionId` is the one it restored after a reload, if any. */
  | { type: 'ready'; sessionId?: string }
  /** Send the reply box's text as the next prompt (`codex-reply`); the host trims it. */
  | { type: 'reply'; prompt: string }
  /** End the session and its processes. */
  | { type: 'cancel' }
  /** The page drew this many transcript events of the session in this status. */
  | { type: 'rendered'; sessionId: string; events: number; status: string };

export type SessionHostMessage =
  /** Everything shown: replaces the header and the transcript. */
  | { type: 'snapshot'; header: SessionHeader; events: TranscriptEvent[] }
  /** New events after those shown, and the header as it is now (events may be empty). */
  | { type: 'append'; header: SessionHeader; events: TranscriptEvent[] }
  /** A reply or cancel is in flight (`busy` true) or finished; `error` says why it failed. */
  | { type: 'action'; action: 'reply' | 'cancel'; busy: boolean; error?: string; answer?: string }
  | { type: 'error'; message: string };

/** Kept by `setState`, handed back to the serializer after a reload. */
export interface SessionPageState {
  sessionId: string;
  /** Unsent text of the reply box. */
  draft?: string;
}
