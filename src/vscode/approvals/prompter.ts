/**
 * The VS Code approval prompter (issue 4, issue 15): high and critical requests open a modal with
 * the command, cwd, sandbox, risk and the agent's justification; medium and low show a
 * notification with the same choices, medium one that stays on screen until answered or closed
 * (./prompt-plan says why and how). Every open request is also listed (see ./view, ./status) until
 * it is answered, the broker times it out, or the turn that asked ends. A modal closed with
 * "Decide Later" or Escape answers nothing: the request is then shown as a notification too, and
 * stays listed until it is answered there, in the view or the panel, or times out (deny).
 */
import * as vscode from 'vscode';
import { OpenRequests } from '../../approvals/open-requests';
import type { ApprovalPrompter, PendingApproval } from '../../approvals/types';
import type { ApprovalAnswer } from '../../approvals/vocabulary';
import { decisionForLabel, notificationPlan, promptPlan, type PromptPlan } from './prompt-plan';

/** The reason a denial from a prompt gives the agent. */
export const PROMPT_DENY_REASON = 'Denied in VS Code by the person reviewing the request.';

export class VsCodeApprovalPrompter implements ApprovalPrompter, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly asked = new vscode.EventEmitter<PendingApproval>();
  private readonly answeredByPerson = new vscode.EventEmitter<ApprovalAnswer>();
  private readonly requests = new OpenRequests(() => this.changed.fire());
  /** Fires when a request is added or leaves the list. */
  readonly onDidChange = this.changed.event;
  /** Fires once per new request, after it is listed. */
  readonly onDidAsk = this.asked.event;
  /** Fires when a person answered a request here (a prompt, the view, the panel); not for timeouts or ended turns. */
  readonly onDidAnswer = this.answeredByPerson.event;

  /** Open requests, oldest first. */
  list(): PendingApproval[] {
    return this.requests.list();
  }

  /**
   * Answers an open request (the view's inline buttons, the Approvals panel, a prompt).
   * @returns false when it is no longer open
   */
  answer(id: string, answer: ApprovalAnswer): boolean {
    const done = this.requests.answer(id, answer);
    if (done) this.answeredByPerson.fire(answer);
    return done;
  }

  prompt(pending: PendingApproval): Promise<ApprovalAnswer> {
    const answered = this.requests.hold(pending);
    this.asked.fire(pending);
    const plan = promptPlan(pending, Date.now());
    if (plan.kind === 'modal') {
      this.showModal(plan).then(
        (choice) => {
          if (!this.settle(pending, choice)) this.notify(pending);
        },
        // VS Code refused to show it (e.g. modals in extension tests): the notification and the view still show it.
        () => this.notify(pending),
      );
    } else {
      this.notify(pending);
    }
    return answered;
  }

  private showModal(plan: PromptPlan): Thenable<string | undefined> {
    const items: vscode.MessageItem[] = plan.buttons.map((title) => ({ title }));
    // The close affordance replaces VS Code's "Cancel": its label says that closing decides nothing.
    if (plan.closeLabel) items.push({ title: plan.closeLabel, isCloseAffordance: true });
    return vscode.window.showWarningMessage(plan.message, { modal: true, detail: plan.detail }, ...items).then((item) => item?.title);
  }

  /** The notification; does nothing once the request is no longer open (answered while a modal was up). */
  private notify(pending: PendingApproval): void {
    if (!this.list().some((p) => p.id === pending.id)) return;
    const plan = notificationPlan(pending, Date.now());
    const shown =
      plan.severity === 'error'
        ? vscode.window.showErrorMessage(plan.message, ...plan.buttons)
        : plan.severity === 'warning'
          ? vscode.window.showWarningMessage(plan.message, ...plan.buttons)
          : vscode.window.showInformationMessage(plan.message, ...plan.buttons);
    shown.then(
      (choice) => {
        if (choice === undefined || this.settle(pending, choice)) return;
        // A notification outlives its request (answered elsewhere, timed out): say so instead of doing nothing.
        void vscode.window.showInformationMessage('That approval request was already answered or timed out; nothing changed.');
      },
      () => undefined,
    );
  }

  /** Applies a clicked label. @returns true when it answered the request */
  private settle(pending: PendingApproval, choice: string | undefined): boolean {
    const decision = decisionForLabel(choice);
    if (!decision) return false;
    return this.answer(pending.id, decision === 'deny' ? { decision, reason: PROMPT_DENY_REASON } : { decision });
  }

  dispose(): void {
    this.requests.settleAll({ decision: 'deny', reason: 'VS Code closed the approval prompt (extension deactivated): denied.' });
    this.changed.dispose();
    this.asked.dispose();
    this.answeredByPerson.dispose();
  }
}
