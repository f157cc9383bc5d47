/**
 * What the panels read from the governance server: the in-process services of a running server
 * (`RunningGovernanceServer.app` satisfies it as is). Narrow on purpose so a remote client can
 * implement it later with a few lines.
 */
import type { GovernanceService } from '../../core/governance';
import type { GovernanceEvents } from '../../core/events';
import type { KnowledgeGraph } from '../../knowledge/knowledge';

export interface PanelData {
  readonly governance: Pick<GovernanceService, 'listAgents' | 'observeAgent'>;
  readonly knowledge: Pick<KnowledgeGraph, 'list' | 'search' | 'getDetails'>;
  readonly events: Pick<GovernanceEvents, 'on'>;
}

/** Returns the data of the running server, or undefined when none runs in this window. */
export type PanelDataSource = () => PanelData | undefined;

/** Shown by a panel whose server is not running in this window. */
export const NO_SERVER_MESSAGE =
  'The governance server is not running in this window. Run "Codex Governance: Start Server", then reopen this panel.';
