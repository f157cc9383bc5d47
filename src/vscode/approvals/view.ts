/**
 * The Approvals view: every open approval request, with a badge counting them and inline
 * Approve / Deny buttons (commands `codexGovernance.approvals.approve` / `.deny`, menu
 * `view/item/context` group `inline`, package.json).
 */
import * as vscode from 'vscode';
import { promptDetail, promptTitle } from '../../approvals/present';
import type { PendingApproval } from '../../approvals/types';
import type { VsCodeApprovalPrompter } from './prompter';

export const APPROVALS_VIEW_ID = 'codexGovernance.approvals';
export const PENDING_CONTEXT_VALUE = 'codexGovernance.pendingApproval';

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

  getTreeItem(p: PendingApproval): vscode.TreeItem {
    const item = new vscode.TreeItem(promptTitle(p), vscode.TreeItemCollapsibleState.None);
    item.id = p.id;
    item.description = p.command ?? p.sandbox ?? '';
    item.tooltip = promptDetail(p);
    item.contextValue = PENDING_CONTEXT_VALUE;
    item.iconPath = new vscode.ThemeIcon(p.risk === 'high' || p.risk === 'critical' ? 'warning' : 'question');
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
    view.badge = n ? { value: n, tooltip: `${n} approval request${n === 1 ? '' : 's'} waiting` } : undefined;
    view.message = n ? undefined : 'No approval requests are waiting.';
  };
  const sub = prompter.onDidChange(update);
  update();
  return vscode.Disposable.from(sub, view, provider);
}
