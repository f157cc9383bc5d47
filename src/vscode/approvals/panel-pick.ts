/**
 * The quick pick rows of "Approve Pending..." / "Deny Pending...", without `vscode`: one row per
 * pending request, so the person sees what they answer even when only one waits.
 */
import { promptTitle } from '../../approvals/present';
import type { PendingApproval } from '../../approvals/types';

export interface PendingPickItem {
  /** Risk and summary (../../approvals/present promptTitle), e.g. `$(warning) HIGH risk: agent-7 wants a Codex session with full access (danger-full-access)`. */
  label: string;
  /** Time left before the timeout denies it, e.g. `4 min 10 s left`. */
  description: string;
  /** Command or sandbox, agent, cwd, session and justification (those known), joined by ` · `. */
  detail: string;
  /** The request id, for `prompter.answer`. */
  id: string;
}

/** The default reason in the Deny Pending... input box. */
export const PICK_DENY_REASON = 'Denied by the person reviewing the request (Deny Pending...).';

/** Remaining time as a person reads it (`now`, `deadline` in ms since epoch). */
export function timeLeft(deadline: number, now: number): string {
  const s = Math.max(0, Math.round((deadline - now) / 1000));
  if (s < 60) return `${s} s left`;
  return `${Math.floor(s / 60)} min ${s % 60} s left`;
}

/** Rows, oldest request first (the order of the prompter's list). */
export function pendingPickItems(pending: readonly PendingApproval[], now: number): PendingPickItem[] {
  return pending.map((p) => {
    const icon = p.risk === 'high' || p.risk === 'critical' ? '$(warning)' : '$(question)';
    const detail = [
      p.command ? `Command: ${p.command}` : `Sandbox: ${p.sandbox ?? 'default'}`,
      ...(p.command && p.sandbox ? [`Sandbox: ${p.sandbox}`] : []),
      // Before the cwd: a long path would push the agent out of the row.
      `Agent: ${p.agentId ?? 'unknown'}`,
      ...(p.cwd ? [`cwd: ${p.cwd}`] : []),
      ...(p.sessionId ? [`Session: ${p.sessionId}`] : []),
      ...(p.reason ? [`Why: ${p.reason.length > 200 ? `${p.reason.slice(0, 200)}…` : p.reason}`] : []),
    ].join(' · ');
    return {
      label: `${icon} ${promptTitle(p)}`,
      description: timeLeft(p.deadline, now),
      detail,
      id: p.id,
    };
  });
}
