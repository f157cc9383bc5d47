/**
 * `codexGovernance.codex.path` checked when it changes (and once at activation when it is set),
 * before anyone types a prompt (./codex-path runs the supervisor's own locate code):
 * - unusable: an error naming the setting, the path and the cause, with "Open Setting";
 * - usable (or cleared): this window's running server is restarted for the person, so the next
 *   session uses it (the supervisor locates Codex when the server starts).
 */
import * as vscode from 'vscode';
import type { CodexBackend } from '../supervisor/locate';
import { checkCodexPath, CODEX_PATH_SETTING, OPEN_SETTING } from './codex-path';
import type { ExtensionHost } from './host';
import { SETTINGS_SECTION } from './settings';

function readPathSetting(): { path: string; backend: CodexBackend | 'auto' } {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const path = config.get<unknown>('codex.path');
  const backend = config.get<unknown>('codex.backend');
  return {
    path: typeof path === 'string' ? path.trim() : '',
    backend: backend === 'mcp-server' || backend === 'app-server' ? backend : 'auto',
  };
}

/** Checks the setting on change (restarting the server when it is usable) and once now if set. */
export function registerCodexPathCheck(host: Pick<ExtensionHost, 'controller' | 'push' | 'logger' | 'explain'>): void {
  let generation = 0;
  const run = async (changed: boolean) => {
    const mine = ++generation;
    const { path, backend } = readPathSetting();
    const result = path ? await checkCodexPath(path, backend) : undefined;
    // A newer change replaced this one while --version ran.
    if (mine !== generation) return;
    if (result && !result.ok) {
      host.logger.error(result.message);
      const choice = await vscode.window.showErrorMessage(`Codex Governance: ${result.message}`, OPEN_SETTING);
      if (choice === OPEN_SETTING) await vscode.commands.executeCommand('workbench.action.openSettings', CODEX_PATH_SETTING);
      return;
    }
    if (result?.ok) host.logger.info(`${CODEX_PATH_SETTING}: Codex ${result.located.version} at ${result.located.path} (${result.located.backend}).`);
    if (!changed || host.controller.state.kind !== 'running') return;
    const found = result?.ok ? `Codex ${result.located.version} (${result.located.backend})` : 'codex on PATH or the bundled copy';
    void vscode.window.showInformationMessage(`Codex Governance: restarting the server to use ${found}.`);
    await host.explain(await host.controller.restart());
  };
  host.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(CODEX_PATH_SETTING)) void run(true);
    }),
  );
  if (readPathSetting().path) void run(false);
}
