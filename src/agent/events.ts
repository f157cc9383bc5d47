/**
 * What a governed agent run tells its listeners, in order: the CLI prints them (one JSON line each
 * with `--json`), a VS Code panel can render them. Types only, no imports, so a webview protocol
 * may import this file without pulling in the runner.
 *
 * Every event has `type`, `runId` and `at` (ISO-8601 UTC). A run emits exactly one `run-started`
 * first and one `run-ended` last; between them, per step: `governance` (the check before the model
 * turn), `model-text-delta`s (streaming only), `model-turn`, `usage`, then per tool call
 * `tool-call`, `tool-decision` and `tool-result` (no `tool-result` after a denial). The model
 * request is already on its way while the check runs, but its deltas are held until the
 * `governance` event; after a PAUSE they are dropped (no `model-turn`, the answer is discarded).
 */

/** Which OpenAI API the run speaks. */
export type AgentApi = 'chat' | 'responses';

/**
 * Why a run ended: `done` (the model answered without tool calls), `paused` (governance said PAUSE),
 * `refused` (the model declined: OpenAI `refusal`), `max_steps` (`--max-steps` model turns),
 * `deadline` (`--timeout-seconds`), `aborted` (the caller stopped it: SIGINT, a panel's Stop),
 * `error` (the model, the governance server or a tool source failed; `message` names the cause and
 * what to set).
 */
export type RunEndReason = 'done' | 'paused' | 'refused' | 'max_steps' | 'deadline' | 'aborted' | 'error';

/**
 * How a tool call was let through or stopped: `allow_once` / `allow_run` (for the rest of this run,
 * this server's tool only) / `deny`.
 */
export type ToolDecision = 'allow_once' | 'allow_run' | 'deny';

/**
 * Who decided: `read-only` (annotated readOnlyHint, never asked), `governance` (a governance tool:
 * it only touches the governance database), `run-grant` (an earlier "allow for the run"), the
 * approval broker's `person` | `policy` | `timeout` | `cancelled` | `error`, or `unreachable`
 * (the governance server did not answer: denied, fail closed).
 */
export type ToolDecidedBy = 'read-only' | 'governance' | 'run-grant' | 'person' | 'policy' | 'session-grant' | 'timeout' | 'cancelled' | 'error' | 'unreachable';

interface Base {
  runId: string;
  /** ISO-8601 UTC. */
  at: string;
}

/** One tool offered to the model. */
export interface OfferedTool {
  /** The name the model calls (`<server>__<tool>` for MCP tools, see src/agent/naming.ts). */
  name: string;
  /** `governance` or the MCP server's name in the Codex config. */
  server: string;
  /** True when it runs without asking (read-only, or a governance tool). */
  unasked: boolean;
}

export interface RunStartedEvent extends Base {
  type: 'run-started';
  agentId: string;
  model: string;
  api: AgentApi;
  stream: boolean;
  /** The model's base URL (no key). */
  baseUrl: string;
  /** The governance server's URL. */
  server: string;
  tools: OfferedTool[];
  /** MCP servers of the config that were left out or failed to start, with why. */
  skippedServers: Array<{ server: string; reason: string }>;
  maxSteps: number;
  /** ISO-8601 UTC time the run is stopped at. */
  deadline: string;
  taskId?: string;
}

/** The governance check before a model turn (`process_agent_update`). */
export interface GovernanceEvent extends Base {
  type: 'governance';
  /** 1-based model turn this check precedes. */
  step: number;
  action: 'PROCEED' | 'PAUSE';
  reason: string;
  /** The peer review opened for this agent after a PAUSE, when the server started one. */
  reviewSessionId?: string;
}

/** A piece of the model's text as it streams (streaming runs only). */
export interface ModelTextDeltaEvent extends Base {
  type: 'model-text-delta';
  step: number;
  delta: string;
}

/** One complete model turn. */
export interface ModelTurnEvent extends Base {
  type: 'model-turn';
  step: number;
  text: string;
  /** The model declined (OpenAI `refusal`); the run then ends `refused` with this text. */
  refusal?: string;
  toolCalls: Array<{ callId: string; name: string }>;
  /** ms from request to the complete answer. */
  durationMs: number;
}

export interface ToolCallEvent extends Base {
  type: 'tool-call';
  step: number;
  callId: string;
  name: string;
  /** `governance`, an MCP server's name, or null for a tool the model invented. */
  server: string | null;
  /** The arguments as parsed, or the raw text when they are not JSON. */
  arguments: Record<string, unknown> | string;
}

export interface ToolDecisionEvent extends Base {
  type: 'tool-decision';
  step: number;
  callId: string;
  name: string;
  decision: ToolDecision;
  decidedBy: ToolDecidedBy;
  /** Risk the broker assessed (`low` ... `critical`), when it was asked. */
  risk?: string;
  reason?: string;
}

export interface ToolResultEvent extends Base {
  type: 'tool-result';
  step: number;
  callId: string;
  name: string;
  ok: boolean;
  /** What the model is given back (truncated to 4000 characters here; the model gets up to 20000). */
  output: string;
  durationMs: number;
}

/** Tokens of one model turn and their cost (from the server's price table). */
export interface UsageEvent extends Base {
  type: 'usage';
  step: number;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** USD; null when the price table has no entry for the model (tokens still counted). */
  costUsd: number | null;
  /** Sums over the run so far. */
  totalInputTokens: number;
  totalOutputTokens: number;
  totalCostUsd: number | null;
}

export interface RunEndedEvent extends Base {
  type: 'run-ended';
  reason: RunEndReason;
  /** For people: the final answer (done) or the cause and what to set (anything else). */
  message: string;
  /** Model turns taken. */
  steps: number;
  /** The model's last text, when there is one. */
  finalText?: string;
  /** What happened to `--task-id`'s task: completed, failed (back to pending), or why neither worked. */
  task?: { taskId: string; outcome: 'completed' | 'released' | 'not_released'; message?: string };
}

export type AgentEvent = RunStartedEvent | GovernanceEvent | ModelTextDeltaEvent | ModelTurnEvent | ToolCallEvent | ToolDecisionEvent | ToolResultEvent | UsageEvent | RunEndedEvent;

export type AgentEventType = AgentEvent['type'];
