/**
 * "Connect Codex to Governance" and "Disconnect Codex from Governance": the edit is shown first, as
 * a diff editor of the config file against the text that would be written (plus the unified diff in
 * the log), and written only when the person picks Connect (or Connect and Trust Hooks, which shows
 * the diff again with the trust lines) in the notification. Nothing is written on dismissal.
 *
 * After the server moved to another port ("Use Another Port"), an old HTTP entry of ours that still
 * names the previous port would send the token to whatever listens there: the person is offered to
 * replace it with the bridge, which has no port at all.
 */
import * as vscode from 'vscode';
import { loadConfigFile, type ConfigFileRef } from '../../config';
import type { PreparedConnect, PreparedDisconnect } from '../../config/codex-connect';
import { CODEX_TRUST_HELP } from '../../config/hooks-toml';
import type { ExtensionHost } from '../host';
import type { ServerState } from '../server-state';

export const CONNECT_COMMANDS = {
  connect: 'codexGovernance.connectCodexToGovernance',
  disconnect: 'codexGovernance.disconnectCodexFromGovernance',
} as const;

const PROPOSED_SCHEME = 'codex-governance-proposed';
export const CONNECT = 'Connect';
export const CONNECT_AND_TRUST = 'Connect and Trust Hooks';
export const DISCONNECT = 'Disconnect';

export interface ConnectCommandDeps {
  /** The config file to use: the argument's, else the user config. */
  file(arg: unknown): Promise<ConfigFileRef | undefined>;
  /** Refreshes the MCP settings page after a write. */
  refresh(): Promise<void>;
}

/** What the connect command resolves with (for tests and other commands). */
export interface ConnectOutcome {
  file: string;
  outcome: 'connected' | 'unchanged' | 'cancelled';
  hooks: number;
  trusted: boolean;
}

export function registerConnectCommands(ctx: ExtensionHost, deps: ConnectCommandDeps): void {
  const proposed = new Map<string, string>();
  const changed = ctx.push(new vscode.EventEmitter<vscode.Uri>());
  ctx.push(
    vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, {
      onDidChange: changed.event,
      provideTextDocumentContent: (uri) => proposed.get(uri.toString()) ?? '',
    }),
  );

  /** Opens the diff editor (current file | proposed text) and logs the unified diff. */
  const showDiff = async (file: string, before: string, after: string, diff: string, title: string) => {
    const right = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: file, query: String(Date.now()) });
    proposed.set(right.toString(), after);
    const left = before === '' ? vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `${file}.empty` }) : vscode.Uri.file(file);
    ctx.logger.info(`${title}:\n${diff}`);
    await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
  };

  ctx.registerCommand(CONNECT_COMMANDS.connect, async (arg?: unknown): Promise<ConnectOutcome | undefined> => {
    const ref = await deps.file(arg);
    if (!ref) return undefined;
    const { prepareVsCodeConnect } = await import('./connect');
    const { applyConnect, codexHooksWarning } = await import('../../config/codex-connect');
    const offline = vscode.workspace.getConfiguration('codexGovernance.hooks').get<string>('offline') === 'deny' ? 'deny' : 'defer';
    const request = { file: ref.path, kind: ref.kind, storageDir: ctx.storageDir, extensionPath: ctx.extensionUri.fsPath, token: await ctx.tokens.get(), hooks: true, offline } as const;
    let prepared: PreparedConnect = await prepareVsCodeConnect({ ...request, trust: false });
    if (!prepared.plan.changed) {
      void vscode.window.showInformationMessage(`Codex Governance: ${ref.path} is already connected to the governance server.`);
      return { file: ref.path, outcome: 'unchanged', hooks: prepared.plan.hooks.length, trusted: false };
    }
    await showDiff(ref.path, prepared.loaded.text, prepared.plan.after, prepared.diff, `Connect Codex: ${ref.path}`);
    const replaced = prepared.plan.replaced.length ? ` It replaces ${prepared.plan.replaced.join(', ')}.` : '';
    const choice = await vscode.window.showInformationMessage(
      `Codex Governance: add the governance server (a bridge: no URL, port or token) and ${prepared.plan.hooks.length} hooks to ${ref.path} as shown in the diff?${replaced} ` +
        'Codex asks you to trust new hooks before it runs them; "Connect and Trust Hooks" records that trust now.',
      CONNECT,
      CONNECT_AND_TRUST,
    );
    if (choice === CONNECT_AND_TRUST) {
      prepared = await prepareVsCodeConnect({ ...request, trust: true });
      await showDiff(ref.path, prepared.loaded.text, prepared.plan.after, prepared.diff, `Connect Codex (hooks trusted): ${ref.path}`);
      const sure = await vscode.window.showInformationMessage(
        `Codex Governance: write ${ref.path} as shown, with trust recorded for the ${prepared.plan.hooks.length} governance hooks (they run outside Codex's sandbox)?`,
        CONNECT,
      );
      if (sure !== CONNECT) return { file: ref.path, outcome: 'cancelled', hooks: 0, trusted: false };
    } else if (choice !== CONNECT) {
      return { file: ref.path, outcome: 'cancelled', hooks: 0, trusted: false };
    }
    await applyConnect(prepared);
    ctx.logger.info(`Connect Codex to Governance: wrote ${ref.path} (${prepared.plan.hooks.length} hooks${prepared.plan.trusted ? ', trusted' : ''}).`);
    await deps.refresh();
    const trustNote = prepared.plan.trusted ? 'The hooks are trusted.' : CODEX_TRUST_HELP.replace(/\n\s*/g, ' ');
    void vscode.window.showInformationMessage(`Codex Governance: Codex is connected through ${ref.path}; no environment variable is needed. ${trustNote}`);
    // The Codex this extension locates (codexGovernance.codex.path, else PATH): an older one ignores the hooks.
    const codexPath = vscode.workspace.getConfiguration('codexGovernance.codex').get<string>('path');
    const warning = await codexHooksWarning(codexPath, process.env);
    if (warning) {
      ctx.logger.warn(`Connect Codex to Governance: ${warning}`);
      void vscode.window.showWarningMessage(`Codex Governance: ${warning}`);
    }
    return { file: ref.path, outcome: 'connected', hooks: prepared.plan.hooks.length, trusted: prepared.plan.trusted };
  });

  ctx.registerCommand(CONNECT_COMMANDS.disconnect, async (arg?: unknown) => {
    const ref = await deps.file(arg);
    if (!ref) return undefined;
    const { prepareDisconnect, applyDisconnect } = await import('../../config/codex-connect');
    const prepared: PreparedDisconnect = await prepareDisconnect(ref.path, ctx.storageDir, ref.kind);
    if (prepared.plan.how === 'absent') {
      void vscode.window.showInformationMessage(`Codex Governance: ${ref.path} has nothing added by "Connect Codex to Governance".`);
      return { file: ref.path, outcome: 'absent' };
    }
    await showDiff(ref.path, prepared.loaded.text, prepared.plan.after, prepared.diff, `Disconnect Codex: ${ref.path}`);
    const how = prepared.plan.how === 'restored' ? 'the file as it was before, byte for byte' : 'only what Connect added (your other changes stay)';
    const choice = await vscode.window.showInformationMessage(`Codex Governance: remove the governance server and hooks from ${ref.path}? This writes ${how}, as shown in the diff.`, DISCONNECT);
    if (choice !== DISCONNECT) return { file: ref.path, outcome: 'cancelled' };
    await applyDisconnect(prepared);
    ctx.logger.info(`Disconnect Codex from Governance: ${prepared.plan.how} ${ref.path}.`);
    await deps.refresh();
    return { file: ref.path, outcome: prepared.plan.how };
  });

  watchOldEntry(ctx, deps);
  // After an extension update the copies Codex runs must follow (only once Codex was connected).
  void (async () => {
    const { existsSync } = await import('node:fs');
    if (!existsSync(`${ctx.storageDir}/bin`)) return;
    const { refreshInstalledScripts } = await import('./connect');
    await refreshInstalledScripts(ctx.extensionUri.fsPath, ctx.storageDir);
  })().catch((err: unknown) => ctx.logger.warn(`Could not refresh the scripts Codex runs in ${ctx.storageDir}/bin: ${String(err)}`));
}

/** Offers to replace an old HTTP entry of ours that points at a port the server no longer uses. */
function watchOldEntry(ctx: ExtensionHost, deps: ConnectCommandDeps): void {
  const asked = new Set<string>();
  const check = async (state: ServerState) => {
    if (state.kind !== 'running' && state.kind !== 'external') return;
    const ref = await deps.file(undefined);
    if (!ref?.exists) return;
    const loaded = await loadConfigFile(ref.path, { kind: ref.kind });
    const entry = loaded.servers.find((s) => s.name === 'codex-governance');
    if (entry?.transport?.type !== 'streamable_http') return;
    let port: string;
    try {
      const url = new URL(entry.transport.url);
      if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') return;
      port = url.port;
    } catch {
      return;
    }
    if (port === String(state.port) || asked.has(`${ref.path}:${port}`)) return;
    asked.add(`${ref.path}:${port}`);
    const REPLACE = 'Replace with the Bridge';
    const choice = await vscode.window.showWarningMessage(
      `Codex Governance: ${ref.path} still points Codex at port ${port}, but the server now runs on port ${state.port}; Codex would send the token to whatever listens on ${port}. ` +
        'Replace the entry with the bridge, which finds the server on any port and needs no token variable?',
      REPLACE,
    );
    if (choice === REPLACE) await ctx.runCommand(CONNECT_COMMANDS.connect, ref.path);
  };
  ctx.push(ctx.controller.onDidChangeState((s) => void check(s).catch((err: unknown) => ctx.logger.warn(`Checking Codex's config after the port change: ${String(err)}`))));
}
