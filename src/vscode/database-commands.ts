/**
 * "Codex Governance: Set Database Password" and "Clear Database Password": the password of the
 * team database (`codexGovernance.server.database`) in VS Code's secret storage (./database), and
 * the offer to restart the server so it takes effect.
 */
import { executeCommand } from './apis/commands.apis';
import { showInformationMessage, showInputBox, showWarningMessage } from './apis/window.apis';
import { databaseAccount, type DatabasePasswords } from './database';
import type { ExtensionHost } from './host';
import { OPEN_SETTING, SET_DATABASE_PASSWORD_COMMAND } from './server-prompts';
import { DATABASE_SETTING, type ServerSettings } from './settings';

export const DATABASE_COMMANDS = {
  setPassword: SET_DATABASE_PASSWORD_COMMAND,
  clearPassword: 'codexGovernance.server.clearDatabasePassword',
} as const;

/**
 * Registers both commands. Set takes an optional argument, the password (other extensions, tests);
 * without it a password box asks. Both resolve with true when something was stored or removed.
 */
export function registerDatabaseCommands(ctx: ExtensionHost, passwords: DatabasePasswords, settings: () => ServerSettings): void {
  ctx.registerCommand(DATABASE_COMMANDS.setPassword, async (arg?: unknown) => {
    const url = settings().database;
    if (!url) {
      const choice = await showWarningMessage(`Codex Governance: set ${DATABASE_SETTING} first (postgres://user@host:5432/database, without the password); the password is then kept for that user and host.`, OPEN_SETTING);
      if (choice === OPEN_SETTING) await executeCommand('workbench.action.openSettings', DATABASE_SETTING);
      return false;
    }
    const account = databaseAccount(url);
    const password =
      typeof arg === 'string'
        ? arg
        : await showInputBox({
            title: 'Codex Governance: Set Database Password',
            prompt: `Password of ${account} (kept in VS Code's secret storage, sent only to that host; never in settings or logs)`,
            password: true,
            ignoreFocusOut: true,
            validateInput: (v) => (v ? undefined : 'Type the password (Clear Database Password removes a stored one).'),
          });
    if (!password) return false;
    await passwords.set(url, password);
    offerRestart(ctx, `Codex Governance: database password stored for ${account}.`);
    return true;
  });

  ctx.registerCommand(DATABASE_COMMANDS.clearPassword, async () => {
    const account = await passwords.account();
    await passwords.clear();
    void showInformationMessage(account ? `Codex Governance: the database password for ${account} was removed from the secret storage.` : 'Codex Governance: no database password was stored.');
    return account !== undefined;
  });
}

/** A new password applies at the next start: offer it now when a server runs or failed here. */
function offerRestart(ctx: ExtensionHost, stored: string): void {
  const state = ctx.controller.state;
  const action = state.kind === 'running' ? 'Restart Server' : state.kind === 'error' || state.kind === 'stopped' ? 'Start Server' : undefined;
  if (!action) {
    void showInformationMessage(stored);
    return;
  }
  void showInformationMessage(`${stored} ${action === 'Restart Server' ? 'Restart the server to use it?' : 'Start the server with it?'}`, action).then(async (choice) => {
    if (choice !== action) return;
    await ctx.explain(action === 'Restart Server' ? await ctx.controller.restart() : await ctx.controller.start());
  });
}
