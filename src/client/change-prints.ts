/**
 * What a client compares to find changes it raises no event for: one fingerprint per topic that
 * changes whenever what the views show of it changes. The HTTP client polls them for every topic
 * (another window's server); the in-process client for what other servers sharing its database
 * write (team mode).
 */
import type { AgentSummary } from '../core/governance';
import type { ToolOutput } from '../server/tools/catalog';
import { GovernanceClientError, type GovernanceClient, type GovernanceTopic, type SessionSummary } from './types';

export interface ChangePrints {
  prints: Map<GovernanceTopic, string>;
  /** The agents read for the "agents" print (empty when it was not asked for). */
  agents: AgentSummary[];
  /** The knowledge graph's discovery count (0 when "knowledge" was not asked for). */
  discoveries: number;
}

/** Reads the fingerprints of `topics`; a topic the server has no tools for (an older server) prints as empty. */
export async function readChangePrints(client: Pick<GovernanceClient, 'listAgents' | 'listDiscoveries' | 'listSessions' | 'callTool'>, topics: ReadonlySet<GovernanceTopic>): Promise<ChangePrints> {
  const orNone = <T>(e: unknown): T[] => {
    if (e instanceof GovernanceClientError && e.code === 'unknown_tool') return [];
    throw e;
  };
  const [agents, knowledge, sessions, observed, reviews] = await Promise.all([
    topics.has('agents') ? client.listAgents(1000) : [],
    topics.has('knowledge') ? client.listDiscoveries(1) : { total: 0, discoveries: [] },
    topics.has('sessions') ? client.listSessions().catch(orNone<SessionSummary>) : [],
    topics.has('sessions')
      ? client.callTool('list_observed_sessions', { limit: 100 }).then((r) => r.sessions, orNone<ToolOutput<'list_observed_sessions'>['sessions'][number]>)
      : [],
    topics.has('reviews')
      ? client.callTool('list_dialectic_sessions', { limit: 100 }).then((r) => r.sessions, orNone<ToolOutput<'list_dialectic_sessions'>['sessions'][number]>)
      : [],
  ]);
  const prints = new Map<GovernanceTopic, string>();
  if (topics.has('agents')) prints.set('agents', agents.map((a) => `${a.agent_id}|${a.update_count}|${a.status}|${a.last_seen_at}`).join('\n'));
  if (topics.has('knowledge')) prints.set('knowledge', `${knowledge.total}|${knowledge.discoveries[0]?.id ?? ''}`);
  // The Sessions view also lists the Codex sessions seen through their hooks (shared in team mode).
  if (topics.has('sessions')) {
    prints.set('sessions', JSON.stringify([sessions.map((s) => [s.session_id, s.status, s.threadId, s.turns, s.tokens.total, s.lastActivityAt]), observed.map((o) => [o.session_id, o.last_event_at])]));
  }
  // updated_at moves with every stored step (a claim, a message); an ended session leaves the list.
  if (topics.has('reviews')) prints.set('reviews', JSON.stringify(reviews.map((r) => [r.session_id, r.phase, r.reviewer_agent_id, r.updated_at])));
  return { prints, agents, discoveries: knowledge.total };
}

/** The topics whose prints differ between two reads (a topic missing from `before` counts as unchanged). */
export function changedTopics(before: ReadonlyMap<GovernanceTopic, string>, now: ReadonlyMap<GovernanceTopic, string>): Set<GovernanceTopic> {
  const changed = new Set<GovernanceTopic>();
  for (const [topic, print] of now) if (before.has(topic) && before.get(topic) !== print) changed.add(topic);
  return changed;
}
