/**
 * The agents that called tools since the server started, whether or not they ever reported an
 * update (`process_agent_update` is what creates a stored agent): the Agents view lists them too
 * (`list_agents` with `include_touched`). In memory only, bounded: past {@link MAX_TOUCHED} agents
 * the least recently seen is forgotten. Anonymous callers (an id made up for one request) and this
 * server's own in-process reads are not agents and are not recorded.
 */
import type { CallerIdentity } from './types';

export const MAX_TOUCHED = 10_000;

export interface TouchedAgent {
  agent_id: string;
  /** ISO-8601 times. */
  first_seen_at: string;
  last_seen_at: string;
  tool_calls: number;
  last_tool: string;
  client_name?: string;
}

export class TouchedAgents {
  /** Map order = least recently seen first. */
  private readonly agents = new Map<string, { first: number; last: number; calls: number; tool: string; client?: string }>();

  constructor(private readonly max = MAX_TOUCHED) {}

  /** Records one call of `tool` by `caller` at `atMs` (ms since epoch). */
  record(caller: CallerIdentity, tool: string, atMs: number): void {
    if (caller.anonymous || caller.transport === 'in-process') return;
    const prev = this.agents.get(caller.agentId);
    this.agents.delete(caller.agentId);
    this.agents.set(caller.agentId, { first: prev?.first ?? atMs, last: atMs, calls: (prev?.calls ?? 0) + 1, tool, client: caller.clientName ?? prev?.client });
    if (this.agents.size > this.max) this.agents.delete(this.agents.keys().next().value!);
  }

  /** Most recently seen first, at most `limit`. */
  list(limit: number): TouchedAgent[] {
    const out: TouchedAgent[] = [];
    for (const [id, a] of [...this.agents].reverse()) {
      if (out.length >= limit) break;
      out.push({ agent_id: id, first_seen_at: new Date(a.first).toISOString(), last_seen_at: new Date(a.last).toISOString(), tool_calls: a.calls, last_tool: a.tool, ...(a.client ? { client_name: a.client } : {}) });
    }
    return out;
  }
}
