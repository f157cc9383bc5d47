/** The extension's commands. Each handler reports its own failures; none throws into VS Code. */
import { QuickPickItemKind } from 'vscode';
import { writeClipboard } from './apis/env.apis';
import { showInformationMessage, showQuickPick, showWarningMessage } from './apis/window.apis';
import type { ExtensionHost } from './host';
import { SET_DATABASE_PASSWORD_COMMAND, useAnotherPort } from './server-prompts';
import { urlOf, type ServerState } from './server-state';
import { SERVER_HOST } from './server-controller';
import { DATABASE_SETTING } from './settings';
import { connectionSnippets, type ConnectionSnippet, type SnippetKind } from './snippets';
import { SHOW_ACTIONS_COMMAND } from './status-bar';
import { serverMenuRows, type ServerMenuAction } from './status-menu';

export const COMMANDS = {
  startServer: 'codexGovernance.startServer',
  stopServer: 'codexGovernance.stopServer',
  restartServer: 'codexGovernance.restartServer',
  copyConnectionConfig: 'codexGovernance.copyConnectionConfig',
  copyToken: 'codexGovernance.copyToken',
  showLogs: 'codexGovernance.showLogs',
  showServerActions: SHOW_ACTIONS_COMMAND,
} as const;

/** Registers every command on `ctx` (disposed with it). */
export function registerCommands(ctx: ExtensionHost): void {
  ctx.registerCommand(COMMANDS.startServer, async () => {
    const state = await ctx.controller.start();
    void ctx.explain(state);
    return state.kind;
  });
  ctx.registerCommand(COMMANDS.stopServer, async () => (await ctx.controller.stop()).kind);
  ctx.registerCommand(COMMANDS.restartServer, async () => {
    const state = await ctx.controller.restart();
    void ctx.explain(state);
    return state.kind;
  });
  ctx.registerCommand(COMMANDS.copyConnectionConfig, (kind?: unknown) => copyConnectionConfig(ctx, kind));
  ctx.registerCommand(COMMANDS.copyToken, async () => {
    await writeClipboard(await ctx.tokens.get());
    void showInformationMessage('Codex Governance: server token copied to the clipboard. Keep it secret; agents send it as "Authorization: Bearer <token>".');
  });
  ctx.registerCommand(COMMANDS.showLogs, () => ctx.log.show(true));
  ctx.registerCommand(COMMANDS.showServerActions, () => showServerActions(ctx));
}

/**
 * Puts a connection snippet on the clipboard. `kind` ("codex" | "vscode" | "curl") skips the quick
 * pick (keybindings, tests); returns the kind copied, or undefined when cancelled.
 */
async function copyConnectionConfig(ctx: ExtensionHost, kind: unknown): Promise<SnippetKind | undefined> {
  let baseUrl = urlOf(ctx.controller.state);
  if (!baseUrl) {
    const port = ctx.controller.intendedPort();
    if (port === 0) {
      void showWarningMessage('Codex Governance: the server is not running and its port is chosen at start (setting 0). Start the server, then copy the config.');
      return undefined;
    }
    baseUrl = `http://${SERVER_HOST}:${port}`;
  }
  const snippets = connectionSnippets(baseUrl);
  let chosen: ConnectionSnippet | undefined;
  if (kind !== undefined) {
    chosen = snippets.find((s) => s.kind === kind);
    if (!chosen) throw new Error(`Unknown snippet kind ${JSON.stringify(kind)}; use one of ${snippets.map((s) => `"${s.kind}"`).join(', ')}.`);
  } else {
    chosen = await showQuickPick(
      snippets.map((s) => ({ label: s.label, detail: s.detail, snippet: s })),
      { title: 'Codex Governance: copy MCP connection config', placeHolder: `Server ${baseUrl}` },
    ).then((p) => p?.snippet);
  }
  if (!chosen) return undefined;
  await writeClipboard(chosen.text);
  const notRunning = urlOf(ctx.controller.state) ? '' : ' (the server is not running yet)';
  void showInformationMessage(`Codex Governance: ${chosen.label} snippet for ${baseUrl} copied to the clipboard${notRunning}.`);
  return chosen.kind;
}

async function showServerActions(ctx: ExtensionHost): Promise<void> {
  const state = ctx.controller.state;
  const run: Record<ServerMenuAction, () => unknown> = {
    start: async () => void ctx.explain(await ctx.controller.start()),
    useAnotherPort: () => useAnotherPort(ctx.promptDeps),
    openDatabaseSetting: () => ctx.runCommand('workbench.action.openSettings', DATABASE_SETTING),
    setDatabasePassword: () => ctx.runCommand(SET_DATABASE_PASSWORD_COMMAND),
    showSessions: () => ctx.runCommand('codexGovernance.showSessions'),
    showApprovals: () => ctx.runCommand('codexGovernance.showApprovals'),
    openMcpSettings: () => ctx.runCommand('codexGovernance.openMcpSettings'),
    copyConfig: () => copyConnectionConfig(ctx, undefined),
    copyToken: () => ctx.runCommand(COMMANDS.copyToken),
    showLogs: () => ctx.log.show(true),
    restart: async () => void ctx.explain(await ctx.controller.restart()),
    stop: () => ctx.controller.stop(),
  };
  const items = serverMenuRows(state).map((r) =>
    r.separator ? { label: r.label, kind: QuickPickItemKind.Separator } : { label: r.label, description: r.description, action: r.action },
  );
  const pick = await showQuickPick(items, { title: `Codex Governance: ${describe(state)}` });
  if (pick && 'action' in pick && pick.action) await run[pick.action]();
}

function describe(state: ServerState): string {
  switch (state.kind) {
    case 'running':
      return `server running at ${state.url}`;
    case 'external':
      return `server of another window at ${state.url}`;
    case 'starting':
      return 'server starting';
    case 'stopped':
      return 'server stopped';
    case 'error':
      return `server not running: ${state.message}`;
  }
}
