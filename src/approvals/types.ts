/**
 * Shapes shared by the broker and its prompters (headless, terminal, test, VS Code).
 */
import type { ApprovalAnswer, ApprovalSource } from './vocabulary';
import type { RiskLevel } from './risk';

/**
 * Every approval source: Codex's own requests (./vocabulary), a `codex` call asking for
 * `danger-full-access` before any child is asked (`codex-full-access`), and an agent asking to go
 * on after a PAUSE decision (`pause-override`).
 */
export type BrokerSource = ApprovalSource | 'pause-override';

/** Who settled a request (audit `decided_by`). */
export type DecidedBy = 'person' | 'policy' | 'session-grant' | 'timeout' | 'cancelled' | 'error';

/** What an approval request says about itself, as the asker gives it; every field but `source` is optional. */
export interface ApprovalContext {
  source: BrokerSource;
  sessionId?: string;
  agentId?: string;
  command?: string;
  cwd?: string;
  sandbox?: string;
  approvalPolicy?: string;
  mode?: string;
  /** The agent's or model's justification. */
  reason?: string;
  details?: Record<string, unknown>;
}

/** What a prompter is shown; `signal` aborts when the request is settled elsewhere (timeout, another answer, the turn ended). */
export interface PendingApproval extends ApprovalContext {
  id: string;
  risk: RiskLevel;
  /** ISO-8601 UTC. */
  requestedAt: string;
  /** When the request becomes a denial, ms since epoch. */
  deadline: number;
  signal: AbortSignal;
}

/** Asks a person. Must resolve with an answer; a throw, a malformed value or no answer by the deadline is a denial. */
export interface ApprovalPrompter {
  prompt(pending: PendingApproval): Promise<ApprovalAnswer>;
}

/** The broker's full answer. */
export interface ApprovalOutcome extends ApprovalAnswer {
  id: string;
  risk: RiskLevel;
  decidedBy: DecidedBy;
  /** Request to answer, ms. */
  waitMs: number;
}
