/**
 * Picks the client for the server state: this window's server -> in-process, another window's
 * server -> HTTP, none -> undefined. Keeps one client per server so listeners survive state
 * events that do not change the server (and disposes the old one when it does).
 */
import { HttpGovernanceClient, type HttpClientOptions } from './http';
import { InProcessGovernanceClient, type InProcessApp } from './in-process';
import type { GovernanceClient } from './types';

/** The subset of the extension's ServerState (src/vscode/server-state.ts) the choice depends on. */
export type ClientServerState = { kind: 'running' | 'external'; url: string } | { kind: 'stopped' | 'starting' | 'error' };

export interface ClientSourceOptions {
  /** The in-process app of this window's server at `url`, if this window runs it. */
  app: (url: string) => InProcessApp | undefined;
  token: () => Promise<string>;
  http?: HttpClientOptions;
  coalesceMs?: number;
}

export class GovernanceClientSource {
  private client: GovernanceClient | undefined;
  private key: string | undefined;
  private readonly listeners = new Set<(client: GovernanceClient | undefined) => void>();

  constructor(private readonly options: ClientSourceOptions) {}

  /** The client for the current server, or undefined when no server answers. */
  get current(): GovernanceClient | undefined {
    return this.client;
  }

  /** Re-evaluates after a server state change; notifies listeners when the client changed. */
  update(state: ClientServerState): void {
    let next: GovernanceClient | undefined;
    let key: string | undefined;
    if (state.kind === 'running') {
      const app = this.options.app(state.url);
      key = app ? `in-process ${state.url}` : `http ${state.url}`;
      if (key !== this.key) next = app ? new InProcessGovernanceClient(state.url, app, { coalesceMs: this.options.coalesceMs }) : this.http(state.url);
    } else if (state.kind === 'external') {
      key = `http ${state.url}`;
      if (key !== this.key) next = this.http(state.url);
    }
    if (key === this.key) return;
    this.client?.dispose();
    this.client = next;
    this.key = key;
    for (const l of [...this.listeners]) l(next);
  }

  /** @returns unsubscribe */
  onDidChangeClient(listener: (client: GovernanceClient | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.listeners.clear();
    this.client?.dispose();
    this.client = undefined;
    this.key = undefined;
  }

  private http(url: string): GovernanceClient {
    return new HttpGovernanceClient(url, this.options.token, this.options.http);
  }
}
