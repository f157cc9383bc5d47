/**
 * The status bar entry counting the approval requests that wait in this window ("2 approvals
 * waiting", warning colours while one is above low risk); a click shows the Approvals view.
 * Hidden while none waits.
 */
import * as vscode from 'vscode';
import type { VsCodeApprovalPrompter } from './prompter';
import { approvalsStatus } from './view-model';

/** The command the entry runs: VS Code's own "focus the view" command of the Approvals view. */
export const FOCUS_APPROVALS_VIEW = 'codexGovernance.approvals.focus';

export function createApprovalsStatus(prompter: VsCodeApprovalPrompter): vscode.Disposable {
  // Beside the server entry (priority 50), to its right.
  const item = vscode.window.createStatusBarItem('codexGovernance.approvalsWaiting', vscode.StatusBarAlignment.Left, 49);
  item.name = 'Codex Governance Approvals';
  item.command = FOCUS_APPROVALS_VIEW;
  const update = () => {
    const s = approvalsStatus(prompter.list());
    if (!s) {
      item.hide();
      return;
    }
    item.text = s.text;
    item.tooltip = s.tooltip;
    item.backgroundColor = s.urgent ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    item.accessibilityInformation = { label: s.text.replace(/\$\([^)]*\)\s*/g, ''), role: 'button' };
    item.show();
  };
  update();
  return vscode.Disposable.from(prompter.onDidChange(update), item);
}
