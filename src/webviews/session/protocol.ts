/**
 * Messages between the Session panel's page and its host (src/vscode/sessions/). The host
 * validates every page message with {@link parseSessionPageMessage}; the page trusts the host.
 */
import * as z from 'zod/mini';
import { parseMessage } from '../shared/parse';

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

export const sessionPageMessageSchema = z.discriminatedUnion('type', [
  /** The page is listening; `sessionId` is the one it restored after a reload, if any. */
  z.strictObject({ type: z.literal('ready'), sessionId: z.optional(z.string().check(z.minLength(1), z.maxLength(200))) }),
  /** Send the reply box's text as the next prompt (`codex-reply`). */
  z.strictObject({ type: z.literal('reply'), prompt: z.string().check(z.trim(), z.minLength(1, 'type a prompt first'), z.maxLength(MAX_PROMPT_CHARS)) }),
  /** End the session and its processes. */
  z.strictObject({ type: z.literal('cancel') }),
  /** The page drew this many transcript events of the session in this status. */
  z.strictObject({ type: z.literal('rendered'), sessionId: z.string(), events: z.number().check(z.int(), z.gte(0)), status: z.string() }),
]);

export type SessionPageMessage = z.output<typeof sessionPageMessageSchema>;

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

/**
 * Validates a message from the page.
 * @throws Error naming the offending field, e.g. `prompt: type a prompt first`
 */
export function parseSessionPageMessage(raw: unknown): SessionPageMessage {
  return parseMessage(sessionPageMessageSchema, raw, 'Session');
}
