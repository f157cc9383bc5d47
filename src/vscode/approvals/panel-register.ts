/** Wires the Approvals panel (pending + audit history) and the Approve / Deny Pending commands. */
import type { Ctx } from '../ctx';
import type { ApprovalsUi } from './register';

export function registerApprovalsPanel(_ctx: Ctx, _ui: ApprovalsUi): void {
  // Filled in by the approvals panel work (issue 5).
}
