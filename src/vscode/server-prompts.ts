/**
 * User-facing prompts around the server: why a start failed and what to do (another port, the
 * logs, the settings), and the restart offer after a settings change. Prompts are never awaited by
 * the commands that trigger them, so a command finishes even while a notification stays open.
 */
import * as vscode from 'vscode';
import { executeCommand } from './apis/commands.apis';
import { showErrorMessage, showInformationMessage, showInputBox, showQuickPick } from './apis/window.apis';
import { getConfiguration } from './apis/workspace.apis';
import { findFreePort } from './net';
import type { ServerController } from './server-controller';
import type { ServerState } from './server-state';
import { DATABASE_SETTING, SETTINGS_SECTION } from './settings';

export const USE_ANOTHER_PORT = 'Use Another Port';
export const SHOW_LOGS = 'Show Logs';
export const OPEN_SETTINGS = 'Open Settings';
export const RETRY = 'Retry';
export const OPEN_SETTING = 'Open Setting';
export const SET_DATABASE_PASSWORD = 'Set Database Password';
/** package.json command id of "Codex Governance: Set Database Password". */
export const SET_DATABASE_PASSWORD_COMMAND = 'codexGovernance.server.setDatabasePassword';

export interface PromptDeps {
  controller: ServerController;
  showLogs(): void;
}

/** Explains a failed start with the actions that can fix it. Does nothing for other states. */
export async function explainState(deps: PromptDeps, state: ServerState): Promise<void> {
  if (state.kind === 'external') {
    void showInformationMessage(`Codex Governance: another VS Code window already runs the governance server at ${state.url}; this window uses it.`);
    return;
  }
  if (state.kind !== 'error') return;
  if (state.reason === 'port-in-use') {
    const port = state.port ?? '?';
    const choice = await showErrorMessage(
      `Codex Governance: port ${port} on 127.0.0.1 is already in use by another program, so the governance server did not start. Stop that program, or use another port.`,
      USE_ANOTHER_PORT,
      SHOW_LOGS,
    );
    if (choice === USE_ANOTHER_PORT) await useAnotherPort(deps);
    else if (choice === SHOW_LOGS) deps.showLogs();
    return;
  }
  if (state.reason === 'database') {
    // The message names the database (never its password); the status bar keeps showing why.
    const choice = await showErrorMessage(`Codex Governance: the governance server did not start. ${state.message}`, OPEN_SETTING, SET_DATABASE_PASSWORD, SHOW_LOGS);
    if (choice === OPEN_SETTING) await executeCommand('workbench.action.openSettings', DATABASE_SETTING);
    else if (choice === SET_DATABASE_PASSWORD) await executeCommand(SET_DATABASE_PASSWORD_COMMAND);
    else if (choice === SHOW_LOGS) deps.showLogs();
    return;
  }
  if (state.reason === 'settings') {
    const choice = await showErrorMessage(`Codex Governance: ${state.message}`, OPEN_SETTINGS);
    if (choice === OPEN_SETTINGS) await executeCommand('workbench.action.openSettings', `${SETTINGS_SECTION}.server`);
    return;
  }
  const choice = await showErrorMessage(`Codex Governance: the governance server did not start: ${state.message}`, RETRY, SHOW_LOGS);
  if (choice === SHOW_LOGS) deps.showLogs();
  else if (choice === RETRY) await explainState(deps, await deps.controller.start());
}

interface PortPick extends vscode.QuickPickItem {
  port?: number;
}

/**
 * Lets the user run the server on a free port (or one they type) for this session, then offers to
 * save it to `codexGovernance.server.port` in the scope that currently sets the port.
 */
export async function useAnotherPort(deps: PromptDeps): Promise<void> {
  const free = await findFreePort();
  const busy = deps.controller.state.kind === 'error' ? deps.controller.state.port : undefined;
  const pick = await showQuickPick<PortPick>(
    [
      { label: `$(zap) Use free port ${free}`, description: 'for this session', port: free },
      { label: '$(edit) Enter a port...', description: '1-65535' },
    ],
    { title: 'Codex Governance: choose a port for the server', placeHolder: busy ? `Port ${busy} is in use` : 'Choose a port' },
  );
  if (!pick) return;
  let port = pick.port;
  if (port === undefined) {
    const typed = await showInputBox({
      title: 'Codex Governance: server port',
      prompt: 'Port for the governance server on 127.0.0.1',
      value: String(free),
      validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 65535 ? undefined : 'Enter a whole number from 1 to 65535.'),
    });
    if (typed === undefined) return;
    port = Number(typed.trim());
  }
  deps.controller.setSessionPort(port);
  const state = await deps.controller.restart();
  if (state.kind !== 'running') {
    await explainState(deps, state);
    return;
  }
  const SAVE = 'Save to Settings';
  const choice = await showInformationMessage(
    `Codex Governance server running at ${state.url} for this session. Save port ${state.port} to the setting ${SETTINGS_SECTION}.server.port?`,
    SAVE,
  );
  if (choice === SAVE) await savePort(state.port);
}

/** Saving the running port does not ask for a restart: the settings listener sees nothing to change. */
async function savePort(port: number): Promise<void> {
  const config = getConfiguration(SETTINGS_SECTION);
  const inspected = config.inspect<number>('server.port');
  // Save where the effective value comes from, or the saved value would stay shadowed.
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('server.port', port, target);
}
