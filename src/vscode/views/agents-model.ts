/**
 * The Agents view: every agent the server has seen, most recently active first, with its last
 * decision (PROCEED/PAUSE; the reason and guidance in the tooltip). Data from `list_agents`.
 */
import type { AgentSummary } from '../../core/governance';
import type { GovernanceClient } from '../../client/types';
import { ago, errorNode, escapeMarkdown, type ViewContent, type ViewNode } from './node';

export const AGENT_CONTEXT = 'codexGovernance.agent';
export const OBSERVE_AGENT_COMMAND = 'codexGovernance.agents.observe';

/** Rows of the Agents view. `now` (ms) dates the "last seen" text. */
export async function loadAgents(client: GovernanceClient | undefined, now: number = Date.now()): Promise<ViewContent> {
  // No server: the view's welcome content explains how to start one.
  if (!client) return { nodes: [] };
  let agents: AgentSummary[];
  try {
    agents = await client.listAgents(500);
  } catch (err) {
    return { nodes: [errorNode('agents', err)] };
  }
  const paused = agents.filter((a) => a.last_decision?.action === 'PAUSE').length;
  return {
    nodes: agents.map((a) => agentNode(a, now)),
    description: agents.length ? `${agents.length}${paused ? `, ${paused} paused` : ''}` : undefined,
  };
}

export function agentNode(a: AgentSummary, now: number): ViewNode {
  const d = a.last_decision;
  const updates = `${a.update_count} update${a.update_count === 1 ? '' : 's'}`;
  const icon = !d
    ? { id: 'circle-outline' }
    : d.action === 'PAUSE'
      ? { id: 'debug-pause', color: 'list.warningForeground' }
      : { id: 'pass', color: 'testing.iconPassed' };
  const lines = [`**${escapeMarkdown(a.agent_id)}**${a.client_name ? ` (${escapeMarkdown(a.client_name)}${a.client_version ? ` ${escapeMarkdown(a.client_version)}` : ''})` : ''}`];
  if (d) {
    lines.push(`**${d.action}**${d.verdict ? ` (${escapeMarkdown(d.verdict)})` : ''}: ${escapeMarkdown(d.reason)}`);
    if (d.guidance) lines.push(`Guidance: ${escapeMarkdown(d.guidance)}`);
  } else {
    lines.push('No update yet (no decision).');
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
    description: `${d ? d.action : 'no decision'} · ${ago(a.last_seen_at, now)}`,
    tooltip: lines.join('\n\n'),
    icon,
    contextValue: AGENT_CONTEXT,
    command: { command: OBSERVE_AGENT_COMMAND, title: 'Observe Agent', arguments: [{ kind: 'agent', agentId: a.agent_id }] },
    target: { kind: 'agent', agentId: a.agent_id },
  };
}
