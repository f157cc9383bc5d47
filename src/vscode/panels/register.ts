/**
 * Registers the Knowledge graph and Agent dashboard panels (their serializers and `show*`
 * commands). Both read through the governance client, so they work whichever VS Code window runs
 * the server; when the client changes (a server started here or in another window, a restart) the
 * open pages load again with their saved search or selection.
 */
import { DASHBOARD_VIEW_TYPE } from '../../webviews/agent-dashboard/protocol';
import { KG_VIEW_TYPE } from '../../webviews/knowledge-graph/protocol';
import type { ExtensionHost } from '../host';
import { AgentDashboardHandler } from './agent-dashboard-handler';
import { KnowledgeGraphHandler } from './knowledge-graph-handler';
import { PanelHost } from './panel-host';

export const PANEL_COMMANDS = {
  showKnowledgeGraph: 'codexGovernance.showKnowledgeGraph',
  showAgentDashboard: 'codexGovernance.showAgentDashboard',
} as const;

export interface Panels {
  knowledgeGraph: PanelHost<KnowledgeGraphHandler>;
  agentDashboard: PanelHost<AgentDashboardHandler>;
}

export function registerPanels(host: ExtensionHost): Panels {
  const client = () => host.clients.current;
  const report = (err: unknown) => host.reportError(err);
  const knowledgeGraph = host.push(
    new PanelHost<KnowledgeGraphHandler>(
      {
        viewType: KG_VIEW_TYPE,
        title: 'Knowledge Graph',
        page: 'knowledge-graph',
        // Laying out thousands of nodes again on every tab switch would be the slow part.
        retainContextWhenHidden: true,
        createHandler: ({ post }) =>
          new KnowledgeGraphHandler(client, post, {
            onRendered: (nodes, ms) => host.logger.info(`Knowledge graph panel: render of ${nodes} nodes took ${ms.toFixed(0)} ms.`),
          }),
      },
      host.extensionUri,
      report,
    ),
  );
  const agentDashboard = host.push(
    new PanelHost<AgentDashboardHandler>(
      {
        viewType: DASHBOARD_VIEW_TYPE,
        title: 'Agent Dashboard',
        page: 'agent-dashboard',
        // "Open Review" on a PAUSE under review opens its Review panel (src/vscode/reviews/register.ts).
        createHandler: ({ post }) => new AgentDashboardHandler(client, post, { openReview: (sessionId) => void host.runCommand('codexGovernance.reviews.open', sessionId) }),
      },
      host.extensionUri,
      report,
    ),
  );
  // Optional argument: a search ({ query, agentId, discoveryType, tag }) or a selection ({ agentIds }).
  // Resolves with what the page drew (GraphRenderReport / DashboardRenderReport).
  host.registerCommand(PANEL_COMMANDS.showKnowledgeGraph, (args?: unknown) => knowledgeGraph.show(args));
  host.registerCommand(PANEL_COMMANDS.showAgentDashboard, (args?: unknown) => agentDashboard.show(args));

  // A page restored before a server answered (or open across a restart, or while the server moved
  // to another window) shows "not running" or data of the old server: load it again.
  const off = host.clients.onDidChangeClient((next) => {
    if (next) for (const panel of [knowledgeGraph, agentDashboard]) panel.reload();
  });
  host.push({ dispose: off });
  return { knowledgeGraph, agentDashboard };
}
