/**
 * The JSON a Codex `command` hook receives on stdin, one object per run. Field names and values as
 * observed with Codex 0.153.4, 0.169.0 and 0.171.0 (docs/codex-hooks.md); openai/codex
 * `codex-rs/hooks/schema/generated/*.command.input.schema.json` describe the same shapes.
 * No `vscode`, no server code: the `hook` command imports this too and must start fast.
 */
import { createHash } from 'node:crypto';

/** The events this project handles; any other `hook_event_name` is recorded and answered with no decision. */
export const HANDLED_HOOK_EVENTS = ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop'] as const;
export type HandledHookEvent = (typeof HANDLED_HOOK_EVENTS)[number];

/** One hook event as Codex sends it; only `session_id` and `hook_event_name` are always present. */
export interface CodexHookEvent {
  /** Codex's session (thread) id, a UUID. */
  session_id: string;
  hook_event_name: string;
  /** The rollout JSONL under `CODEX_HOME/sessions/`; null when Codex keeps none. */
  transcript_path?: string | null;
  cwd?: string;
  model?: string;
  /** `default` (approval policy on-request/untrusted), `bypassPermissions` (never), `acceptEdits`, `plan`, `dontAsk`. */
  permission_mode?: string;
  turn_id?: string;
  /** SessionStart: `startup`, `resume`, `clear`, `compact`. */
  source?: string;
  /** UserPromptSubmit. */
  prompt?: string;
  /** PreToolUse / PermissionRequest / PostToolUse: `Bash`, `apply_patch`, `mcp__<server>__<tool>`, ... */
  tool_name?: string;
  /** `command` (the shell command, or the whole patch for apply_patch); PermissionRequest adds `description` (the model's justification). */
  tool_input?: Record<string, unknown>;
  /** PostToolUse: the tool's output (usually text). */
  tool_response?: unknown;
  /** The model's call id (PreToolUse, PostToolUse). */
  tool_use_id?: string;
  /** Stop. */
  last_assistant_message?: string | null;
  stop_hook_active?: boolean;
}

/** A hook event that cannot be read; the message names the field and what was expected. */
export class HookEventError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'HookEventError';
  }
}

/** Largest event accepted, bytes (a patch of a few hundred KB fits; Codex output spills to files past that). */
export const MAX_HOOK_EVENT_BYTES = 4 * 1024 * 1024;

const OPTIONAL_STRINGS = ['cwd', 'model', 'permission_mode', 'turn_id', 'source', 'prompt', 'tool_name', 'tool_use_id'] as const;

/**
 * Checks one event object (already JSON-parsed).
 * @throws HookEventError naming the field: not an object, `session_id` or `hook_event_name`
 *   missing/empty/too long, an optional text field that is not a string, `tool_input` not an object
 */
export function parseHookEvent(value: unknown): CodexHookEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HookEventError('(event)', 'The hook event must be a JSON object as Codex sends it ({"session_id", "hook_event_name", ...}).');
  }
  const v = value as Record<string, unknown>;
  for (const f of ['session_id', 'hook_event_name'] as const) {
    const s = v[f];
    if (typeof s !== 'string' || !s.trim()) throw new HookEventError(f, `The hook event has no ${f}; Codex always sends it. Is this command configured as a Codex hook?`);
    if (s.length > 200) throw new HookEventError(f, `The hook event's ${f} is ${s.length} characters long; at most 200 are accepted.`);
  }
  for (const f of OPTIONAL_STRINGS) {
    if (v[f] !== undefined && v[f] !== null && typeof v[f] !== 'string') throw new HookEventError(f, `The hook event's ${f} must be a string, got ${typeof v[f]}.`);
  }
  if (v.transcript_path !== undefined && v.transcript_path !== null && typeof v.transcript_path !== 'string') {
    throw new HookEventError('transcript_path', `The hook event's transcript_path must be a string or null, got ${typeof v.transcript_path}.`);
  }
  if (v.tool_input !== undefined && (typeof v.tool_input !== 'object' || v.tool_input === null || Array.isArray(v.tool_input))) {
    throw new HookEventError('tool_input', 'The hook event\'s tool_input must be an object such as {"command": "..."}.');
  }
  return v as unknown as CodexHookEvent;
}

/** The command text of a tool event (`tool_input.command`), if there is one. */
export function toolCommand(e: Pick<CodexHookEvent, 'tool_input'>): string | undefined {
  const c = e.tool_input?.command;
  return typeof c === 'string' ? c : undefined;
}

/** The governance agent id of a Codex session: `codex-` + the first 8 hex digits of SHA-256(session_id). */
export function agentIdForSession(sessionId: string): string {
  // A hash, not the id's own prefix: Codex session ids are UUIDv7, whose first digits are a
  // timestamp shared by every session started within the same minute.
  return `codex-${createHash('sha256').update(sessionId).digest('hex').slice(0, 8)}`;
}
