/**
 * The extension's lifetime in one object: it owns the log channel, the token provider, the server
 * controller, the status bar, the commands and every other disposable, and `dispose()` releases
 * them all, stopping the server (port closed, database closed) before it resolves.
 * (The same single-owner shape as rust-analyzer's `Ctx`.)
 */
import * as vscode from 'vscode';
import { GovernanceClientSource } from '../client/select';
import type { Logger } from '../util/log';
import type { CodexGovernanceApi } from './api';
import { executeCommand, registerCommand } from './apis/commands.apis';
import { createLogOutputChannel, showErrorMessage, showInformationMessage } from './apis/window.apis';
import { getConfiguration, onDidChangeConfiguration } from './apis/workspace.apis';
import { registerAgentRuns } from './agent-run/register';
import { registerApprovals, type ApprovalsUi } from './approvals/register';
import { registerCommands } from './commands';
import type { ExtensionHost } from './host';
import { registerMcpSettings } from './mcp-settings/commands';
import { registerMcpProvider } from './mcp-provider';
import { registerPanels } from './panels/register';
import { channelLogger } from './log';
import { ServerController } from './server-controller';
import { loadOnDemand } from './load-on-demand';
import { explainState, type PromptDeps } from './server-prompts';
import { urlOf, type ServerState } from './server-state';
import { readServerSettings, RESTART_SETTINGS, SETTINGS_SECTION, type ServerSettings } from './settings';
import { GovernanceStatusBar } from './status-bar';
import { TokenProvider } from './token';
import { registerViews } from './views/register';
import { registerSessions } from './sessions/register';
import { registerReviews } from './reviews/register';
import { registerApprovalsPanel } from './approvals/panel-register';
import { registerWalkthroughProgress } from './walkthrough';
import { registerCodexPathCheck } from './codex-path-check';
import { DatabasePasswords } from './database';
import { registerDatabaseCommands } from './database-commands';

/** The local folders open in this window: Codex sessions may write there without asking (read on every new session). */
function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

export const LOG_CHANNEL_NAME = 'Codex Governance';
/** Logged once the server is stopped on deactivation. */
export const DEACTIVATED_MESSAGE = 'Extension deactivated; the governance server is stopped.';

export class Ctx implements ExtensionHost, vscode.Disposable {
  readonly extensionUri: vscode.Uri;
  readonly storageDir: string;
  readonly log: vscode.LogOutputChannel;
  readonly logger: Logger;
  readonly tokens: TokenProvider;
  readonly controller: ServerController;
  readonly promptDeps: PromptDeps;
  /** The client of the server in use (in-process or HTTP), for the views and panels; undefined while none answers. */
  readonly clients: GovernanceClientSource;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  private readonly statusBar: GovernanceStatusBar;
  private disposing: Promise<void> | undefined;
  /** Set below; until then (and if it failed) the server has no prompter and fails closed. */
  private approvalsUi: ApprovalsUi | undefined;

  constructor(readonly extensionContext: vscode.ExtensionContext) {
    this.extensionUri = extensionContext.extensionUri;
    this.storageDir = extensionContext.globalStorageUri.fsPath;
    this.log = this.push(createLogOutputChannel(LOG_CHANNEL_NAME));
    this.logger = channelLogger(this.log);
    this.tokens = new TokenProvider(extensionContext.secrets);
    const databasePasswords = new DatabasePasswords(extensionContext.secrets);
    this.controller = new ServerController({
      dataDir: this.storageDir,
      token: () => this.tokens.get(),
      settings: () => this.settings(),
      databasePassword: async (url) => {
        const password = await databasePasswords.get(url);
        return password !== undefined ? { password } : { storedFor: await databasePasswords.account() };
      },
      logger: this.logger,
      startServer: (options) => loadOnDemand().startGovernanceServer({ ...options, approvals: this.approvalsUi?.serverOptions(), workspaceRoots: workspaceFolderPaths }),
    });
    this.clients = new GovernanceClientSource({
      // The controller holds the running server; the in-process client needs its app.
      app: (url) => {
        const running = this.controller.runningServer;
        return running?.url === url ? running.app : undefined;
      },
      token: () => this.tokens.get(),
      http: { onPollError: (err) => this.logPollError(err.message) },
    });
    this.push({ dispose: () => this.clients.dispose() });
    this.promptDeps = { controller: this.controller, showLogs: () => this.log.show(true) };
    this.push(this.stateEmitter);
    this.statusBar = this.push(new GovernanceStatusBar(this.controller.state));
    this.push(
      this.controller.onDidChangeState((state) => {
        this.statusBar.update(state);
        this.clients.update(state);
        this.stateEmitter.fire(state);
      }),
    );
    registerCommands(this);
    registerDatabaseCommands(this, databasePasswords, () => this.settings());
    registerViews(this);
    registerPanels(this);
    this.approvalsUi = registerApprovals(this);
    registerApprovalsPanel(this, this.approvalsUi);
    registerWalkthroughProgress(this, this.approvalsUi.prompter);
    registerCodexPathCheck(this);
    registerSessions(this, this.approvalsUi.prompter);
    registerAgentRuns(this, this.approvalsUi.prompter, extensionContext.secrets);
    registerReviews(this);
    registerMcpSettings(this);
    registerMcpProvider(this);
    this.push(onDidChangeConfiguration((e) => this.onConfigurationChanged(e)));
  }

  private lastPollError: string | undefined;

  /** Logs a failed view refresh once per distinct message: polling repeats every few seconds. */
  private logPollError(message: string): void {
    if (message === this.lastPollError) return;
    this.lastPollError = message;
    this.logger.warn(`Views could not refresh from ${urlOf(this.controller.state) ?? 'the server'}: ${message}`);
  }

  /** Starts the server in the background when `codexGovernance.server.autoStart` is on. */
  startInBackground(): void {
    let settings: ServerSettings;
    try {
      settings = this.settings();
    } catch (err) {
      this.reportError(err);
      return;
    }
    if (!settings.autoStart) {
      this.logger.info('Governance server not started: codexGovernance.server.autoStart is false.');
      return;
    }
    void this.controller.start().then((state) => this.explain(state));
  }

  /** The API returned from `activate`. */
  api(): CodexGovernanceApi {
    return {
      apiVersion: 1,
      serverUrl: () => urlOf(this.controller.state),
      state: () => this.controller.state,
      onDidChangeState: this.stateEmitter.event,
      whenIdle: () => this.controller.whenIdle(),
    };
  }

  settings(): ServerSettings {
    const config = getConfiguration(SETTINGS_SECTION);
    return readServerSettings((key) => config.get(key));
  }

  /** Shows what a failed start means and how to fix it (never awaited by callers). */
  explain(state: ServerState): Promise<void> {
    return explainState(this.promptDeps, state).catch((err: unknown) => this.reportError(err));
  }

  registerCommand(id: string, handler: (...args: unknown[]) => unknown): void {
    this.push(
      registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (err) {
          this.reportError(err, id);
          return undefined;
        }
      }),
    );
  }

  runCommand(id: string, ...args: unknown[]): Thenable<unknown> {
    return executeCommand(id, ...args);
  }

  push<T extends vscode.Disposable>(disposable: T): T {
    this.disposables.push(disposable);
    return disposable;
  }

  reportError(err: unknown, where?: string): void {
    const message = err instanceof Error ? err.message : String(err);
    this.logger.error(err instanceof Error ? err : message);
    void showErrorMessage(`Codex Governance${where ? ` (${where})` : ''}: ${message}`, 'Show Logs').then((choice) => {
      if (choice) this.log.show(true);
    });
  }

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    if (!RESTART_SETTINGS.some((s) => e.affectsConfiguration(s))) return;
    let settings: ServerSettings;
    try {
      settings = this.settings();
    } catch (err) {
      this.reportError(err);
      return;
    }
    // A new port setting is the user's latest choice; it replaces a port picked for this session.
    if (e.affectsConfiguration(`${SETTINGS_SECTION}.server.port`)) this.controller.setSessionPort(undefined);
    const state = this.controller.state;
    if (state.kind === 'running' && this.controller.needsRestartFor(settings)) {
      const RESTART = 'Restart Server';
      void showInformationMessage('Codex Governance: server settings changed. Restart the server to apply them?', RESTART).then(async (choice) => {
        if (choice === RESTART) await this.explain(await this.controller.restart());
      });
    } else if (state.kind === 'error' || state.kind === 'external') {
      const START = 'Start Server';
      void showInformationMessage('Codex Governance: server settings changed. Start the server with them?', START).then(async (choice) => {
        if (choice === START) await this.explain(await this.controller.start());
      });
    }
  }

  /** Stops the server and releases everything; idempotent. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      try {
        await this.controller.dispose();
        this.logger.info(DEACTIVATED_MESSAGE);
      } catch (err) {
        this.logger.error(err instanceof Error ? err : String(err));
      }
      for (const d of this.disposables.splice(0).reverse()) {
        try {
          d.dispose();
        } catch {
          // One failing disposable must not keep the others (or the server port) alive.
        }
      }
    })();
    return this.disposing;
  }
}
