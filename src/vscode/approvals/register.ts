/**
 * Wires approvals into the extension: the VS Code prompter, the Approvals view and its status bar
 * count, the inline Allow Once / Allow for This Session / Deny commands, the policy from `codexGovernance.approvals.*` (read on every request, so
 * a settings change applies at once), and the confirmation that turning on `autoApproveHigh`
 * requires. The server gets them through {@link ApprovalsUi.serverOptions} when it starts.
 */
import * as vscode from 'vscode';
import { approvalPolicyFromSettings } from '../../approvals/present';
import type { GovernanceApprovalOptions } from '../../server/app';
import { SETTINGS_SECTION } from '../settings';
import { VsCodeApprovalPrompter } from './prompter';
import { createApprovalsStatus } from './status';
import { createApprovalsView } from './view';

export interface ApprovalsHost {
  push<T extends vscode.Disposable>(d: T): T;
  registerCommand(id: string, handler: (...args: unknown[]) => unknown): void;
  runCommand?(id: string, ...args: unknown[]): Thenable<unknown>;
}

export interface ApprovalsUi {
  readonly prompter: VsCodeApprovalPrompter;
  /** What `startGovernanceServer` gets as `approvals`. */
  serverOptions(): GovernanceApprovalOptions;
}

const CONFIRM_HIGH = 'Allow High Risk Without Asking';

export function registerApprovals(host: ApprovalsHost): ApprovalsUi {
  const prompter = host.push(new VsCodeApprovalPrompter());
  host.push(createApprovalsView(prompter));
  host.push(createApprovalsStatus(prompter));
  // An agent that only asks (no update yet) is listed in the Agents view from its audit line: show it now.
  host.push(prompter.onDidAsk(() => void Promise.resolve(host.runCommand?.('codexGovernance.refreshAgents')).catch(() => undefined)));
  const idOf = (item: unknown) => (item as { id?: string } | undefined)?.id;
  host.registerCommand('codexGovernance.approvals.approve', (item) => {
    const id = idOf(item);
    if (id) prompter.answer(id, { decision: 'allow_once' });
  });
  host.registerCommand('codexGovernance.approvals.approveForSession', (item) => {
    const id = idOf(item);
    if (id) prompter.answer(id, { decision: 'allow_session' });
  });
  host.registerCommand('codexGovernance.approvals.deny', (item) => {
    const id = idOf(item);
    if (id) prompter.answer(id, { decision: 'deny', reason: 'Denied in the VS Code Approvals view by the person reviewing the request.' });
  });
  host.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration(`${SETTINGS_SECTION}.approvals.autoApproveHigh`)) return;
      const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
      if (config.get('approvals.autoApproveHigh') !== true || config.get('approvals.confirmAutoApproveHigh') === true) return;
      const choice = await vscode.window.showWarningMessage(
        'Allow high-risk requests without asking?',
        { modal: true, detail: 'Codex sessions with danger-full-access, and escalated commands in them, would run without a prompt. Critical requests are still never auto-approved.' },
        CONFIRM_HIGH,
      );
      if (choice === CONFIRM_HIGH) await config.update('approvals.confirmAutoApproveHigh', true, vscode.ConfigurationTarget.Global);
      else await config.update('approvals.autoApproveHigh', false, vscode.ConfigurationTarget.Global);
    }),
  );
  return {
    prompter,
    serverOptions: () => ({
      prompter,
      policy: () => {
        const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
        return approvalPolicyFromSettings((key) => config.get(key));
      },
    }),
  };
}
