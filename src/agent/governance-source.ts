/**
 * The governance tools a run offers the model, reached through the {@link GovernanceClient} (HTTP
 * from the CLI, in process inside VS Code). An allowlist: the tools that only read or write the
 * governance database (knowledge graph, metrics and observation, the task list, peer review).
 * Left out on purpose: `process_agent_update` (the runner itself reports every step), the `codex`
 * tools (they start Codex sessions, which is not the governance database), the task lease tools
 * (the runner holds `--task-id`'s lease), and the runner's own `request_tool_approval` and
 * `record_model_usage`.
 */
import type { ToolName } from '../server/tools/catalog';
import { GovernanceClientError, type GovernanceClient } from '../client/types';
import { MAX_TOOL_OUTPUT } from './mcp-sources';
import type { AgentTool, ToolOutcome } from './tool-set';

/** The governance tools offered to the model (by their own names; aliases are not offered). */
export const MODEL_GOVERNANCE_TOOLS = [
  'get_governance_metrics',
  'simulate_update',
  'health_check',
  'list_agents',
  'observe_agent',
  'compare_me_to_similar',
  'detect_anomalies',
  'store_discovery_graph',
  'search_knowledge_graph',
  'list_knowledge_graph',
  'get_discovery_details',
  'link_discoveries',
  'update_discovery_status',
  'find_similar_discoveries_graph',
  'list_tasks',
  'post_task',
  'request_dialectic_review',
  'get_dialectic_session',
] as const satisfies readonly ToolName[];

/** The server name governance tools carry in events and approvals. */
export const GOVERNANCE_SERVER = 'governance';

/**
 * The allowlisted tools the server serves, as run tools. A tool whose schema has `agent_id` gets the
 * run's agent id when the model leaves it out, so its writes are the agent's whatever the transport.
 * @param timeoutMs deadline of one governance tool call
 * @throws GovernanceClientError when the server cannot list its tools
 */
export async function governanceTools(client: GovernanceClient, agentId: string, timeoutMs: number): Promise<AgentTool[]> {
  const offered = new Set<string>(MODEL_GOVERNANCE_TOOLS);
  const listed = await client.listTools();
  return listed
    .filter((t) => offered.has(t.name))
    .map((t) => {
      const takesAgent = Object.hasOwn((t.parameters.properties as Record<string, unknown> | undefined) ?? {}, 'agent_id');
      return {
        name: t.name,
        server: GOVERNANCE_SERVER,
        tool: t.name,
        description: t.description,
        parameters: t.parameters,
        annotations: {},
        kind: 'governance' as const,
        call: (args: Record<string, unknown>) => callGovernance(client, t.name, takesAgent && args.agent_id === undefined ? { ...args, agent_id: agentId } : args, timeoutMs),
      };
    });
}

/** Calls a governance tool by the name the model used (validated by the server); failures become text. */
async function callGovernance(client: GovernanceClient, name: string, args: Record<string, unknown>, timeoutMs: number): Promise<ToolOutcome> {
  // The model's call is checked by the server against the tool's declaration; this only names it.
  const call = client.callTool.bind(client) as (n: string, a: Record<string, unknown>, o: { timeoutMs: number }) => Promise<object>;
  try {
    const text = JSON.stringify(await call(name, args, { timeoutMs }));
    return { ok: true, text: text.length > MAX_TOOL_OUTPUT ? `${text.slice(0, MAX_TOOL_OUTPUT)}\n[... ${text.length - MAX_TOOL_OUTPUT} more characters cut]` : text };
  } catch (err) {
    if (err instanceof GovernanceClientError) return { ok: false, text: `${name} failed (${err.code}): ${err.message}` };
    return { ok: false, text: `${name} failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
