/**
 * The subset of the `codex app-server` protocol the supervisor uses, written by hand from
 * `codex app-server generate-ts` / `generate-json-schema` of Codex 0.169.0 and openai/codex
 * `codex-rs/app-server/README.md`. test/e2e/supervisor-protocol.test.ts checks every name here
 * against the schema the installed binary generates, so drift is caught.
 */

/** Client -> server requests we send. */
export const CLIENT_REQUESTS = ['initialize', 'thread/start', 'thread/resume', 'turn/start', 'turn/interrupt'] as const;
/** Client -> server notification sent after `initialize`. */
export const CLIENT_NOTIFICATIONS = ['initialized'] as const;
/** Server -> client notifications we read. */
export const SERVER_NOTIFICATIONS = ['thread/started', 'turn/started', 'turn/completed', 'item/started', 'item/completed', 'thread/tokenUsage/updated', 'error', 'warning'] as const;
/** Server -> client requests we answer. */
export const SERVER_REQUESTS = [
  'item/commandExecution/requestApproval',
  'item/fileChange/requestApproval',
  'item/permissions/requestApproval',
  'mcpServer/elicitation/request',
  'item/tool/requestUserInput',
  'execCommandApproval',
  'applyPatchApproval',
] as const;

/** Fields of `ThreadStartParams` we set (all optional in the schema). */
export const THREAD_START_FIELDS = ['cwd', 'sandbox', 'approvalPolicy', 'model', 'baseInstructions', 'developerInstructions', 'config'] as const;
/** Required fields of `TurnStartParams` / `TurnInterruptParams` / `ThreadResumeParams`. */
export const TURN_START_REQUIRED = ['input', 'threadId'] as const;
export const TURN_INTERRUPT_REQUIRED = ['threadId', 'turnId'] as const;
export const THREAD_RESUME_REQUIRED = ['threadId'] as const;
/** `TurnStatus` values. */
export const TURN_STATUSES = ['completed', 'interrupted', 'failed', 'inProgress'] as const;
/** `TokenUsageBreakdown` fields (in `thread/tokenUsage/updated` `tokenUsage.last`). */
export const TOKEN_USAGE_FIELDS = ['cachedInputTokens', 'inputTokens', 'outputTokens', 'reasoningOutputTokens', 'totalTokens'] as const;
/** `CommandExecutionApprovalDecision` / `FileChangeApprovalDecision` string values we send. */
export const V2_DECISIONS = ['accept', 'acceptForSession', 'decline'] as const;
/** v1 `ReviewDecision` string values we send; a denial is the object `{denied: {rejection}}`. */
export const V1_DECISIONS = ['approved', 'approved_for_session'] as const;

export type TurnStatus = (typeof TURN_STATUSES)[number];

export interface ThreadItem {
  type: string;
  id?: string;
  text?: string;
  command?: string;
  exitCode?: number | null;
  status?: string;
}

export interface Turn {
  id: string;
  status: TurnStatus;
  items?: ThreadItem[];
  error?: { message: string; additionalDetails?: string | null } | null;
}

export interface TokenUsageBreakdown {
  cachedInputTokens: number;
  inputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  totalTokens: number;
}
