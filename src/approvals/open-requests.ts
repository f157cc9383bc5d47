/**
 * The approval requests a prompter holds open: each stays listed until it is answered (a button,
 * a view, a panel), or the broker settles it elsewhere (timeout, another answer, the turn ended:
 * its `signal` aborts). Plain TypeScript, shared by the VS Code prompter and the tests' prompters.
 */
import type { ApprovalAnswer } from './vocabulary';
import type { PendingApproval } from './types';

export class OpenRequests {
  private readonly open = new Map<string, { pending: PendingApproval; settle: (answer: ApprovalAnswer) => void }>();

  /** @param onChange called whenever a request is added or leaves the list */
  constructor(private readonly onChange: () => void) {}

  /** Open requests, oldest first. */
  list(): PendingApproval[] {
    return [...this.open.values()].map((o) => o.pending);
  }

  /**
   * Answers an open request.
   * @returns false when it is no longer open
   */
  answer(id: string, answer: ApprovalAnswer): boolean {
    const o = this.open.get(id);
    if (!o) return false;
    o.settle(answer);
    return true;
  }

  /**
   * Lists `pending` until it is answered; resolves with the first answer, or a denial once its
   * signal aborts (the broker no longer listens then).
   */
  hold(pending: PendingApproval): Promise<ApprovalAnswer> {
    return new Promise<ApprovalAnswer>((resolve) => {
      const settle = (answer: ApprovalAnswer) => {
        if (!this.open.delete(pending.id)) return;
        this.onChange();
        resolve(answer);
      };
      this.open.set(pending.id, { pending, settle });
      this.onChange();
      pending.signal.addEventListener('abort', () => settle({ decision: 'deny', reason: 'Settled elsewhere.' }), { once: true });
    });
  }

  /** Answers every open request with `answer` (e.g. a denial when the prompter goes away). */
  settleAll(answer: ApprovalAnswer): void {
    for (const o of [...this.open.values()]) o.settle(answer);
  }
}
