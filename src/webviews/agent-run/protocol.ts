/**
 * Messages between the Agent run panel's page and its host (src/vscode/agent-run/): types and
 * constants only, so the page bundle carries no validation code. The host validates every page
 * message with ./schema (zod/mini, host only); the page trusts the host. The run's events are the
 * runner's own typed events (src/agent/events.ts, types only).
 */
import type { AgentApi, AgentEvent, RunEndReason, RunEndedEvent } from '../../agent/events';

export type { AgentEvent } from '../../agent/events';

export const AGENT_RUN_VIEW_TYPE = 'codexGovernance.agentRun';

/** `starting` until `run-started`, `running` until `run-ended`, then why it ended. */
export type RunStatus = 'starting' | 'running' | RunEndReason;

/** What the header shows: the run's settings and its progress so far. */
export interface RunHeader {
  runId: string;
  agentId: string;
  model: string;
  /** The model's base URL (never the key). */
  baseUrl: string;
  api: AgentApi;
  /** The queue task the run works on, if any. */
  taskId?: string;
  /** The first line of the task text (or the task's description). */
  title: string;
  status: RunStatus;
  /** Model turns started so far, and the most the run may take. */
  step: number;
  maxSteps: number;
  inputTokens: number;
  outputTokens: number;
  /** USD so far; null when the server's price table has no entry for the model. */
  costUsd: number | null;
  /** ISO-8601 UTC. */
  startedAt: string;
  /** Why it ended, for people (present once ended). */
  endMessage?: string;
  /** What happened to the task at the end. */
  task?: RunEndedEvent['task'];
}

/** An approval this run waits for, answered from the panel. */
export interface ApprovalCard {
  id: string;
  /** `server/tool`. */
  tool: string;
  /** The arguments as JSON text (cut by the server at its limit). */
  arguments?: string;
  risk: string;
  /** The model's words before the call. */
  reason?: string;
  /** When it becomes a denial, ms since epoch. */
  deadline: number;
}

export type AgentRunPageMessage =
  /** The page is listening; `runId` is the one it restored after a reload, if any. */
  | { type: 'ready'; runId?: string }
  /** Stop the run (its task, if any, goes back to the queue). */
  | { type: 'stop' }
  /** Answer a pending approval of this run (`allow_session`: this tool for the rest of the run). */
  | { type: 'approve'; id: string; decision: 'allow_once' | 'allow_session' | 'deny' }
  /**
   * The page drew `events` run events in this status: `textChars` characters of model text,
   * `toolCalls` tool calls, `pending` approval cards.
   */
  | { type: 'rendered'; runId: string; events: number; status: string; textChars: number; toolCalls: number; pending: number };

export type AgentRunHostMessage =
  /** Everything so far: replaces what the page shows. */
  | { type: 'snapshot'; header: RunHeader; events: AgentEvent[]; pending: ApprovalCard[] }
  /** Events after the last message, in order, and the header as it is now. */
  | { type: 'events'; header: RunHeader; events: AgentEvent[] }
  /** The run's pending approvals now. */
  | { type: 'pending'; pending: ApprovalCard[] }
  /** A stop or an answer is in flight (`busy`) or done; `error` says why it failed, `note` what happened. */
  | { type: 'action'; action: 'stop' | 'approve'; busy: boolean; error?: string; note?: string }
  | { type: 'error'; message: string };

/** Kept by `setState`, handed back to the serializer after a reload. */
export interface AgentRunPageState {
  runId: string;
}
