/**
 * Team mode in a real VS Code (issue 16 parts 1 and 4): `codexGovernance.server.database` with a
 * password in it is refused (masked); the password typed into "Set Database Password" opens a real
 * PostgreSQL database that asks for one (throwaway cluster, scram-sha-256); the Approvals panel's
 * history shows an answer another server wrote to the shared audit table, "answered on" that
 * server; a wrong password leaves the server stopped with "Governance: database" in the status bar
 * and a notification naming the database with Open Setting. Back on the SQLite file at the end.
 * Needs the code-server runner (notifications, input box, status bar, the page).
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import * as vscode from 'vscode';
import type { CodexGovernanceApi } from '../../../src/vscode/api';
import { askRunner } from '../bridge';
import { activateExtension, readToken, waitForState } from '../helpers';
import { passwordDatabase, type PasswordDatabase } from '../../helpers/postgres-password';
import { stopPostgres } from '../../helpers/postgres';

const PASSWORD = 'team it: p@ss/w%rd';

export function registerTeamDatabaseSuite(): void {
  describe('team database in VS Code', function () {
    this.timeout(180_000);
    let api: CodexGovernanceApi;
    let db: PasswordDatabase;
    const config = () => vscode.workspace.getConfiguration('codexGovernance');

    async function seen(request: Parameters<typeof askRunner>[0]): Promise<string> {
      const r = await askRunner(request);
      if (!r.ok) assert.fail(`${request.name}: ${r.error}\nseen: ${r.text}`);
      return `${r.text ?? ''} ${(r.buttons ?? []).join(' ')}`;
    }

    before(async function () {
      api = await activateExtension();
      await waitForState(api, (s) => s.kind === 'running');
      db = await passwordDatabase('vsc_it_team', 'vsc_it_team_user', PASSWORD);
      // After the other suites the notification center is full and scrolled: its shadow covers the
      // buttons of the newest rows. A person clears it first.
      await vscode.commands.executeCommand('notifications.clearAll');
    });

    after(async function () {
      await vscode.commands.executeCommand('codexGovernance.server.clearDatabasePassword');
      await config().update('server.database', undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('codexGovernance.restartServer');
      await waitForState(api, (s) => s.kind === 'running');
      await stopPostgres();
    });

    it('refuses a URL with the password in it, naming the setting and the command, the password masked', async function () {
      const withPassword = db.url.replace('vsc_it_team_user@', `vsc_it_team_user:${encodeURIComponent(PASSWORD)}@`);
      await config().update('server.database', withPassword, vscode.ConfigurationTarget.Global);
      const text = await seen({ op: 'notification', name: 'team-db-password-in-url', contains: 'contains a password' });
      assert.match(text, /postgres:\/\/vsc_it_team_user:\*\*\*\*@127\.0\.0\.1/);
      assert.match(text, /Set Database Password/);
      assert.ok(!text.includes(PASSWORD) && !text.includes(encodeURIComponent(PASSWORD)), text);
      assert.equal(api.state().kind, 'running', 'the running server is left alone');
    });

    it('Set Database Password (typed into the password box) then Restart Server: the server runs on the team database', async function () {
      await vscode.commands.executeCommand('notifications.clearAll');
      await config().update('server.database', db.url, vscode.ConfigurationTarget.Global);
      const typed = vscode.commands.executeCommand('codexGovernance.server.setDatabasePassword');
      await seen({ op: 'inputbox', name: 'team-db-password-box', contains: `Password of ${db.account}`, value: PASSWORD });
      assert.equal(await typed, true);
      await seen({ op: 'notification', name: 'team-db-password-stored', contains: `database password stored for ${db.account}`, click: 'Restart Server' });
      const state = await waitForState(api, (s) => s.kind === 'running' || s.kind === 'error', 60_000);
      assert.equal(state.kind, 'running', JSON.stringify(state));
      const health = (await (await fetch(`${api.serverUrl()}/health`, { headers: { authorization: `Bearer ${await readToken()}` } })).json()) as { database?: { kind?: string } };
      assert.equal(health.database?.kind, 'postgres', JSON.stringify(health));
      assert.ok(!JSON.stringify(health).includes(encodeURIComponent(PASSWORD)));
    });

    it("the Approvals panel's history shows another server's answer from the shared table, answered on that server", async function () {
      const admin = new pg.Client({ connectionString: db.adminUrl });
      await admin.connect();
      try {
        const entry = { ts: new Date().toISOString(), type: 'approval.answered', id: 'team-it-1', source: 'codex-exec', agent: 'ci-agent', command: 'npm publish', risk: 'high', decision: 'deny', decided_by: 'person', reason: 'Not from CI' };
        await admin.query('INSERT INTO audit_log (at, server, entry) VALUES ($1, $2, $3)', [entry.ts, 'ci-runner:9000', JSON.stringify(entry)]);
      } finally {
        await admin.end();
      }
      await vscode.commands.executeCommand('codexGovernance.showApprovals');
      const r = await askRunner({ op: 'webview', name: 'team-db-approvals-history', actions: [{ waitText: '#history-rows', contains: 'answered on ci-runner:9000' }, { waitText: '#history-status', contains: "Every team server's answers" }] });
      assert.ok(r.ok, `${r.error}\npage: ${r.text}`);
      assert.match(r.text ?? '', /npm publish/);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('a wrong password: the server stays stopped, the status bar says database, the notification names the database with Open Setting', async function () {
      assert.equal(await vscode.commands.executeCommand('codexGovernance.server.setDatabasePassword', `${PASSWORD}-wrong`), true);
      assert.equal(await vscode.commands.executeCommand('codexGovernance.restartServer'), 'error');
      const state = api.state();
      assert.equal(state.kind === 'error' && state.reason, 'database', JSON.stringify(state));
      await seen({ op: 'statusbar', name: 'team-db-statusbar-error', contains: ['Governance: database'] });
      const text = await seen({ op: 'notification', name: 'team-db-login-refused', contains: 'refused the login' });
      assert.match(text, new RegExp(`postgres://${db.account.replace(/\./g, '\\.')}/vsc_it_team_`));
      assert.match(text, /Open Setting/);
      assert.ok(!text.includes(PASSWORD), text);
    });
  });
}
