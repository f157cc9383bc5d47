/** States of the governance server as the extension sees it, and how the status bar shows them. */

/** `database`: the team database (codexGovernance.server.database) could not be opened: unreachable, login refused, schema too new. */
export type ServerErrorReason = 'port-in-use' | 'data-dir-locked' | 'settings' | 'database' | 'other';

export type ServerState =
  | { kind: 'stopped' }
  | { kind: 'starting'; port: number }
  /** This window runs the server. */
  | { kind: 'running'; url: string; port: number }
  /** Another VS Code window (same user, same token) already runs the server on the configured port. */
  | { kind: 'external'; url: string; port: number }
  | { kind: 'error'; reason: ServerErrorReason; message: string; port?: number };

export interface StatusPresentation {
  /** Status bar text with a codicon, e.g. `$(shield) Governance: 127.0.0.1:8765`. */
  text: string;
  tooltip: string;
  /** Show with the error background. */
  isError: boolean;
}

function hostPort(url: string): string {
  return url.replace(/^https?:\/\//, '');
}

export function presentStatus(state: ServerState): StatusPresentation {
  switch (state.kind) {
    case 'running':
      return { text: `$(shield) Governance: ${hostPort(state.url)}`, tooltip: `Codex Governance server running at ${state.url}\nClick for actions.`, isError: false };
    case 'external':
      return {
        text: `$(shield) Governance: ${hostPort(state.url)} (other window)`,
        tooltip: `Codex Governance server at ${state.url} is run by another VS Code window.\nClick for actions.`,
        isError: false,
      };
    case 'starting':
      return { text: `$(sync~spin) Governance: starting on port ${state.port}`, tooltip: `Codex Governance server starting on 127.0.0.1:${state.port}`, isError: false };
    case 'stopped':
      return { text: '$(circle-slash) Governance stopped', tooltip: 'Codex Governance server is stopped.\nClick for actions.', isError: false };
    case 'error': {
      const text =
        state.reason === 'port-in-use' && state.port !== undefined ? `$(error) Governance: port ${state.port} in use` : state.reason === 'database' ? '$(error) Governance: database' : '$(error) Governance: error';
      return { text, tooltip: `Codex Governance server is not running: ${state.message}\nClick for actions.`, isError: true };
    }
  }
}

/** The base URL agents should use, when a server answers (this window's or another's). */
export function urlOf(state: ServerState): string | undefined {
  return state.kind === 'running' || state.kind === 'external' ? state.url : undefined;
}
