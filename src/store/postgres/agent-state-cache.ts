/**
 * The last agent state one server read or wrote (the `dynamics` column's text, `update_count`, and
 * the complexity cap of the agent's dialectic conditions with the `conditions_version` it was read
 * at), so that its next update of that agent can skip the read and go straight to the conditional
 * write. A hint only: the write still matches only if the database holds both versions, so a stale
 * entry costs one write that matches no row (then the update reads and decides again), never a
 * lost update or a missed cap.
 */

/** Entries kept (least recently used dropped first): ~0.5 KB each, so a few MB at most. */
export const STATE_CACHE_ENTRIES = 10_000;

/**
 * Updates of an agent that read first after its cached state proved stale: an agent that several
 * servers update in turn would otherwise pay a write that matches nothing on most of its updates.
 */
export const READS_AFTER_STALE = 64;

/** What an agent's dialectic conditions mean for its next update, as of one read. */
export interface AgentConditions {
  /** The cap (0..1) the conditions put on its complexity, or undefined for none. */
  complexityCap: number | undefined;
  /** The agent's `conditions_version` at that read (0 also for an agent not stored yet). */
  conditionsVersion: number;
}

/** An agent's state as this server last saw it. */
export interface KnownState extends AgentConditions {
  /** The `dynamics` column as stored (JSON text, or null before the first decision). */
  dynamics: string | null;
  /** The `update_count` that goes with it. */
  version: number;
}

interface Entry {
  state?: KnownState;
  /** Updates still to read first (see {@link READS_AFTER_STALE}). */
  readFirst: number;
}

export class AgentStateCache {
  private readonly entries = new Map<string, Entry>();

  /** @param limit entries kept; 0 turns the cache off */
  constructor(private readonly limit = STATE_CACHE_ENTRIES) {}

  /** The state to decide from without reading, if there is one to trust. */
  get(agentId: string): KnownState | undefined {
    return this.entries.get(agentId)?.state;
  }

  /** Records the state just written (or read under the row lock). */
  remember(agentId: string, state: KnownState): void {
    if (this.limit <= 0) return;
    const entry = this.entries.get(agentId);
    if (entry && entry.readFirst > 0) {
      entry.readFirst--;
      return;
    }
    this.put(agentId, { state, readFirst: 0 });
  }

  /** Another server wrote the agent since: read it on its next {@link READS_AFTER_STALE} updates. */
  stale(agentId: string): void {
    if (this.limit > 0) this.put(agentId, { readFirst: READS_AFTER_STALE });
  }

  /** The outcome of a write is unknown (the connection failed): trust nothing about the agent. */
  forget(agentId: string): void {
    this.entries.delete(agentId);
  }

  get size(): number {
    return this.entries.size;
  }

  private put(agentId: string, entry: Entry): void {
    // Map keeps insertion order: re-inserting moves the agent to the recent end.
    this.entries.delete(agentId);
    this.entries.set(agentId, entry);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }
}
