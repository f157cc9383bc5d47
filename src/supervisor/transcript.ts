/**
 * What a Codex session's transcript and stream hold, as the supervisor records them: types only, no
 * imports, so the Session page's protocol (src/webviews/session/protocol.ts) takes them from here
 * instead of restating them. Limits: src/supervisor/backend.ts EVENT_TEXT_LIMIT, EVENT_OUTPUT_LIMIT.
 */

/** A command Codex ran, as the transcript keeps it. */
export interface CommandRun {
  command: string;
  cwd?: string;
  exitCode?: number | null;
  /** Wall time in ms, when Codex reports it. */
  durationMs?: number;
  /** stdout and stderr as Codex aggregated them; the last EVENT_OUTPUT_LIMIT characters, secrets masked. */
  output?: string;
}

/** One file a change touched: `kind` add | delete | update (Codex's names), `diff` unified, secrets masked. */
export interface FileChange {
  path: string;
  kind: string;
  diff: string;
}

/** What an approval asked and how it was answered (`approval` events). */
export interface ApprovalNote {
  /** codex-exec | codex-patch | codex-permissions | codex-mcp-tool | ... */
  source: string;
  /** allow_once | allow_session | deny */
  decision: string;
  command?: string;
  reason?: string;
}

/** A transcript entry: what happened in the child, in order. */
export interface CodexEvent {
  /** ISO time the supervisor saw it. */
  at: string;
  /** Backend event type: mcp-server `codex/event` `msg.type`, or the app-server notification method. */
  type: string;
  /** One-line human summary (command, message excerpt, error), at most 500 characters. */
  summary: string;
  /** The whole text where one line is not enough (an answer in markdown, a prompt), secrets masked, at most EVENT_TEXT_LIMIT characters. */
  text?: string;
  /** Who sent a prompt (`user_message`): the governance agent id of the caller, e.g. `vscode-user`. */
  by?: string;
  /** Codex's id of the item (app-server item id, mcp-server item id): ties streamed text to its final event. */
  itemId?: string;
  command?: CommandRun;
  changes?: FileChange[];
  approval?: ApprovalNote;
}

/** Text Codex is still producing (deltas so far): an answer, a reasoning summary, a command's output. */
export interface StreamingItem {
  itemId: string;
  kind: StreamKind;
  text: string;
  /** Characters received so far (more than `text` holds once output is cut to its end). */
  received: number;
}

/** What a streamed delta belongs to. */
export type StreamKind = 'agent' | 'reasoning' | 'output';

/** One piece of streamed text (app-server `item/agentMessage/delta` etc., mcp-server `agent_message_content_delta` etc.). */
export interface StreamDelta {
  itemId: string;
  kind: StreamKind;
  delta: string;
  /** Characters of the item received before this piece (set by the supervisor): a reader that already has them skips it. */
  offset?: number;
}
