/**
 * The read/write methods of {@link GovernanceClient} expressed as tool calls, shared by both
 * implementations so they cannot drift apart: each only supplies `callTool`.
 */
import type { AgentSummary, ObserveResult } from '../core/governance';
import type { DiscoveryDetails, DiscoveryView, SearchPage } from '../knowledge/knowledge';
import { VSCODE_USER_AGENT, type AgentsPage, type GovernanceClient, type KnowledgePageRequest, type SessionSummary, type StoreDiscoveryRequest } from './types';

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
    listAgents: async (limit = 200) => ((await callTool('list_agents', { limit })) as { agents: AgentSummary[] }).agents,
    observeAgent: async (agentId, historyLimit = 20) =>
      (await callTool('observe_agent', { agent_id: agentId, history_limit: historyLimit })) as unknown as ObserveResult,
    listDiscoveries: async (limit = 50) => (await callTool('list_knowledge_graph', { limit })) as unknown as SearchPage,
    searchDiscoveries: async (query, limit = 50) => (await callTool('search_knowledge_graph', { query, limit })) as unknown as SearchPage,
    getDiscoveryDetails: async (id) => (await callTool('get_discovery_details', { discovery_id: id })) as unknown as DiscoveryDetails,
    storeDiscovery: async (r: StoreDiscoveryRequest) => {
      const args: Record<string, unknown> = {
        agent_id: r.agentId ?? VSCODE_USER_AGENT,
        discovery_type: r.discoveryType,
        summary: r.summary,
        details: r.details ?? '',
        tags: r.tags ?? [],
      };
      if (r.severity) args.severity = r.severity;
      return ((await callTool('store_discovery_graph', args)) as { discovery: DiscoveryView }).discovery;
    },
    listSessions: async (activeOnly = false) =>
      ((await callTool('codex-session-info', activeOnly ? { list_active: true } : {})) as { sessions: SessionSummary[] }).sessions,
    agentsPage: async (limit) => {
      const r = (await callTool('list_agents', { limit })) as unknown as AgentsPage;
      return { agents: r.agents, total: r.total };
    },
    knowledgePage: async (r: KnowledgePageRequest) => {
      const args: Record<string, unknown> = { limit: r.limit };
      if (r.cursor !== undefined) args.cursor = r.cursor;
      if (r.agentId) args.agent_id = r.agentId;
      if (r.discoveryType) args.discovery_type = r.discoveryType;
      if (r.tags?.length) args.tags = r.tags;
      const query = r.query?.trim();
      return (await callTool(query ? 'search_knowledge_graph' : 'list_knowledge_graph', query ? { ...args, query: r.query } : args)) as unknown as SearchPage;
    },
  };
}

/**
 * Base of both clients: the {@link ToolMethods} as members, each a tool call through the
 * subclass's `callTool`.
 */
export abstract class ToolCallingClient implements ToolMethods {
  abstract callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
  private readonly methods = toolMethods((name, args) => this.callTool(name, args));
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
