/**
 * The rows of the status bar menu (the server item's click), without `vscode` (unit tested in
 * plain mocha). Safe ordering: the first row is what a person most likely wants and nothing there
 * stops anything; shortcuts to Sessions, Approvals and MCP settings come next; Stop Server is last,
 * after a separator, so an Enter on the opened menu never stops the server.
 */
import type { ServerState } from './server-state';

export type ServerMenuAction =
  | 'start'
  | 'useAnotherPort'
  | 'openDatabaseSetting'
  | 'setDatabasePassword'
  | 'showSessions'
  | 'showApprovals'
  | 'openMcpSettings'
  | 'copyConfig'
  | 'copyToken'
  | 'showLogs'
  | 'restart'
  | 'stop';

export interface ServerMenuRow {
  /** A separator row (VS Code `QuickPickItemKind.Separator`) carries only a label. */
  separator?: true;
  action?: ServerMenuAction;
  /** With a `$(codicon)`. */
  label: string;
  description?: string;
}

/** The rows for the server's `state`; `waiting` (approval requests waiting here) is shown beside Show Approvals. */
export function serverMenuRows(state: ServerState, waiting = 0): ServerMenuRow[] {
  const rows: ServerMenuRow[] = [];
  const stopped = state.kind === 'stopped' || state.kind === 'error';
  if (stopped) rows.push({ action: 'start', label: '$(play) Start Server' });
  if (state.kind === 'error' && state.reason === 'port-in-use') rows.push({ action: 'useAnotherPort', label: '$(plug) Use Another Port...' });
  if (state.kind === 'error' && state.reason === 'database') {
    rows.push({ action: 'openDatabaseSetting', label: '$(database) Open Database Setting' }, { action: 'setDatabasePassword', label: '$(key) Set Database Password...' });
  }
  rows.push(
    { action: 'showSessions', label: '$(terminal) Show Sessions' },
    { action: 'showApprovals', label: '$(shield) Show Approvals', ...(waiting ? { description: `${waiting} waiting` } : {}) },
    { action: 'openMcpSettings', label: '$(settings-gear) Open MCP Servers Settings' },
    { action: 'copyConfig', label: '$(copy) Copy MCP Connection Config...' },
    { action: 'copyToken', label: '$(key) Copy Server Token' },
    { action: 'showLogs', label: '$(output) Show Logs' },
  );
  if (state.kind === 'running') {
    rows.push(
      { separator: true, label: 'Server' },
      { action: 'restart', label: '$(debug-restart) Restart Server' },
      { action: 'stop', label: '$(debug-stop) Stop Server', description: 'agents lose the connection' },
    );
  }
  return rows;
}
