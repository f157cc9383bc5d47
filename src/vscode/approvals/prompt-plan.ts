/**
 * How one approval request is put in front of the person, without `vscode` (unit tested in plain
 * mocha); ./prompter shows what this decides.
 *
 * - high and critical: a modal (issue 4) whose buttons start with Deny (the first button is the
 *   default an Enter presses), and whose close button says what closing does: nothing is answered.
 * - medium: a notification of severity `error`. VS Code keeps a notification on screen until it is
 *   closed ("sticky") only when it has buttons and error severity, or a source the workbench calls
 *   urgent (VS Code 1.139 `NotificationViewItem.sticky`, `MainThreadMessageService._showMessage`);
 *   an info or warning toast hides after a few seconds, which is how medium requests were missed.
 *   Deny is its first (primary, highlighted) button.
 * - low: an info notification, Allow Once first (the policy usually allows these without asking).
 * A closed prompt answers nothing: the request stays in the Approvals view, its badge and the
 * status bar until someone answers it, or the broker denies it at its deadline.
 */
import { promptDetail, promptTitle } from '../../approvals/present';
import type { PendingApproval } from '../../approvals/types';
import { APPROVAL_LABELS, type ApprovalDecision } from '../../approvals/vocabulary';

export interface PromptPlan {
  kind: 'modal' | 'notification';
  /** Notification severity (see the module comment); `warning` for the modal. */
  severity: 'error' | 'warning' | 'info';
  /** The modal's title, or the notification's whole text. */
  message: string;
  /** The modal's detail text; none for notifications. */
  detail?: string;
  /** Button labels in order; the first is the default (modal) or primary (notification). */
  buttons: string[];
  /** The modal's close button (replaces VS Code's "Cancel"). */
  closeLabel?: string;
}

const DENY_FIRST: ApprovalDecision[] = ['deny', 'allow_once', 'allow_session'];
const ALLOW_FIRST: ApprovalDecision[] = ['allow_once', 'allow_session', 'deny'];

/** True above low: Deny is the default and the prompt must not go away on its own. */
export function denyByDefault(p: Pick<PendingApproval, 'risk'>): boolean {
  return p.risk !== 'low';
}

/** Buttons in order for `p`. */
export function buttonsFor(p: Pick<PendingApproval, 'risk'>): string[] {
  return (denyByDefault(p) ? DENY_FIRST : ALLOW_FIRST).map((d) => APPROVAL_LABELS.action[d]);
}

/** The decision of a clicked label; undefined for the close button, a dismissal, or anything else. */
export function decisionForLabel(label: string | undefined): ApprovalDecision | undefined {
  return (Object.keys(APPROVAL_LABELS.action) as ApprovalDecision[]).find((d) => APPROVAL_LABELS.action[d] === label);
}

/** `in 4 min 40 s`, `in 35 s`, `now`: how long until the deadline (ms since epoch) denies it. */
export function untilDeadline(deadline: number, now: number): string {
  const s = Math.max(0, Math.round((deadline - now) / 1000));
  if (s === 0) return 'now';
  const m = Math.floor(s / 60);
  return m ? `in ${m} min${s % 60 ? ` ${s % 60} s` : ''}` : `in ${s} s`;
}

/** What an unanswered prompt means, one sentence. */
export function unansweredNote(p: Pick<PendingApproval, 'deadline'>, now: number): string {
  return `Closing this answers nothing: the request waits in the Approvals view until you answer it, and is denied ${untilDeadline(p.deadline, now)} if nobody does.`;
}

/** The modal (high, critical) or notification (medium, low) for `p` at time `now` (ms). */
export function promptPlan(p: PendingApproval, now: number): PromptPlan {
  if (p.risk === 'high' || p.risk === 'critical') {
    return {
      kind: 'modal',
      severity: 'warning',
      message: promptTitle(p),
      detail: `${promptDetail(p)}\n\n${APPROVAL_LABELS.later} (or Escape): ${unansweredNote(p, now).replace(/^Closing this answers nothing: /, 'no answer yet; ')}`,
      buttons: buttonsFor(p),
      closeLabel: APPROVAL_LABELS.later,
    };
  }
  return notificationPlan(p, now);
}

/** The notification for `p`, also shown for a high request whose modal was closed unanswered. */
export function notificationPlan(p: PendingApproval, now: number): PromptPlan {
  return {
    kind: 'notification',
    severity: denyByDefault(p) ? 'error' : 'info',
    message: `Approval needed. ${promptTitle(p)}. ${promptDetail(p).replace(/\n/g, ' · ')}. ${unansweredNote(p, now)}`,
    buttons: buttonsFor(p),
  };
}
