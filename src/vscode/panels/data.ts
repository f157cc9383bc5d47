/**
 * Where the panels read: the governance client of the server in use (src/client/), in-process when
 * this window runs the server, HTTP when another window does. The registrars pass
 * `() => clients.current` and load the open pages again when the client changes.
 */
import type { GovernanceClient } from '../../client/types';

/** The client of the server in use, or undefined while no server answers. */
export type PanelClientSource = () => GovernanceClient | undefined;

/** Shown by a panel while no server answers. */
export const NO_SERVER_MESSAGE =
  'The governance server is not running (in this window or another). Run "Codex Governance: Start Server"; this panel loads again once it runs.';

/** The client now. @throws Error {@link NO_SERVER_MESSAGE} when no server answers */
export function currentClient(source: PanelClientSource): GovernanceClient {
  const client = source();
  if (!client) throw new Error(NO_SERVER_MESSAGE);
  return client;
}
