/**
 * The Get Started walkthrough's progress (package.json `walkthroughs`, `completionEvents`
 * `onContext:`): the "first session" and "first approval" steps complete on the events they name,
 * not when a view opens. VS Code records a completed step for good, so the keys only ever go to true.
 * - {@link WALKTHROUGH_CONTEXT.sessionStarted}: a Codex session of the server in use is starting,
 *   running or idle (whoever started it: the New Session command, an agent's `codex` call);
 * - {@link WALKTHROUGH_CONTEXT.approvalAnswered}: a person answered an approval request here (a
 *   prompt, the Approvals view or panel); timeouts and ended turns do not count.
 */
import * as vscode from 'vscode';
import type { GovernanceClient } from '../client/types';
import type { VsCodeApprovalPrompter } from './approvals/prompter';
import type { ExtensionHost } from './host';

export const WALKTHROUGH_CONTEXT = {
  sessionStarted: 'codexGovernance.walkthrough.sessionStarted',
  approvalAnswered: 'codexGovernance.walkthrough.approvalAnswered',
} as const;

export function registerWalkthroughProgress(host: Pick<ExtensionHost, 'clients' | 'push'>, prompter: Pick<VsCodeApprovalPrompter, 'onDidAnswer'>): void {
  const set = (key: string) => void vscode.commands.executeCommand('setContext', key, true);
  const answered = host.push(
    prompter.onDidAnswer(() => {
      set(WALKTHROUGH_CONTEXT.approvalAnswered);
      answered.dispose();
    }),
  );

  let done = false;
  let unsubscribe: (() => void) | undefined;
  const stop = () => {
    unsubscribe?.();
    unsubscribe = undefined;
  };
  const check = async (client: GovernanceClient) => {
    if (done) return;
    const active = await client.listSessions(true).catch(() => []);
    if (active.length === 0 || done) return;
    done = true;
    set(WALKTHROUGH_CONTEXT.sessionStarted);
    stop();
  };
  const watch = (client: GovernanceClient | undefined) => {
    stop();
    if (!client || done) return;
    // Only the sessions topic: an HTTP client polls while subscribed, and stops once the step is done.
    unsubscribe = client.onDidChange((topics) => {
      if (topics.has('sessions')) void check(client);
    });
  };
  watch(host.clients.current);
  const off = host.clients.onDidChangeClient(watch);
  host.push({ dispose: () => (off(), stop()) });
}
