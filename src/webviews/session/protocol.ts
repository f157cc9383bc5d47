/**
 * Messages between the Session panel's page and its host (src/vscode/sessions/): types and
 * constants only, so the page bundle carries no validation code. The host validates every page
 * message with the schemas of ./schema (zod/mini, host only); the page trusts the host.
 */

import type { CodexEvent, CommandRun as SupervisorCommandRun, StreamDelta, StreamingItem } from '../../supervisor/transcript';

export const SESSION_VIEW_TYPE = 'codexGovernance.session';

/** Longest prompt the reply box sends (characters). */
export const MAX_PROMPT_CHARS = 100_000;

/** A command Codex ran, as the transcript keeps it. */
export type CommandRun = SupervisorCommandRun;

/** One transcript entry as the supervisor records it. */
export type TranscriptEvent = CodexEvent;

/** Text Codex is still producing: an answer (`agent`), a reasoning summary, a command's output. */
export type LiveItem = StreamingItem;

/** One streamed piece of a {@link LiveItem}; `at` is the epoch ms the supervisor got it (for the delta-to-screen time). */
export type LiveDelta = StreamDelta & { at: number };

/** An approval Codex is waiting for in this session, answered from the panel. */
export interface PendingCard {
  id: string;
  /** codex-exec, codex-patch, ... */
  source: string;
  risk: string;
  command?: string;
  cwd?: string;
  reason?: string;
  /** When it becomes a denial, ms since epoch. */
  deadline: number;
}

/** What the header shows; a subset of the session record (src/supervisor/session.ts) and what the panel can do with it. */
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
  /** The agent that started the session. */
  agentId: string | null;
  /** The reply box sends: idle, or ended but resumable (an app-server thread is reopened in a new process). */
  canReply: boolean;
  /** An ended session whose thread the next reply resumes. */
  resumable: boolean;
  /** Shown read-only (a session observed elsewhere): no reply, stop or end. */
  readOnly: boolean;
}

export type SessionPageMessage =
  /** The page is listening; `sessionId` is the one it restored after a reload, if any. */
  | { type: 'ready'; sessionId?: string }
  /** Send the reply box's text as the next prompt (`codex-reply`); the host trims it. */
  | { type: 'reply'; prompt: string }
  /** End the session and its processes (the page asked the person first). */
  | { type: 'cancel' }
  /** Stop the running turn only; the session stays. */
  | { type: 'stop' }
  /** Answer a pending approval of this session. */
  | { type: 'approve'; id: string; decision: 'allow_once' | 'allow_session' | 'deny' }
  /** Copy text (a code block, a command's output) to the clipboard. */
  | { type: 'copy'; text: string }
  /** Copy the whole transcript as Markdown, or save it to a file. */
  | { type: 'export'; to: 'clipboard' | 'file' }
  /** Open a file change of the transcript event `index` (position in the session's transcript) as a diff in the editor. */
  | { type: 'open-diff'; index: number; path: string }
  /**
   * The page drew this many transcript events of the session in this status; `stream` gives the
   * delta-to-screen times (ms) of the streamed text drawn so far, `heapBytes` the page's JS heap
   * (Chromium's performance.memory, 0 where absent), `nodes` the transcript's DOM elements.
   */
  | { type: 'rendered'; sessionId: string; events: number; status: string; stream?: { deltas: number; p50Ms: number; p95Ms: number; maxMs: number; pageP50Ms: number }; heapBytes?: number; nodes?: number };

export type SessionHostMessage =
  /** Everything shown: replaces the header, the transcript, the streaming text and the pending approvals. */
  | { type: 'snapshot'; header: SessionHeader; events: TranscriptEvent[]; live: LiveItem[]; pending: PendingCard[] }
  /** New events after those shown, and the header as it is now (events may be empty); `live` replaces the streaming text when given. */
  | { type: 'append'; header: SessionHeader; events: TranscriptEvent[]; live?: LiveItem[] }
  /** Streamed text since the last message, in order. */
  | { type: 'stream'; deltas: LiveDelta[] }
  /** The session's pending approvals now. */
  | { type: 'pending'; pending: PendingCard[] }
  /** A reply, stop, cancel or approval answer is in flight (`busy` true) or finished; `error` says why it failed, `note` what happened. */
  | { type: 'action'; action: 'reply' | 'cancel' | 'stop' | 'approve' | 'export' | 'copy'; busy: boolean; error?: string; answer?: string; note?: string }
  | { type: 'error'; message: string };

/** Kept by `setState`, handed back to the serializer after a reload. */
export interface SessionPageState {
  sessionId: string;
  /** Unsent text of the reply box. */
  draft?: string;
}
