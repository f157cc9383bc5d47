/**
 * The Approvals view: every open approval request, with a badge counting them and inline
 * Allow Once / Allow for This Session / Deny buttons (commands `codexGovernance.approvals.approve`,
 * `.approveForSession`, `.deny`, menu `view/item/context` group `inline`, package.json). A request
 * above low risk reveals the view (without taking the keyboard focus) so it cannot go unseen.
 */
import * as vscode from 'vscode';
import type { PendingApproval } from '../../approvals/types';
import type { VsCodeApprovalPrompter } from './prompter';
import { denyByDefault } from './prompt-plan';
import { approvalRow, approvalsBadge, approvalsMessage } from './view-model';

export const APPROVALS_VIEW_ID = 'codexGovernance.approvals';

class ApprovalsProvider implements vscode.TreeDataProvider<PendingApproval> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly prompter: VsCodeApprovalPrompter) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(element?: PendingApproval): PendingApproval[] {
    return element ? [] : this.prompter.list();
  }

  /** Every row is at the root; reveal() needs this. */
  getParent(): undefined {
    return undefined;
  }

  getTreeItem(p: PendingApproval): vscode.TreeItem {
    const row = approvalRow(p);
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = row.id;
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.contextValue = row.contextValue;
    item.iconPath = new vscode.ThemeIcon(row.icon);
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Creates the view; its badge follows the number of open requests. */
export function createApprovalsView(prompter: VsCodeApprovalPrompter): vscode.Disposable {
  const provider = new ApprovalsProvider(prompter);
  const view = vscode.window.createTreeView(APPROVALS_VIEW_ID, { treeDataProvider: provider });
  const update = () => {
    provider.refresh();
    const n = prompter.list().length;
    view.badge = approvalsBadge(n);
    view.message = approvalsMessage(n);
  };
  const sub = prompter.onDidChange(update);
  const reveal = prompter.onDidAsk((p) => {
    if (!denyByDefault(p)) return;
    // After the refresh that lists it; a failed reveal (view disposed) leaves the notification and the status bar.
    setTimeout(() => void Promise.resolve(view.reveal(p, { select: false, focus: false })).catch(() => undefined), 0);
  });
  update();
  return vscode.Disposable.from(sub, reveal, view, provider);
}
