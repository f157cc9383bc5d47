/** The status bar item showing the server state and URL; a click opens the server actions. */
import * as vscode from 'vscode';
import { createStatusBarItem } from './apis/window.apis';
import { presentStatus, type ServerState } from './server-state';

export const SHOW_ACTIONS_COMMAND = 'codexGovernance.showServerActions';

export class GovernanceStatusBar implements vscode.Disposable {
  private readonly item = createStatusBarItem('codexGovernance.server', vscode.StatusBarAlignment.Left, 50);

  constructor(state: ServerState) {
    this.item.name = 'Codex Governance Server';
    this.item.command = SHOW_ACTIONS_COMMAND;
    this.update(state);
    this.item.show();
  }

  update(state: ServerState): void {
    const p = presentStatus(state);
    this.item.text = p.text;
    this.item.tooltip = p.tooltip;
    this.item.backgroundColor = p.isError ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.accessibilityInformation = { label: p.text.replace(/\$\([^)]*\)\s*/g, ''), role: 'button' };
  }

  dispose(): void {
    this.item.dispose();
  }
}
