/**
 * The VS Code approval prompter (issue 4): high and critical requests open a modal with the
 * command, cwd, sandbox, risk and the agent's justification; medium and low show a notification
 * with the same choices. Every open request is also listed (see ./view) until it is answered, the
 * broker times it out, or the turn that asked ends. A cancelled modal or closed notification is no
 * answer yet: the request stays in the Approvals view until it is answered there or times out (deny).
 */
import * as vscode from 'vscode';
import { answerForChoice, APPROVAL_CHOICES, CHOICE_ALLOW_ONCE, CHOICE_ALLOW_SESSION, CHOICE_DENY, needsModal, promptDetail, promptTitle } from '../../approvals/present';
import { OpenRequests } from '../../approvals/open-requests';
import type { ApprovalPrompter, PendingApproval } from '../../approvals/types';
import type { ApprovalAnswer } from '../../approvals/vocabulary';

export class VsCodeApprovalPrompter implements ApprovalPrompter, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly requests = new OpenRequests(() => this.changed.fire());
  /** Fires when a request is added or leaves the list. */
  readonly onDidChange = this.changed.event;

  /** Open requests, oldest first. */
  list(): PendingApproval[] {
    return this.requests.list();
  }

  /**
   * Answers an open request (the view's inline Approve / Deny, the Approvals panel).
   * @returns false when it is no longer open
   */
  answer(id: string, answer: ApprovalAnswer): boolean {
    return this.requests.answer(id, answer);
  }

  prompt(pending: PendingApproval): Promise<ApprovalAnswer> {
    const answered = this.requests.hold(pending);
    const modal = needsModal(pending);
    const shown = modal
      ? // Deny first: the first button is the modal's default, and a modal that pops up while the
        // person is typing must not turn a stray Enter into full access.
        vscode.window.showWarningMessage(promptTitle(pending), { modal: true, detail: promptDetail(pending) }, CHOICE_DENY, CHOICE_ALLOW_ONCE, CHOICE_ALLOW_SESSION)
      : vscode.window.showInformationMessage(`${promptTitle(pending)}. ${promptDetail(pending).replace(/\n/g, ' · ')}`, ...APPROVAL_CHOICES);
    shown.then(
      (choice) => {
        const answer = answerForChoice(choice);
        if (answer) this.requests.answer(pending.id, answer);
      },
      // VS Code refused to show it (e.g. modals in extension tests): the view still lists it, and the timeout denies.
      () => undefined,
    );
    return answered;
  }

  dispose(): void {
    this.requests.settleAll({ decision: 'deny', reason: 'VS Code closed the approval prompt (extension deactivated): denied.' });
    this.changed.dispose();
  }
}
