/**
 * The subset of the `codex app-server` protocol the supervisor uses, written by hand from
 * `codex app-server generate-ts` / `generate-json-schema` of Codex 0.169.0 and openai/codex
 * `codex-rs/app-server/README.md`. test/e2e/supervisor-protocol.test.ts checks every name here
 * against the schema each installed app-server Codex (0.169.0, 0.171.0) generates, so drift is
 * caught.
 *
 * 0.169.0 -> 0.171.0 (schema diff): `AgentMessageDisplay` (in `agentMessage.moderation.display`)
 * became a union `{mode: show|hide|block, version, ...}` instead of `{action, ...}`, and
 * `mcpToolCall` gained a nullable `environmentId`. Neither is read here ({@link THREAD_ITEM_FIELDS}
 * lists what is), so both versions parse the same.
 */

/** Client -> server requests we send. */
export const CLIENT_REQUESTS = ['initialize', 'thread/start', 'thread/resume', 'turn/start', 'turn/interrupt'] as const;
/** Client -> server notification sent after `initialize`. */
export const CLIENT_NOTIFICATIONS = ['initialized'] as const;
/** Server -> client notifications we read. */
export const SERVER_NOTIFICATIONS = [
  'thread/started',
  'turn/started',
  'turn/completed',
  'item/started',
  'item/completed',
  'item/agentMessage/delta',
  'item/reasoning/summaryTextDelta',
  'item/commandExecution/outputDelta',
  'thread/tokenUsage/updated',
  'error',
  'warning',
] as const;
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

/** The `ThreadItem` fields read by the supervisor (see {@link ThreadItem}), per item `type`. */
export const THREAD_ITEM_FIELDS = {
  agentMessage: ['id', 'text'],
  reasoning: ['id', 'summary'],
  commandExecution: ['id', 'command', 'cwd', 'exitCode', 'durationMs', 'aggregatedOutput', 'status'],
  fileChange: ['id', 'changes', 'status'],
  mcpToolCall: ['id', 'server', 'tool', 'status'],
} as const;

export type TurnStatus = (typeof TURN_STATUSES)[number];

export interface ThreadItem {
  type: string;
  id?: string;
  text?: string;
  command?: string;
  cwd?: string;
  exitCode?: number | null;
  durationMs?: number | null;
  /** `commandExecution`: stdout and stderr aggregated. */
  aggregatedOutput?: string | null;
  status?: string;
  /** `fileChange`: `kind.type` is add | delete | update. */
  changes?: Array<{ path: string; kind: { type: string }; diff: string }>;
  /** `reasoning`: summary parts. */
  summary?: string[];
  /** `mcpToolCall`. */
  server?: string;
  tool?: string;
}

/** Params of `item/agentMessage/delta`, `item/reasoning/summaryTextDelta`, `item/commandExecution/outputDelta`. */
export interface ItemDelta {
  threadId: string;
  turnId: string;
  itemId: string;
  delta: string;
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
