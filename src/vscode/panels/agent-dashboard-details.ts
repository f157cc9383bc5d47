/**
 * What the Agent dashboard shows beside the charts, read through the governance client: each shown
 * agent's anomalies (`detect_anomalies`, every type, medium and high), its open peer review
 * (`list_dialectic_sessions`) and its status, and the first agent's similar agents
 * (`compare_me_to_similar`). These are read beside the charts: a server without the dialectic or
 * observability tools, or a failed read, shows none of them rather than failing the charts.
 */
import type { GovernanceClient } from '../../client/types';
import type { AgentDetails, AgentReview, Comparison } from '../../webviews/agent-dashboard/protocol';
import { reviewerText, turnText, type ReviewSummary } from '../views/review-text';

/** Every anomaly type detect_anomalies knows (src/core/observability.ts ANOMALY_TYPES). */
const ANOMALY_TYPES = ['risk_spike', 'coherence_drop', 'void_event'] as const;

/** Open reviews by the agent under review; empty when they cannot be read (a server without dialectic tools). */
export async function openReviews(client: GovernanceClient): Promise<Map<string, ReviewSummary>> {
  try {
    const { sessions } = await client.callTool('list_dialectic_sessions', { limit: 100 });
    return new Map(sessions.map((s) => [s.paused_agent_id, s]));
  } catch {
    return new Map();
  }
}

export function reviewOf(s: ReviewSummary | undefined): AgentReview | null {
  if (!s) return null;
  return { sessionId: s.session_id, phase: s.phase, reviewer: reviewerText(s), turn: turnText(s), deadline: s.deadlines.next_timeout_at };
}

/**
 * Anomalies, review and status of each agent (in the order given).
 * @param statuses each agent's status as last read (the agent list)
 */
export async function readDetails(client: GovernanceClient, agentIds: readonly string[], statuses: ReadonlyMap<string, string>): Promise<AgentDetails[]> {
  if (agentIds.length === 0) return [];
  const [found, reviews] = await Promise.all([
    client.callTool('detect_anomalies', { agent_ids: [...agentIds], anomaly_types: [...ANOMALY_TYPES], min_severity: 'medium' }).then(
      (r) => r.anomalies,
      // No detect_anomalies (an older server), or an agent deleted meanwhile: no markers this time.
      () => [],
    ),
    openReviews(client),
  ]);
  return agentIds.map((agentId) => ({
    agentId,
    anomalies: found.filter((a) => a.agent_id === agentId).map((a) => ({ type: a.type, severity: a.severity, at: a.timestamp, description: a.description })),
    review: reviewOf(reviews.get(agentId)),
    status: statuses.get(agentId) ?? 'unknown',
  }));
}

/** `compare_me_to_similar` for `agentId`; an agent without an update yet gets the server's reason as the message. */
export async function readComparison(client: GovernanceClient, agentId: string): Promise<Comparison> {
  try {
    const r = await client.callTool('compare_me_to_similar', { agent_id: agentId });
    return {
      agentId,
      message: r.suggestion ? `${r.message} ${r.suggestion}` : r.message,
      similar: r.similar_agents.map((s) => ({ agentId: s.agent_id, similarity: s.similarity_score, status: s.status, updates: s.total_updates, differences: s.differences })),
      insights: r.insights.map((i) => ({ agentId: i.agent_id, insights: i.insights })),
    };
  } catch (err) {
    return { agentId, message: `No comparison: ${err instanceof Error ? err.message : String(err)}`, similar: [], insights: [] };
  }
}
