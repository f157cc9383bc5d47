/**
 * The Approvals panel as a person uses it in a real VS Code (issue 5): a `codex` call asking for
 * danger-full-access over HTTP waits in the panel with its context (VS Code refuses modals during
 * extension tests, so it stays pending); Deny with a reason typed in the page -> the caller gets
 * `forbidden` with that reason and History shows the denial; the Decision filter narrows History;
 * "Allow Pending..." from the command palette (shown only while a request waits) approves
 * another request through its quick pick; the page comes back with its filters after a reload.
 * Screenshots in the dark and light themes. Needs the code-server runner.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { askRunner, type WebviewAction } from '../bridge';
import { activateExtension, callTool, inBothThemes, readToken, until, waitForState } from '../helpers';

interface ApprovalsReport {
  pending: number;
  history: number;
  filters: Record<string, string>;
  renders: number;
}

const DENY_REASON = 'Not today: the panel test says no';

export function registerApprovalsPanelSuite(): void {
  describe('Approvals panel in VS Code', function () {
    this.timeout(120_000);
    let url: string;
    let token: string;

    const call = (name: string, args: Record<string, unknown>) => callTool(url, token, 'approvals-panel-it', name, args);
    const sessions = async () => ((await call('codex-session-info', {})).result as { count: number }).count;
    const cwd = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const fullAccess = (prompt: string) => call('codex', { prompt, sandbox: 'danger-full-access', ...(cwd() ? { cwd: cwd() } : {}) });

    async function inPage(name: string, actions: WebviewAction[]): Promise<string> {
      const r = await askRunner({ op: 'webview', name, actions });
      if (!r.ok) assert.fail(`${name}: ${r.error}\npage text: ${r.text}`);
      return r.text ?? '';
    }

    const inThemes = (name: string, actions: WebviewAction[]) => inBothThemes((suffix) => inPage(`${name}-${suffix}`, actions));

    before(async function () {
      const api = await activateExtension();
      await waitForState(api, (s) => s.kind === 'running');
      url = api.serverUrl()!;
      token = await readToken();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    after(async function () {
      await call('codex-cleanup', { force: true }).catch(() => undefined);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('a full-access request waits in the panel with its context; Deny with a typed reason -> the caller is refused with that reason and History shows the denial', async function () {
      const before = await sessions();
      const report = await vscode.commands.executeCommand<ApprovalsReport>('codexGovernance.showApprovals');
      assert.equal(typeof report.history, 'number', JSON.stringify(report));
      const pending = fullAccess('integration: panel says no');
      const shown = await inPage('approvals-panel-pending', [
        { waitText: '.pending-item h3', contains: 'wants a Codex session with full access' },
        { waitText: '.pending-item .meta', contains: 'danger-full-access' },
        { waitText: '.pending-item .left', contains: 'left before the timeout denies it' },
      ]);
      assert.match(shown, /Source\s+codex-full-access\s+Agent\s+approvals-panel-it[\s\S]*Sandbox\s+danger-full-access/, 'the context is shown');
      await inThemes('approvals-panel-pending', [{ waitText: '.pending-item .waiting', contains: 'Waiting' }]);
      await inPage('approvals-panel-deny', [
        { fill: '.pending-item .deny-reason input', value: DENY_REASON },
        { click: '.pending-item vscode-button.deny' },
        { waitText: '#answer-status', contains: `Denied. The agent was told: ${DENY_REASON}` },
        { waitText: '#pending .empty', contains: 'No approval requests are waiting' },
        { waitText: '#history-rows tr.history-row', contains: DENY_REASON },
      ]);
      const body = await pending;
      assert.equal(body.success, false);
      assert.equal(body.error?.code, 'forbidden');
      assert.ok(body.error?.message.includes(DENY_REASON), body.error?.message);
      assert.equal(await sessions(), before, 'no Codex session started');
      const row = await inPage('approvals-panel-history', [{ waitText: '#history-rows tr.history-row.denied', contains: 'by person' }]);
      assert.match(row, /approvals-panel-it\s+codex-full-access\s+sandbox: danger-full-access\s+HIGH\s+Denied\s+by person\s+Not today/);
    });

    it('"Allow Pending..." is in the command palette while a request waits, and its quick pick approves it', async function () {
      const before = await sessions();
      const pending = fullAccess('integration: approved from the palette');
      await inPage('approvals-panel-second-pending', [{ waitText: '.pending-item h3', contains: 'wants a Codex session with full access' }]);
      void vscode.commands.executeCommand('workbench.action.quickOpen', '>Codex Governance: Allow Pending');
      const palette = await askRunner({ op: 'quickpick', name: 'approvals-panel-palette', items: ['Allow Pending...'], select: 'Allow Pending...' });
      assert.ok(palette.ok, palette.error);
      const pick = await askRunner({ op: 'quickpick', name: 'approvals-panel-quickpick', items: ['HIGH risk: approvals-panel-it wants a Codex session with full access'], select: 'HIGH risk' });
      assert.ok(pick.ok, pick.error);
      assert.equal(pick.items?.length, 1, `one row for the one request: ${JSON.stringify(pick.items)}`);
      assert.match(pick.items?.[0] ?? '', /left.*Sandbox: danger-full-access.*Agent: approvals-panel-it/);
      const end = Date.now() + 30_000;
      while ((await sessions()) === before && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      assert.equal(await sessions(), before + 1, 'the Codex session started after the yes');
      await inPage('approvals-panel-approved', [{ waitText: '#history-rows tr.history-row.allowed', contains: 'Allowed once' }]);
      await call('codex-cleanup', { force: true });
      const body = await pending;
      assert.notEqual(body.error?.code, 'forbidden', JSON.stringify(body));
    });

    it('the Decision filter narrows History to denials, and the page keeps it across a reload', async function () {
      const text = await inPage('approvals-panel-filtered', [
        { click: '#filter-outcome' },
        { click: '#filter-outcome li[role=option]:has-text("Denied")' },
        { waitText: '#history-status', contains: 'filtered by outcome = denied' },
      ]);
      const rows = text.slice(text.indexOf('Reason'));
      assert.ok(rows.includes(DENY_REASON), rows);
      assert.ok(!rows.includes('Allowed once'), `only denials are listed: ${rows}`);
      const filtered = await vscode.commands.executeCommand<ApprovalsReport>('codexGovernance.showApprovals');
      assert.deepEqual(filtered.filters, { outcome: 'denied' });
      await inThemes('approvals-panel-history-denied', [{ waitText: '#history-status', contains: 'outcome = denied' }]);

      await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
      const reloaded = await until(async () => {
        const r = await vscode.commands.executeCommand<ApprovalsReport>('codexGovernance.showApprovals');
        return r.renders > filtered.renders ? r : undefined;
      });
      assert.deepEqual(reloaded.filters, { outcome: 'denied' });
      assert.equal(reloaded.history, filtered.history);
      await inPage('approvals-panel-reloaded', [{ waitText: '#history-status', contains: 'filtered by outcome = denied' }]);
    });
  });
}
