/**
 * The Agents view: every agent the server has seen, most recently active first, with its last
 * decision (PROCEED/PAUSE; the reason and guidance in the tooltip), its open peer review (an agent
 * PAUSEd and under review says so) and, for the {@link ANOMALY_SCAN} most recent agents, the
 * anomalies `detect_anomalies` finds (risk spikes, coherence drops, void events) as a warning.
 * Data from `list_agents`, `list_dialectic_sessions` and `detect_anomalies`; a server without the
 * latter two shows the rows without them. After them, the agents that touched the server without
 * reporting (tool calls, Codex sessions, approval requests: ./agents-touched).
 */
import type { AgentSummary } from '../../core/governance';
import type { GovernanceClient } from '../../client/types';
import type { ToolOutput } from '../../server/tools/catalog';
import { loadTouched, touchedNode } from './agents-touched';
import { ago, errorNode, escapeMarkdown, oneLine, type ViewContent, type ViewNode } from './node';
import { reviewSentence, type ReviewSummary } from './review-text';

export const AGENT_CONTEXT = 'codexGovernance.agent';
export const OBSERVE_AGENT_COMMAND = 'codexGovernance.agents.observe';
/** Agents scanned for anomalies, most recently seen first (one `detect_anomalies` call names at most 100). */
export const ANOMALY_SCAN = 100;

export type AgentAnomaly = ToolOutput<'detect_anomalies'>['anomalies'][number];

/** What a row shows beside the agent's own summary. */
export interface AgentExtras {
  /** The open review the agent asked for (or that was opened for it on PAUSE). */
  review?: ReviewSummary;
  /** The open reviews were read, so no `review` means none is open. */
  reviewsKnown?: boolean;
  anomalies?: AgentAnomaly[];
}

const ANOMALY_WORDS: Readonly<Record<string, string>> = { risk_spike: 'risk spike', coherence_drop: 'coherence drop', void_event: 'void event' };

/** Rows of the Agents view. `now` (ms) dates the "last seen" text. */
export async function loadAgents(client: GovernanceClient | undefined, now: number = Date.now()): Promise<ViewContent> {
  // No server: the view's welcome content explains how to start one.
  if (!client) return { nodes: [] };
  let agents: AgentSummary[];
  let touchedByTools: Awaited<ReturnType<typeof listWithTouched>>['touched'];
  try {
    ({ agents, touched: touchedByTools } = await listWithTouched(client));
  } catch (err) {
    return { nodes: [errorNode('agents', err)] };
  }
  const [reviews, anomalies, touched] = await Promise.all([
    reviewsByRequester(client),
    anomaliesByAgent(client, agents.slice(0, ANOMALY_SCAN).map((a) => a.agent_id)),
    loadTouched(client, new Set(agents.map((a) => a.agent_id)), touchedByTools),
  ]);
  const paused = agents.filter((a) => a.last_decision?.action === 'PAUSE').length;
  const total = agents.length + touched.length;
  return {
    nodes: [
      ...agents.map((a) => agentNode(a, now, { review: reviews?.get(a.agent_id), reviewsKnown: reviews !== undefined, anomalies: anomalies.get(a.agent_id) })),
      ...touched.map((r) => touchedNode(r, now, { context: AGENT_CONTEXT, observe: OBSERVE_AGENT_COMMAND })),
    ],
    description: total ? `${total}${paused ? `, ${paused} paused` : ''}` : undefined,
  };
}

/** `list_agents` with the agents that called tools; a server without `include_touched` gives the agents alone. */
async function listWithTouched(client: GovernanceClient): Promise<{ agents: AgentSummary[]; touched: NonNullable<ToolOutput<'list_agents'>['touched_agents']> }> {
  try {
    const out = await client.callTool('list_agents', { limit: 500, include_touched: true });
    return { agents: out.agents, touched: out.touched_agents ?? [] };
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'invalid_arguments') throw err;
    return { agents: await client.listAgents(500), touched: [] };
  }
}

/** Open reviews by the agent under review; undefined when the server cannot list them. */
async function reviewsByRequester(client: GovernanceClient): Promise<Map<string, ReviewSummary> | undefined> {
  try {
    const { sessions } = await client.callTool('list_dialectic_sessions', { limit: 100 });
    return new Map(sessions.map((s) => [s.paused_agent_id, s]));
  } catch {
    // An older server (no dialectic tools): the rows still show the agents.
    return undefined;
  }
}

/** Medium and high anomalies of every type, by agent; none when the server cannot detect them. */
async function anomaliesByAgent(client: GovernanceClient, agentIds: string[]): Promise<Map<string, AgentAnomaly[]>> {
  const byAgent = new Map<string, AgentAnomaly[]>();
  // An empty agent_ids would scan the server's default set instead of none.
  if (agentIds.length === 0) return byAgent;
  try {
    const { anomalies } = await client.callTool('detect_anomalies', { agent_ids: agentIds, anomaly_types: ['risk_spike', 'coherence_drop', 'void_event'], min_severity: 'medium' });
    for (const a of anomalies) byAgent.set(a.agent_id, [...(byAgent.get(a.agent_id) ?? []), a]);
  } catch {
    // An older server (no detect_anomalies), or an agent deleted between the two reads: no warnings this time.
  }
  return byAgent;
}

export function agentNode(a: AgentSummary, now: number, extras: AgentExtras = {}): ViewNode {
  const d = a.last_decision;
  const updates = `${a.update_count} update${a.update_count === 1 ? '' : 's'}`;
  const anomalies = extras.anomalies ?? [];
  const high = anomalies.some((x) => x.severity === 'high');
  const icon = !d
    ? { id: 'circle-outline' }
    : d.action === 'PAUSE'
      ? { id: 'debug-pause', color: 'list.warningForeground' }
      : anomalies.length
        ? { id: 'warning', color: high ? 'list.errorForeground' : 'list.warningForeground' }
        : { id: 'pass', color: 'testing.iconPassed' };
  const lines = [`**${escapeMarkdown(a.agent_id)}**${a.client_name ? ` (${escapeMarkdown(a.client_name)}${a.client_version ? ` ${escapeMarkdown(a.client_version)}` : ''})` : ''}`];
  if (d) {
    lines.push(`**${d.action}**${d.verdict ? ` (${escapeMarkdown(d.verdict)})` : ''}: ${escapeMarkdown(d.reason)}`);
    if (d.guidance) lines.push(`Guidance: ${escapeMarkdown(d.guidance)}`);
  } else {
    lines.push('No update yet (no decision).');
  }
  if (extras.review) lines.push(escapeMarkdown(reviewSentence(extras.review, now)));
  else if (d?.action === 'PAUSE' && extras.reviewsKnown) lines.push('No peer review is open for this PAUSE.');
  if (anomalies.length) {
    lines.push(
      `**Anomalies** (detect_anomalies): ${anomalies
        .map((x) => `${x.severity} ${ANOMALY_WORDS[x.type] ?? x.type}${x.timestamp ? ` at ${escapeMarkdown(x.timestamp)}` : ''}: ${escapeMarkdown(oneLine(x.description, 200))}`)
        .join('; ')}`,
    );
  }
  if (a.metrics) {
    const m = a.metrics;
    lines.push(`risk ${m.risk_score.toFixed(2)} · coherence ${m.coherence.toFixed(2)} · E ${m.E.toFixed(2)} · I ${m.I.toFixed(2)} · S ${m.S.toFixed(2)} · V ${m.V.toFixed(2)}`);
  }
  lines.push(`${updates} · status ${escapeMarkdown(a.status)} · last seen ${ago(a.last_seen_at, now)} (${escapeMarkdown(a.last_seen_at)})`);
  return {
    id: `agent:${a.agent_id}`,
    label: a.display_name ?? a.agent_id,
    // Short enough for a narrow sidebar; the update count and reason are in the tooltip.
    description: [
      d ? d.action : 'no decision',
      ...(extras.review ? ['in review'] : []),
      ...(anomalies.length ? [`⚠ ${anomalies.length === 1 ? (ANOMALY_WORDS[anomalies[0]!.type] ?? anomalies[0]!.type) : `${anomalies.length} anomalies`}`] : []),
      ago(a.last_seen_at, now),
    ].join(' · '),
    tooltip: lines.join('\n\n'),
    icon,
    contextValue: AGENT_CONTEXT,
    command: { command: OBSERVE_AGENT_COMMAND, title: 'Observe Agent', arguments: [{ kind: 'agent', agentId: a.agent_id }] },
    target: { kind: 'agent', agentId: a.agent_id },
  };
}
