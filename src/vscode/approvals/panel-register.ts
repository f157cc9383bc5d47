/**
 * Wires the Approvals panel (pending requests + audit history), its serializer, the commands
 * `showApprovals`, `approvePending`, `denyPending`, and the `codexGovernance.approvalsPending`
 * context key that shows the last two in the palette only while a request waits.
 */
import * as vscode from 'vscode';
import { APPROVALS_VIEW_TYPE } from '../../webviews/approvals/protocol';
import type { ExtensionHost } from '../host';
import { PanelHost } from '../panels/panel-host';
import { ApprovalsPanelHandler } from './panel-handler';
import { PICK_DENY_REASON, pendingPickItems } from './panel-pick';
import type { ApprovalsUi } from './register';

export const APPROVALS_PANEL_COMMANDS = {
  show: 'codexGovernance.showApprovals',
  approvePending: 'codexGovernance.approvePending',
  denyPending: 'codexGovernance.denyPending',
} as const;

/** True while at least one approval request waits in this window (package.json `when` clauses). */
export const APPROVALS_PENDING_CONTEXT = 'codexGovernance.approvalsPending';

const REMOTE_NOTE =
  'The governance server runs in another VS Code window: its approval requests wait there. The history below is that server\'s audit log.';

export function registerApprovalsPanel(ctx: ExtensionHost, ui: ApprovalsUi): void {
  const prompter = ui.prompter;
  // The audit log of the server in use: this window's, or GET /audit of another window's.
  const auditSource = () => ctx.clients.current;
  const host = ctx.push(
    new PanelHost<ApprovalsPanelHandler>(
      {
        viewType: APPROVALS_VIEW_TYPE,
        title: 'Approvals',
        page: 'approvals',
        createHandler: ({ post }) => new ApprovalsPanelHandler(prompter, auditSource, post, { remoteNote: REMOTE_NOTE }),
      },
      ctx.extensionUri,
      (err) => ctx.reportError(err),
    ),
  );
  // Optional argument: history filters ({ outcome, risk, source, agent, text }); resolves with what the page drew.
  ctx.registerCommand(APPROVALS_PANEL_COMMANDS.show, (args?: unknown) => host.show(args));
  ctx.registerCommand(APPROVALS_PANEL_COMMANDS.approvePending, async () => {
    const id = await pickPending('Approve which request? (allowed once)');
    return id && prompter.answer(id, { decision: 'allow_once' }) ? id : undefined;
  });
  ctx.registerCommand(APPROVALS_PANEL_COMMANDS.denyPending, async () => {
    const id = await pickPending('Deny which request?');
    if (!id) return undefined;
    const reason = await vscode.window.showInputBox({
      title: 'Deny Pending Request',
      prompt: 'Reason the agent is told',
      value: PICK_DENY_REASON,
      valueSelection: [0, PICK_DENY_REASON.length],
      ignoreFocusOut: true,
    });
    if (reason === undefined) return undefined;
    return prompter.answer(id, { decision: 'deny', reason: reason.trim() || PICK_DENY_REASON }) ? id : undefined;
  });

  async function pickPending(placeHolder: string): Promise<string | undefined> {
    const items = pendingPickItems(prompter.list(), Date.now());
    if (items.length === 0) {
      void vscode.window.showInformationMessage('No approval requests are waiting.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(items, { title: 'Pending Approval Requests', placeHolder, matchOnDescription: true, matchOnDetail: true, ignoreFocusOut: true });
    return picked?.id;
  }

  const setPendingContext = () => void vscode.commands.executeCommand('setContext', APPROVALS_PENDING_CONTEXT, prompter.list().length > 0);
  setPendingContext();
  ctx.push(prompter.onDidChange(setPendingContext));
  // Another server (started here, or moved to another window): the page loads its history again.
  const off = ctx.clients.onDidChangeClient(() => host.reload());
  ctx.push({ dispose: off });
}
