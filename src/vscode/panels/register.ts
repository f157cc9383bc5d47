/**
 * Registers the webview panels (Knowledge graph, Agent dashboard): their serializers, their
 * `show*` commands and the `codexGovernance.serverRunning` context key that enables those commands.
 */
import * as vscode from 'vscode';
import type { RunningGovernanceServer } from '../../server/api';
import { DASHBOARD_VIEW_TYPE } from '../../webviews/agent-dashboard/protocol';
import { KG_VIEW_TYPE } from '../../webviews/knowledge-graph/protocol';
import type { Ctx } from '../ctx';
import type { ServerController } from '../server-controller';
import { AgentDashboardHandler } from './agent-dashboard-handler';
import type { PanelData } from './data';
import { KnowledgeGraphHandler } from './knowledge-graph-handler';
import { PanelHost } from './panel-host';

export const PANEL_COMMANDS = {
  showKnowledgeGraph: 'codexGovernance.showKnowledgeGraph',
  showAgentDashboard: 'codexGovernance.showAgentDashboard',
} as const;

export const SERVER_RUNNING_CONTEXT = 'codexGovernance.serverRunning';

export interface Panels {
  knowledgeGraph: PanelHost<KnowledgeGraphHandler>;
  agentDashboard: PanelHost<AgentDashboardHandler>;
}

export function registerPanels(ctx: Ctx): Panels {
  const data = () => runningApp(ctx.controller);
  const extensionUri = ctx.extensionContext.extensionUri;
  const report = (err: unknown) => ctx.reportError(err);
  const knowledgeGraph = ctx.push(
    new PanelHost(
      {
        viewType: KG_VIEW_TYPE,
        title: 'Knowledge Graph',
        page: 'knowledge-graph',
        // Laying out thousands of nodes again on every tab switch would be the slow part.
        retainContextWhenHidden: true,
        createHandler: ({ post }) =>
          new KnowledgeGraphHandler(data, post, {
            onRendered: (nodes, ms) => ctx.logger.info(`Knowledge graph panel: render of ${nodes} nodes took ${ms.toFixed(0)} ms.`),
          }),
      },
      extensionUri,
      report,
    ),
  );
  const agentDashboard = ctx.push(
    new PanelHost(
      {
        viewType: DASHBOARD_VIEW_TYPE,
        title: 'Agent Dashboard',
        page: 'agent-dashboard',
        createHandler: ({ post }) => new AgentDashboardHandler(data, post),
      },
      extensionUri,
      report,
    ),
  );
  // Optional argument: a search ({ query, agentId, discoveryType, tag }) or a selection ({ agentIds }).
  // Resolves with what the page drew (GraphRenderReport / DashboardRenderReport).
  ctx.registerCommand(PANEL_COMMANDS.showKnowledgeGraph, (args?: unknown) => knowledgeGraph.show(args));
  ctx.registerCommand(PANEL_COMMANDS.showAgentDashboard, (args?: unknown) => agentDashboard.show(args));

  let wasRunning = runningApp(ctx.controller) !== undefined;
  const onState = () => {
    const running = runningApp(ctx.controller) !== undefined;
    void vscode.commands.executeCommand('setContext', SERVER_RUNNING_CONTEXT, running);
    // A panel restored before the server started (or open across a restart) showed "not running"
    // or holds data of the old server: load it again.
    if (running && !wasRunning) for (const host of [knowledgeGraph, agentDashboard]) host.reload();
    wasRunning = running;
  };
  onState();
  ctx.push(ctx.controller.onDidChangeState(onState));
  return { knowledgeGraph, agentDashboard };
}

/**
 * The in-process services of the server this window runs. ServerController keeps its server
 * private; until it offers an accessor (or the shared GovernanceClient lands) this is the one
 * place that reaches in.
 */
function runningApp(controller: ServerController): PanelData | undefined {
  if (controller.state.kind !== 'running') return undefined;
  return (controller as unknown as { server?: RunningGovernanceServer }).server?.app;
}
