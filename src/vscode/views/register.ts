/**
 * Registers the activity bar views (Agents, Knowledge), their commands and the context keys their
 * menus and welcome content use:
 * - `codexGovernance.serverAvailable`: a server answers (this window's or another's);
 * - `codexGovernance.knowledgeSearchActive`: the Knowledge view shows search results.
 */
import * as vscode from 'vscode';
import type { GovernanceClientSource } from '../../client/select';
import type { GovernanceClient } from '../../client/types';
import { writeClipboard } from '../apis/env.apis';
import { showInformationMessage, showInputBox, showQuickPick } from '../apis/window.apis';
import { loadAgents } from './agents-model';
import { GovernanceDocuments } from './documents';
import { CLEAR_SEARCH_COMMAND, KnowledgeModel, OPEN_DISCOVERY_COMMAND } from './knowledge-model';
import { collectDiscovery } from './store-discovery';
import { agentIdOf, discoveryIdOf } from './targets';
import { ClientTreeView } from './tree-provider';

export const VIEW_IDS = { agents: 'codexGovernance.agents', knowledge: 'codexGovernance.knowledge' } as const;
export const SERVER_AVAILABLE_CONTEXT = 'codexGovernance.serverAvailable';
export const SEARCH_ACTIVE_CONTEXT = 'codexGovernance.knowledgeSearchActive';

export const VIEW_COMMANDS = {
  refreshAgents: 'codexGovernance.refreshAgents',
  observeAgent: 'codexGovernance.agents.observe',
  copyAgentId: 'codexGovernance.agents.copyId',
  showAgentInDashboard: 'codexGovernance.agents.showInDashboard',
  refreshKnowledge: 'codexGovernance.refreshKnowledge',
  searchKnowledge: 'codexGovernance.searchKnowledge',
  clearKnowledgeSearch: CLEAR_SEARCH_COMMAND,
  storeDiscovery: 'codexGovernance.storeDiscovery',
  openDiscovery: OPEN_DISCOVERY_COMMAND,
  copyDiscoveryId: 'codexGovernance.knowledge.copyId',
} as const;

export interface ViewsHost {
  readonly clients: GovernanceClientSource;
  push<T extends vscode.Disposable>(d: T): T;
  registerCommand(id: string, handler: (...args: unknown[]) => unknown): void;
}

export interface Views {
  agents: ClientTreeView;
  knowledge: ClientTreeView;
  knowledgeModel: KnowledgeModel;
}

const NOT_RUNNING = 'The governance server is not running. Run "Codex Governance: Start Server" first.';

export function registerViews(host: ViewsHost): Views {
  const source = host.clients;
  const client = (): GovernanceClient => {
    const c = source.current;
    if (!c) throw new Error(NOT_RUNNING);
    return c;
  };
  const docs = host.push(new GovernanceDocuments(source));
  const knowledgeModel = new KnowledgeModel();
  const agents = host.push(new ClientTreeView({ viewId: VIEW_IDS.agents, topics: ['agents', 'reviews', 'sessions'], load: (c) => loadAgents(c), source }));
  const knowledge = host.push(new ClientTreeView({ viewId: VIEW_IDS.knowledge, topics: ['knowledge'], load: (c) => knowledgeModel.load(c), source }));

  const setSearch = async (query: string | undefined) => {
    knowledgeModel.setQuery(query);
    await vscode.commands.executeCommand('setContext', SEARCH_ACTIVE_CONTEXT, knowledgeModel.query !== undefined);
    knowledge.refresh();
  };
  const pickAgent = async (): Promise<string | undefined> => {
    const list = await client().listAgents(500);
    const pick = await showQuickPick(
      list.map((a) => ({ label: a.agent_id, description: a.last_decision ? `${a.last_decision.action}: ${a.last_decision.reason}` : 'no decision yet' })),
      { title: 'Codex Governance: choose an agent', placeHolder: list.length ? undefined : 'No agent has reported yet' },
    );
    return pick?.label;
  };

  host.registerCommand(VIEW_COMMANDS.refreshAgents, () => agents.refresh());
  host.registerCommand(VIEW_COMMANDS.refreshKnowledge, () => knowledge.refresh());
  host.registerCommand(VIEW_COMMANDS.observeAgent, async (arg?: unknown) => {
    const id = agentIdOf(arg) ?? (await pickAgent());
    if (id) await docs.show(GovernanceDocuments.agentUri(id));
    return id;
  });
  host.registerCommand(VIEW_COMMANDS.copyAgentId, async (arg?: unknown) => {
    const id = agentIdOf(arg);
    if (!id) return;
    await writeClipboard(id);
    void showInformationMessage(`Codex Governance: agent id "${id}" copied.`);
  });
  host.registerCommand(VIEW_COMMANDS.showAgentInDashboard, async (arg?: unknown) => {
    const id = agentIdOf(arg) ?? (await pickAgent());
    if (id) await vscode.commands.executeCommand('codexGovernance.showAgentDashboard', { agentIds: [id] });
  });
  host.registerCommand(VIEW_COMMANDS.openDiscovery, async (arg?: unknown) => {
    const id = discoveryIdOf(arg);
    if (!id) throw new Error('Open Discovery Details needs a discovery: use it on a row of the Knowledge view.');
    await docs.show(GovernanceDocuments.discoveryUri(id));
    return id;
  });
  host.registerCommand(VIEW_COMMANDS.copyDiscoveryId, async (arg?: unknown) => {
    const id = discoveryIdOf(arg);
    if (!id) return;
    await writeClipboard(id);
    void showInformationMessage(`Codex Governance: discovery id "${id}" copied.`);
  });
  // Optional argument: the query (keybindings, tests); without it an input box asks.
  host.registerCommand(VIEW_COMMANDS.searchKnowledge, async (arg?: unknown) => {
    client();
    const query =
      typeof arg === 'string'
        ? arg
        : await showInputBox({
            title: 'Codex Governance: Search Knowledge Graph',
            prompt: 'Words to find in discovery summaries, details and tags (best matches first)',
            value: knowledgeModel.query ?? '',
          });
    if (query === undefined) return undefined;
    await setSearch(query);
    await vscode.commands.executeCommand(`${VIEW_IDS.knowledge}.focus`);
    return knowledgeModel.query;
  });
  host.registerCommand(VIEW_COMMANDS.clearKnowledgeSearch, () => setSearch(undefined));
  // Optional argument: a StoreDiscoveryRequest (tests, other extensions); without it input boxes ask.
  host.registerCommand(VIEW_COMMANDS.storeDiscovery, async (arg?: unknown) => {
    const c = client();
    const request =
      arg && typeof arg === 'object'
        ? (arg as Parameters<GovernanceClient['storeDiscovery']>[0])
        : await collectDiscovery({
            input: (o) => Promise.resolve(showInputBox({ title: o.title, prompt: o.prompt, placeHolder: o.placeHolder, ignoreFocusOut: true, validateInput: o.validate })),
            pick: (o) => Promise.resolve(showQuickPick(o.items.map((label) => ({ label })), { title: o.title, ignoreFocusOut: true })).then((p) => p?.label),
          });
    if (!request) return undefined;
    const stored = await c.storeDiscovery(request);
    void showInformationMessage(`Codex Governance: discovery stored as ${stored.agent_id} (id ${stored.id}).`);
    return stored.id;
  });

  const onClient = () => void vscode.commands.executeCommand('setContext', SERVER_AVAILABLE_CONTEXT, source.current !== undefined);
  host.push({ dispose: source.onDidChangeClient(onClient) });
  onClient();
  void vscode.commands.executeCommand('setContext', SEARCH_ACTIVE_CONTEXT, false);
  return { agents, knowledge, knowledgeModel };
}
