/**
 * The read/write methods of {@link GovernanceClient} expressed as tool calls, shared by both
 * implementations so they cannot drift apart: each only supplies `callTool`.
 */
import type { SearchPage } from '../knowledge/knowledge';
import type { ToolArgs, ToolName, ToolOutput } from '../server/tools/catalog';
import { VSCODE_USER_AGENT, type GovernanceClient, type KnowledgePageRequest, type StoreDiscoveryRequest, type ToolCallOptions } from './types';

type CallTool = GovernanceClient['callTool'];
type ToolMethods = Pick<
  GovernanceClient,
  | 'listAgents'
  | 'observeAgent'
  | 'listDiscoveries'
  | 'searchDiscoveries'
  | 'getDiscoveryDetails'
  | 'storeDiscovery'
  | 'listSessions'
  | 'agentsPage'
  | 'knowledgePage'
>;

export function toolMethods(callTool: CallTool): ToolMethods {
  return {
    listAgents: async (limit = 200) => (await callTool('list_agents', { limit })).agents,
    observeAgent: async (agentId, historyLimit = 20) => callTool('observe_agent', { agent_id: agentId, history_limit: historyLimit }),
    listDiscoveries: async (limit = 50) => callTool('list_knowledge_graph', { limit }),
    searchDiscoveries: async (query, limit = 50) => callTool('search_knowledge_graph', { query, limit }),
    getDiscoveryDetails: async (id) => callTool('get_discovery_details', { discovery_id: id }),
    storeDiscovery: async (r: StoreDiscoveryRequest) => {
      const args: ToolArgs<'store_discovery_graph'> = {
        agent_id: r.agentId ?? VSCODE_USER_AGENT,
        discovery_type: r.discoveryType,
        summary: r.summary,
        details: r.details ?? '',
        tags: r.tags ?? [],
      };
      if (r.severity) args.severity = r.severity;
      return (await callTool('store_discovery_graph', args)).discovery;
    },
    listSessions: async (activeOnly = false) => (await callTool('codex-session-info', activeOnly ? { list_active: true } : {})).sessions ?? [],
    agentsPage: async (limit) => {
      const r = await callTool('list_agents', { limit });
      return { agents: r.agents, total: r.total };
    },
    knowledgePage: async (r: KnowledgePageRequest): Promise<SearchPage> => {
      const filters = {
        limit: r.limit,
        ...(r.cursor !== undefined ? { cursor: r.cursor } : {}),
        ...(r.agentId ? { agent_id: r.agentId } : {}),
        ...(r.discoveryType ? { discovery_type: r.discoveryType } : {}),
        ...(r.tags?.length ? { tags: r.tags } : {}),
      };
      const query = r.query?.trim();
      return query ? callTool('search_knowledge_graph', { ...filters, query: r.query }) : callTool('list_knowledge_graph', filters);
    },
  };
}

/**
 * Base of both clients: the {@link ToolMethods} as members, each a tool call through the
 * subclass's `callTool`.
 */
export abstract class ToolCallingClient implements ToolMethods {
  abstract callTool<N extends ToolName>(name: N, args: ToolArgs<N>, options?: ToolCallOptions): Promise<ToolOutput<N>>;
  private readonly methods = toolMethods((name, args, options) => this.callTool(name, args, options));
  readonly listAgents = this.methods.listAgents;
  readonly observeAgent = this.methods.observeAgent;
  readonly listDiscoveries = this.methods.listDiscoveries;
  readonly searchDiscoveries = this.methods.searchDiscoveries;
  readonly getDiscoveryDetails = this.methods.getDiscoveryDetails;
  readonly storeDiscovery = this.methods.storeDiscovery;
  readonly listSessions = this.methods.listSessions;
  readonly agentsPage = this.methods.agentsPage;
  readonly knowledgePage = this.methods.knowledgePage;
}
