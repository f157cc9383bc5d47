/**
 * The one interface the supervisor drives, implemented by `codex mcp-server` (./mcp-server-backend)
 * and `codex app-server` (./app-server-backend). One child process per session: cancelling or
 * killing a session can then never touch another session's commands.
 */
import type { CodexBackend } from './locate';
import type { ApprovalRequest, ApprovalAnswer } from '../approvals/vocabulary';
import type { ExitInfo } from './process';
import { maskSecrets } from '../util/log';
import type { CodexEvent, StreamDelta } from './transcript';

export type { ApprovalNote, CodexEvent, CommandRun, FileChange, StreamDelta, StreamingItem, StreamKind } from './transcript';

/** Codex's sandbox modes (config `sandbox_mode`, tool argument `sandbox`). */
export type SandboxMode = 'read-only' | 'workspace-write' | 'danger-full-access';
/** Codex's approval policies (`AskForApproval`). */
export type ApprovalPolicy = 'untrusted' | 'on-failure' | 'on-request' | 'never';

/** Settings of a new thread, in Codex's own terms. */
export interface ThreadSettings {
  cwd: string;
  sandbox?: SandboxMode;
  approvalPolicy?: ApprovalPolicy;
  model?: string;
  baseInstructions?: string;
  developerInstructions?: string;
  compactPrompt?: string;
  /** config.toml overrides for this thread (e.g. a model provider, `model_reasoning_effort`). */
  config?: Record<string, unknown>;
}

/** Token counts of one model response (Responses API `usage`). */
export interface TokenUsage {
  input: number;
  cachedInput: number;
  output: number;
  reasoningOutput: number;
  total: number;
}

/** Longest full text an event keeps (characters): answers, prompts, diffs ({@link CodexEvent.text}). */
export const EVENT_TEXT_LIMIT = 200_000;
/** Longest command output an event keeps (characters, the end of it). */
export const EVENT_OUTPUT_LIMIT = 64_000;

/** What a finished turn returns, as `codex mcp-server` did: the thread and the last agent message. */
export interface TurnOutcome {
  threadId: string;
  content: string;
  /** True when Codex reported the turn as failed (model error etc.); `content` then holds the error text. */
  isError: boolean;
}

/** Callbacks from a child to the supervisor. */
export interface ChildHooks {
  onEvent(event: CodexEvent): void;
  /** A piece of text Codex is producing; the final text follows as an event with the same `itemId`. */
  onDelta(delta: StreamDelta): void;
  /** Usage of one model response; counts are not cumulative. */
  onUsage(usage: TokenUsage): void;
  /** Known as soon as Codex reports it (before the turn ends). */
  onThreadId(threadId: string): void;
  /** Codex asks for approval; `req` lacks the session fields the supervisor fills in. */
  approve(req: Omit<ApprovalRequest, 'sessionId' | 'signal' | 'sandbox' | 'approvalPolicy' | 'agentId'>, signal: AbortSignal): Promise<ApprovalAnswer>;
}

/** Why a turn stopped early: `stopped` is "stop this turn" (the session stays when Codex confirms). */
export type TurnAbortReason = 'cancelled' | 'deadline' | 'stopped';

export interface CodexChild {
  readonly backend: CodexBackend;
  readonly pid: number;
  /** Resolves when the process exits. */
  readonly exited: Promise<ExitInfo>;
  alive(): boolean;
  /**
   * Starts a thread and runs its first turn. When `signal` aborts, interrupts the turn and rejects
   * with {@link TurnInterruptedError} (whose `settled` says whether Codex confirmed the interrupt
   * within the grace period).
   */
  startThread(settings: ThreadSettings, prompt: string, signal: AbortSignal): Promise<TurnOutcome>;
  /** Runs another turn on a thread of this child; same abort behaviour. */
  reply(threadId: string, prompt: string, signal: AbortSignal): Promise<TurnOutcome>;
  /** Whether a thread of an ended child can be reopened in this one (app-server resumes from its rollout). */
  readonly canResume: boolean;
  /** Reopens `threadId` (app-server `thread/resume`). @throws Error when the backend cannot. */
  resume(threadId: string, settings: ThreadSettings): Promise<void>;
  /**
   * Prepares an idle child for its first thread without starting one (a spare, before a session
   * takes it): work Codex would otherwise do on the first `thread/start`. Never runs a turn, starts
   * no MCP server and fires no hook; resolves (never rejects) when done or when the Codex in use
   * cannot (ms of `timeoutMs` at most). Absent when a backend has nothing to prepare.
   */
  warm?(cwd: string, timeoutMs: number): Promise<void>;
  /** Kills the process group and every descendant (grace in ms before SIGKILL). */
  close(graceMs?: number): Promise<void>;
  /** Last lines of the child's stderr, for error messages. */
  stderrTail(): string;
}

/**
 * Codex took a turn's request but showed no sign of starting it (no event) within the start
 * deadline: its process is stuck, and the session cannot continue in it.
 */
export class TurnNeverStartedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TurnNeverStartedError';
  }
}

/** A turn was stopped by cancel or deadline. */
export class TurnInterruptedError extends Error {
  constructor(
    readonly reason: TurnAbortReason,
    /** True if Codex confirmed the interrupt (turn aborted/interrupted) within the grace period. */
    readonly settled: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'TurnInterruptedError';
  }
}

/** Options every backend's `start` takes. */
export interface StartChildOptions {
  binary: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  hooks: ChildHooks;
  /** How long to wait for Codex to confirm an interrupt before the caller kills it (ms). */
  interruptGraceMs: number;
  /** Deadline of the handshake (ms). */
  startupTimeoutMs: number;
  /** Client name/version sent in the handshake. */
  clientInfo: { name: string; version: string };
}

/** The reason carried by an AbortSignal, as the supervisor sets it. */
export function abortReasonOf(signal: AbortSignal): TurnAbortReason {
  const reason: unknown = signal.reason;
  return reason === 'deadline' || reason === 'stopped' ? reason : 'cancelled';
}

/** Waits for `p` or `ms`, whichever first; true if `p` settled in time. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `text` with secrets masked, cut to `max` characters (the start kept, or the end with `keep: 'end'`). */
export function fullText(text: string, max = EVENT_TEXT_LIMIT, keep: 'start' | 'end' = 'start'): string {
  const masked = maskSecrets(text);
  if (masked.length <= max) return masked;
  return keep === 'end' ? `…${masked.slice(masked.length - max + 1)}` : `${masked.slice(0, max - 1)}…`;
}

/** One line of at most `max` characters (ellipsis), with tokens and keys masked: it ends up in transcripts and logs. */
export function clip(text: string, max = 500): string {
  const one = maskSecrets(text.replace(/\s+/g, ' ').trim());
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
