/**
 * What the registrars (commands, views, panels, sessions, approvals, MCP settings, the MCP
 * definition provider) get from the extension: {@link ExtensionHost}, which Ctx (./ctx.ts)
 * implements. Registrars import this interface, never ctx.ts, so the modules form no cycle: ctx.ts
 * imports the registrars, the registrars import only this file and what it names.
 *
 * The running server is not here: ServerController holds it and only Ctx reaches it, to make the
 * in-process client. Views and panels read through `clients`, whichever window runs the server.
 */
import type * as vscode from 'vscode';
import type { GovernanceClientSource } from '../client/select';
import type { Logger } from '../util/log';
import type { ServerController } from './server-controller';
import type { PromptDeps } from './server-prompts';
import type { ServerState } from './server-state';

/** The server operations and state the registrars use (not the running server itself). */
export type ServerControl = Pick<ServerController, 'state' | 'onDidChangeState' | 'start' | 'stop' | 'restart' | 'whenIdle' | 'intendedPort'>;

export interface ExtensionHost {
  /** The extension's folder (media/dist for the panels). */
  readonly extensionUri: vscode.Uri;
  /** The extension's global storage folder: the server's data directory (database, lock, token file). */
  readonly storageDir: string;
  readonly logger: Logger;
  /** The "Codex Governance" output channel. */
  readonly log: Pick<vscode.LogOutputChannel, 'show'>;
  /** The server token (SecretStorage). */
  readonly tokens: { get(): Promise<string> };
  readonly controller: ServerControl;
  /** The client of the server in use (in-process or HTTP); `current` is undefined while none answers. */
  readonly clients: GovernanceClientSource;
  readonly promptDeps: PromptDeps;
  /** Disposed with the extension, in reverse order. */
  push<T extends vscode.Disposable>(disposable: T): T;
  /** Registers a command whose failures are logged and shown (never thrown into VS Code). */
  registerCommand(id: string, handler: (...args: unknown[]) => unknown): void;
  runCommand(id: string, ...args: unknown[]): Thenable<unknown>;
  /** Logs `err` and shows it with a "Show Logs" button. */
  reportError(err: unknown, where?: string): void;
  /** Shows what a failed start means and how to fix it (never awaited by callers). */
  explain(state: ServerState): Promise<void>;
}
