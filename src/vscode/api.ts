/**
 * What `activate` returns: a small read-only view of the governance server for tests and other
 * extensions (`vscode.extensions.getExtension('codex-governance.codex-governance').exports`).
 * The bearer token is deliberately not part of it; users copy it with the "Copy Server Token" command.
 */
import type { Event } from 'vscode';
import type { ServerState } from './server-state';

export type { ServerState } from './server-state';

export interface CodexGovernanceApi {
  readonly apiVersion: 1;
  /** Base URL of the server agents should use (e.g. `http://127.0.0.1:8765`), or undefined when none answers. */
  serverUrl(): string | undefined;
  state(): ServerState;
  /** Fires on every state change (starting, running, stopped, error, external). */
  readonly onDidChangeState: Event<ServerState>;
  /** Resolves with the state once every start/stop requested so far has finished. */
  whenIdle(): Promise<ServerState>;
}
