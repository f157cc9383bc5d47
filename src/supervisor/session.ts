/**
 * The record the supervisor keeps per session (one Codex thread in one child process), the shape
 * the `codex-session-info` tool, the `codex://sessions/active` resource and the views read.
 */
import type { ApprovalPolicy, CodexEvent, SandboxMode, StreamingItem, TokenUsage } from './backend';
import type { CodexBackend } from './locate';

/**
 * - `starting`: the child is being spawned or the thread created;
 * - `running`: a turn is in progress;
 * - `idle`: the thread waits for `codex-reply`, its process alive;
 * - `lost`: the process died on its own (crash, kill); an app-server thread can still be resumed;
 * - `closed`: ended by us (idle timeout, cleanup, cancel that needed a kill, shutdown).
 */
export type CodexSessionStatus = 'starting' | 'running' | 'idle' | 'lost' | 'closed';

export interface CodexSessionRecord {
  /** Our id (`session_id` in the tools' answers). */
  id: string;
  /** Codex's thread id, once known. */
  threadId: string | null;
  backend: CodexBackend;
  codexVersion: string;
  /** The child's pid while it runs, else null. */
  pid: number | null;
  cwd: string;
  sandbox: SandboxMode | null;
  approvalPolicy: ApprovalPolicy | null;
  model: string | null;
  /** The seed's caller mode (`interactive` | `non-interactive` | `ci`), if given. */
  mode: string | null;
  /** The governance agent that started it. */
  agentId: string | null;
  status: CodexSessionStatus;
  /** ISO times. */
  createdAt: string;
  lastActivityAt: string;
  endedAt: string | null;
  /** Turns finished (ok or failed). */
  turns: number;
  /** Summed over every model response of the session. */
  tokens: TokenUsage;
  /** Why the last turn failed or the session ended, if it did. */
  lastError: string | null;
  /** The most recent events, oldest first, bounded (default 2000). */
  transcript: CodexEvent[];
  /**
   * Text Codex is producing in the running turn (answers, reasoning, command output so far), one
   * entry per item until its final event arrives; what is left when the turn ends becomes `*_partial`
   * events. Absent or empty between turns.
   */
  live?: StreamingItem[];
}

/** Statuses of a session that still holds (or is getting) a process. */
export function isActive(status: CodexSessionStatus): boolean {
  return status === 'starting' || status === 'running' || status === 'idle';
}

export function emptyUsage(): TokenUsage {
  return { input: 0, cachedInput: 0, output: 0, reasoningOutput: 0, total: 0 };
}

/** Adds `b`'s counts to `a` (in place). */
export function addUsage(a: TokenUsage, b: TokenUsage): void {
  a.input += b.input;
  a.cachedInput += b.cachedInput;
  a.output += b.output;
  a.reasoningOutput += b.reasoningOutput;
  a.total += b.total;
}

/**
 * Where session records are persisted so views survive a restart (the store implements it:
 * ../store/sqlite-sessions). Declared here, beside the supervisor that uses it, so the store
 * depends on the supervisor's types and not the other way round.
 */
export interface CodexSessionRepository {
  /** Inserts or replaces the record by `id`. */
  save(record: CodexSessionRecord): Promise<void>;
  /** At most `limit` records, most recent activity first. */
  list(limit: number): Promise<CodexSessionRecord[]>;
  /** Deletes all but the `keep` most recently active records; returns how many were deleted. */
  prune?(keep: number): Promise<number>;
}
