/**
 * What the Approvals view shows for the open requests, without `vscode` (unit tested in plain
 * mocha); view.ts turns it into tree items, the badge and the view message.
 */
import { promptDetail, promptTitle } from '../../approvals/present';
import type { PendingApproval } from '../../approvals/types';

/** `viewItem` of a pending request (package.json menus: inline Allow Once / Allow for This Session / Deny). */
export const PENDING_CONTEXT_VALUE = 'codexGovernance.pendingApproval';

export interface ApprovalRow {
  /** The request id (stable across refreshes). */
  id: string;
  /** e.g. `HIGH risk: agent-7 wants a Codex session with full access (danger-full-access)`. */
  label: string;
  /** The command asked for, else the sandbox, else empty. */
  description: string;
  /** Plain text: command, folder, sandbox, approval policy, risk, justification, session. */
  tooltip: string;
  contextValue: string;
  /** Codicon: `warning` for high and critical, `question` otherwise. */
  icon: 'warning' | 'question';
}

export function approvalRow(p: PendingApproval): ApprovalRow {
  return {
    id: p.id,
    label: promptTitle(p),
    description: p.command ?? p.sandbox ?? '',
    tooltip: promptDetail(p),
    contextValue: PENDING_CONTEXT_VALUE,
    icon: p.risk === 'high' || p.risk === 'critical' ? 'warning' : 'question',
  };
}

/** The activity bar badge for `n` open requests; none for 0. */
export function approvalsBadge(n: number): { value: number; tooltip: string } | undefined {
  return n ? { value: n, tooltip: `${n} approval request${n === 1 ? '' : 's'} waiting` } : undefined;
}

/** The view's message: shown only when nothing waits. */
export function approvalsMessage(n: number): string | undefined {
  return n ? undefined : 'No approval requests are waiting.';
}

/** The status bar entry while requests wait: text, tooltip; undefined (hidden) for none. */
export function approvalsStatus(pending: PendingApproval[]): { text: string; tooltip: string; urgent: boolean } | undefined {
  const n = pending.length;
  if (!n) return undefined;
  const urgent = pending.some((p) => p.risk !== 'low');
  return {
    text: `$(shield) ${n} approval${n === 1 ? '' : 's'} waiting`,
    tooltip: `${n} approval request${n === 1 ? '' : 's'} waiting for your answer (click to show the Approvals view):\n${pending.map((p) => `• ${promptTitle(p)}`).join('\n')}`,
    urgent,
  };
}
