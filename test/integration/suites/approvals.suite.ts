/**
 * Approvals as a VS Code user meets them (issue 4): a `codex` call asking for danger-full-access
 * is listed in the Approvals view with a badge; Deny -> nothing runs and the caller gets the
 * reason; Allow Once -> the Codex session starts. The modal itself is checked by the runner in a
 * plain window (test/integration/modal-phase.mjs): VS Code refuses every modal dialog while it runs
 * extension tests, which is also why the requests here stay pending until the view answers them.
 * Needs the code-server runner (it reads and clicks the workbench).
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { askRunner } from '../bridge';
import { activateExtension, callTool, readToken, waitForState } from '../helpers';

export function registerApprovalsSuite(): void {
  describe('approvals in VS Code', function () {
    this.timeout(120_000);
    let url: string;
    let token: string;

    const call = (name: string, args: Record<string, unknown>) => callTool(url, token, 'approvals-it', name, args);
    const sessions = async () => ((await call('codex-session-info', {})).result as { count: number }).count;
    const cwd = () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

    before(async function () {
      const api = await activateExtension();
      await waitForState(api, (s) => s.kind === 'running');
      url = api.serverUrl()!;
      token = await readToken();
      await vscode.commands.executeCommand('codexGovernance.approvals.focus');
    });

    it('danger-full-access lists the request in the Approvals view with a badge; inline Deny runs nothing and the caller gets the reason', async function () {
      const before = await sessions();
      const pending = call('codex', { prompt: 'integration: full access please', sandbox: 'danger-full-access', ...(cwd() ? { cwd: cwd() } : {}) });
      const view = await askRunner({ op: 'view', name: 'approvals-view-pending', title: 'Approvals', items: ['HIGH risk'], badge: '1', click: { row: 'HIGH risk', action: 'Deny' } });
      if (!view.ok) assert.fail(`${view.error}; the call answered ${JSON.stringify(await Promise.race([pending, new Promise((r) => setTimeout(() => r('nothing yet'), 100))]))}`);
      assert.equal(view.text, '1', `badge: ${view.text}`);
      assert.ok(view.items?.some((r) => r.includes('wants a Codex session with full access') && r.includes('danger-full-access')), JSON.stringify(view.items));
      const body = await pending;
      assert.equal(body.success, false);
      assert.equal(body.error?.code, 'forbidden');
      assert.match(body.error?.message ?? '', /Denied in the VS Code Approvals view/);
      assert.equal(await sessions(), before, 'no Codex session started');
    });

    it('inline Allow Once starts the Codex session', async function () {
      const before = await sessions();
      const pending = call('codex', { prompt: 'integration: allowed', sandbox: 'danger-full-access', ...(cwd() ? { cwd: cwd() } : {}) });
      const view = await askRunner({ op: 'view', name: 'approvals-view-allow', title: 'Approvals', items: ['HIGH risk'], click: { row: 'HIGH risk', action: 'Allow Once' } });
      assert.ok(view.ok, view.error);
      const end = Date.now() + 30_000;
      while ((await sessions()) === before && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
      assert.equal(await sessions(), before + 1, 'the Codex session started after the yes');
      await call('codex-cleanup', { force: true });
      const body = await pending;
      assert.notEqual(body.error?.code, 'forbidden', JSON.stringify(body));
    });
  });
}
