/**
 * The VS Code approval prompter (issue 4): high and critical requests open a modal with the
 * command, cwd, sandbox, risk and the agent's justification; medium and low show a notification
 * with the same choices. Every open request is also listed (see ./view) until it is answered, the
 * broker times it out, or the turn that asked ends. A cancelled modal or closed notification is no
 * answer yet: the request stays in the Approvals view until it is answered there or times out (deny).
 */
import * as vscode from 'vscode';
import { answerForChoice, APPROVAL_CHOICES, CHOICE_ALLOW_ONCE, CHOICE_ALLOW_SESSION, CHOICE_DENY, needsModal, promptDetail, promptTitle } from '../../approvals/present';
import type { ApprovalPrompter, PendingApproval } from '../../approvals/types';
import type { ApprovalAnswer } from '../../supervisor/approvals';

interface Open {
  pending: PendingApproval;
  settle: (answer: ApprovalAnswer) => void;
}

export class VsCodeApprovalPrompter implements ApprovalPrompter, vscode.Disposable {
  private readonly open = new Map<string, Open>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a request is added or leaves the list. */
  readonly onDidChange = this.changed.event;

  /** Open requests, oldest first. */
  list(): PendingApproval[] {
    return [...this.open.values()].map((o) => o.pending);
  }

  /**
   * Answers an open request (the view's inline Approve / Deny).
   * @returns false when it is no longer open
   */
  answer(id: string, answer: ApprovalAnswer): boolean {
    const o = this.open.get(id);
    if (!o) return false;
    o.settle(answer);
    return true;
  }

  prompt(pending: PendingApproval): Promise<ApprovalAnswer> {
    return new Promise<ApprovalAnswer>((resolve) => {
      const settle = (answer: ApprovalAnswer) => {
        if (!this.open.delete(pending.id)) return;
        this.changed.fire();
        resolve(answer);
      };
      this.open.set(pending.id, { pending, settle });
      this.changed.fire();
      // Settled by the broker (timeout, another answer, turn ended): the broker no longer listens.
      pending.signal.addEventListener('abort', () => settle({ decision: 'deny', reason: 'Settled elsewhere.' }), { once: true });
      const modal = needsModal(pending);
      const shown = modal
        ? // Deny first: the first button is the modal's default, and a modal that pops up while the
          // person is typing must not turn a stray Enter into full access.
          vscode.window.showWarningMessage(promptTitle(pending), { modal: true, detail: promptDetail(pending) }, CHOICE_DENY, CHOICE_ALLOW_ONCE, CHOICE_ALLOW_SESSION)
        : vscode.window.showInformationMessage(`${promptTitle(pending)}. ${promptDetail(pending).replace(/\n/g, ' · ')}`, ...APPROVAL_CHOICES);
      shown.then(
        (choice) => {
          const answer = answerForChoice(choice);
          if (answer) settle(answer);
        },
        // VS Code refused to show it (e.g. modals in extension tests): the view still lists it, and the timeout denies.
        () => undefined,
      );
    });
  }

  dispose(): void {
    for (const o of [...this.open.values()]) o.settle({ decision: 'deny', reason: 'VS Code closed the approval prompt (extension deactivated): denied.' });
    this.changed.dispose();
  }
}
