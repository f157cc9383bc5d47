/**
 * Observability tools (names and semantics of the UNITARES governance MCP, V1
 * src/mcp_handlers/observability.py; formulas cited in src/core/observability.ts): compare an agent
 * with similar ones or agents with each other, find anomalies across the fleet, fleet aggregates,
 * the update history across agents, and the agent list and observation with summaries, trends and
 * anomalies.
 */
import { z } from 'zod';
import { ValidationError } from '../../core/errors';
import { GOVERNANCE_LIMITS, type GovernanceService, type ObserveResult } from '../../core/governance';
import { ANOMALY_TYPES, EISV_LABELS, SEVERITIES, SIMILARITY, healthOfMetrics, type Anomaly, type Patterns } from '../../core/observability';
import {
  COMPARE_METRICS,
  DEFAULT_ANOMALY_TYPES,
  DEFAULT_COMPARE_METRICS,
  LIFECYCLE_STATUSES,
  OBSERVABILITY_LIMITS,
  type ObservabilityService,
} from '../../core/observability-service';
import { aggregateOutput, compareAgentsOutput, compareMeOutput, detectAnomaliesOutput, listAgentsOutput, observeOutput, systemHistoryOutput } from './observability-schemas';
import type { TouchedAgents } from './touched-agents';
import { defineTool, resolveAgentId } from './types';

// The services' own limits: the schemas refuse what the services would.
const agentIdValue = z.string().min(1).max(GOVERNANCE_LIMITS.agentId);
const agentIds = z.array(agentIdValue).max(OBSERVABILITY_LIMITS.agentIds);
const statusWord = z.string().max(50);
const readOnly = { readOnlyHint: true, openWorldHint: false } as const;

export type ObserveAgentResult = ObserveResult & { patterns?: Patterns; anomalies?: Anomaly[]; eisv_labels?: typeof EISV_LABELS };

/** @param touched agents that called tools (list_agents `include_touched`); none: an empty list */
export function observabilityTools(observability: ObservabilityService, governance: GovernanceService, touched?: TouchedAgents) {
  return [
    defineTool({
      name: 'compare_me_to_similar',
      title: 'Compare me to similar agents',
      description:
        'Finds the (up to 3) active agents whose E, I and S are each within similarity_threshold of yours, most similar first ' +
        '(similarity_score = 1 - mean |difference| of E, I, S, coherence), with what they do better (insights). Default: the calling agent.',
      input: {
        agent_id: agentIdValue.optional().describe('The agent to compare (default: the caller identity).'),
        similarity_threshold: z.number().min(0).max(1).default(SIMILARITY.defaultThreshold).describe('Largest difference on each of E, I and S, 0..1.'),
      },
      output: compareMeOutput,
      annotations: readOnly,
      handler: async (args, ctx) => ({ ...(await observability.compareMeToSimilar(resolveAgentId(args.agent_id, ctx), args.similarity_threshold)) }),
    }),
    defineTool({
      name: 'compare_agents',
      title: 'Compare agents',
      description:
        'The agents\' metrics side by side with per-metric statistics (mean, std, min, max), pairs that are close (within half a std) ' +
        'and outliers (more than 2 std from the mean).',
      input: {
        agent_ids: agentIds.min(2).describe('At least 2 agents (see list_agents).'),
        compare_metrics: z.array(z.enum(COMPARE_METRICS)).min(1).default([...DEFAULT_COMPARE_METRICS]).describe('Metrics to compare.'),
      },
      output: compareAgentsOutput,
      annotations: readOnly,
      handler: async (args) => ({ ...(await observability.compareAgents(args.agent_ids, args.compare_metrics)) }),
    }),
    defineTool({
      name: 'detect_anomalies',
      title: 'Detect anomalies across agents',
      description:
        'Scans the named agents (default: the 50 most recently seen active ones) for risk spikes (mean of the last 3 risks ' +
        'over the 3 before: > 0.15 medium, > 0.25 high), coherence drops (> 0.05 medium, > 0.10 high) and void events ' +
        '(the void became active within the last 10 updates); high severity first.',
      input: {
        agent_ids: agentIds.optional().describe('Agents to scan; empty or absent: the 50 most recently seen active agents.'),
        anomaly_types: z.array(z.enum(ANOMALY_TYPES)).min(1).default([...DEFAULT_ANOMALY_TYPES]),
        min_severity: z.enum(SEVERITIES).default('medium'),
      },
      output: detectAnomaliesOutput,
      annotations: readOnly,
      handler: async (args) => ({ ...(await observability.detectAnomalies({ agentIds: args.agent_ids, types: args.anomaly_types, minSeverity: args.min_severity })) }),
    }),
    defineTool({
      name: 'aggregate_metrics',
      title: 'Fleet metrics',
      description: 'Fleet-level overview of the named agents (default: every agent): means and medians of E, I, S, V, coherence and risk; counts by status, by last decision and by health.',
      input: {
        agent_ids: agentIds.optional().describe('Agents to aggregate; empty or absent: every agent.'),
        include_health_breakdown: z.boolean().default(true),
      },
      output: aggregateOutput,
      annotations: readOnly,
      handler: async (args) => ({ ...(await observability.aggregateMetrics({ agentIds: args.agent_ids, includeHealthBreakdown: args.include_health_breakdown })) }),
    }),
    defineTool({
      name: 'get_system_history',
      title: 'Update history across agents',
      description: 'Recent updates of every agent (or of agent_id), newest first, with their EISV numbers and decisions; page with limit + cursor; format csv adds the page as CSV.',
      input: {
        agent_id: agentIdValue.optional().describe('Only this agent\'s updates.'),
        limit: z.number().int().min(1).max(OBSERVABILITY_LIMITS.historyPage).default(50),
        cursor: z.string().max(500).optional().describe('next_cursor from the previous page.'),
        format: z.enum(['json', 'csv']).default('json'),
      },
      output: systemHistoryOutput,
      annotations: readOnly,
      handler: async (args) => ({ ...(await observability.systemHistory({ agentId: args.agent_id, limit: args.limit, cursor: args.cursor, format: args.format })) }),
    }),
    defineTool({
      name: 'list_agents',
      title: 'List agents',
      description:
        'Every agent the server has seen, most recently active first, with its last decision, metrics and health; summary counts by status and health; ' +
        'grouped: true also groups them by status.',
      input: {
        limit: z.number().int().min(1).max(GOVERNANCE_LIMITS.agents).default(100),
        status: statusWord.optional().describe('Only agents with this status (e.g. active, paused).'),
        status_filter: statusWord.optional().describe('Same as status (the reference server\'s name); "all" for every status.'),
        grouped: z.boolean().default(false).describe('Also return the agents grouped by status under `grouped`.'),
        include_touched: z
          .boolean()
          .default(false)
          .describe('Also return, under `touched_agents`, the agents that called tools since the server started (most recent first, up to limit), including those that never reported an update.'),
      },
      output: listAgentsOutput,
      annotations: readOnly,
      handler: async (args) => {
        const status = statusOf(args.status, args.status_filter);
        const listed = await governance.listAgents({ limit: args.limit, status });
        const agents = listed.agents.map((a) => ({ ...a, health_status: healthOfMetrics(a.metrics) }));
        const summary = await observability.fleetSummary({ status, returned: agents.length });
        const grouped = args.grouped ? groupByStatus(agents) : undefined;
        return { ...listed, agents, summary, ...(grouped ? { grouped } : {}), ...(args.include_touched ? { touched_agents: touched?.list(args.limit) ?? [] } : {}) };
      },
    }),
    defineTool({
      name: 'observe_agent',
      title: "Observe another agent's state",
      description:
        "Another agent's current EISV state, decision history and trend; with analyze_patterns (default) also patterns " +
        '(risk, coherence and E trends: last 5 updates against the 5 before) and its anomalies.',
      input: {
        agent_id: agentIdValue.describe('The agent to observe.'),
        history_limit: z.number().int().min(0).max(GOVERNANCE_LIMITS.history).default(50),
        analyze_patterns: z.boolean().default(true),
      },
      output: observeOutput,
      annotations: readOnly,
      handler: async (args): Promise<ObserveAgentResult> => {
        const observed = await governance.observeAgent(args.agent_id, { historyLimit: args.history_limit });
        if (!args.analyze_patterns) return observed;
        return { ...observed, ...(await observability.agentPatterns(observed.agent_id)), eisv_labels: EISV_LABELS };
      },
    }),
  ];
}

/** `status` and its V1 name `status_filter` are one filter; "all" (or neither) means every status. */
function statusOf(status: string | undefined, statusFilter: string | undefined): string | undefined {
  const a = status?.trim() || undefined;
  const b = statusFilter?.trim() || undefined;
  if (a && b && a !== b) throw new ValidationError('status_filter', `status ("${a}") and status_filter ("${b}") disagree; they are the same filter, give one.`);
  const s = a ?? b;
  return s === 'all' ? undefined : s;
}

function groupByStatus<T extends { status: string }>(agents: readonly T[]): Record<string, T[]> {
  const groups: Record<string, T[]> = Object.fromEntries(LIFECYCLE_STATUSES.map((s) => [s, [] as T[]]));
  for (const a of agents) (groups[a.status] ??= []).push(a);
  return groups;
}
