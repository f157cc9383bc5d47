/**
 * What the governance core needs from storage: the agent repository, declared here beside the core
 * that uses it (the store implements it, ../store/sqlite-agents, so store -> core runs one way).
 * Every method returns a Promise so the store can move into a worker, another process or PostgreSQL.
 * Times are ISO-8601 UTC strings with milliseconds unless a field name ends in `Ms` (ms since epoch).
 */
import type { DynamicsState, GovernanceDecision, GovernanceMetrics } from './eisv';

export interface AgentDecision extends GovernanceDecision {
  /** When the decision was made (ISO). */
  at: string;
}

export interface AgentRecord {
  id: string;
  displayName: string | null;
  clientName: string | null;
  clientVersion: string | null;
  createdAt: string;
  lastSeenAt: string;
  /** EISV dynamics after the last update; null until the first update. */
  dynamics: DynamicsState | null;
  lastMetrics: GovernanceMetrics | null;
  lastDecision: AgentDecision | null;
  updateCount: number;
  /** `active`, or `paused` after a PAUSE decision. */
  status: string;
  meta: Record<string, unknown>;
}

/** One row of an agent's update history. */
export interface AgentUpdateRecord {
  /** Monotonic row id (insertion order). */
  id: number;
  agentId: string;
  at: string;
  operation: string;
  /** 0..1 */
  complexity: number;
  /** 0..1, null when not reported. */
  confidence: number | null;
  E: number;
  I: number;
  S: number;
  V: number;
  /** 0..1 */
  coherence: number;
  /** 0..1 */
  riskScore: number;
  action: GovernanceDecision['action'];
  reason: string;
  guidance: string | null;
  simulated: boolean;
}

export interface EnsureAgentInput {
  id: string;
  clientName?: string;
  clientVersion?: string;
  /** ms since epoch */
  atMs: number;
}

export interface RecordUpdateInput {
  agentId: string;
  /** ms since epoch */
  atMs: number;
  operation: string;
  complexity: number;
  confidence?: number;
  dynamics: DynamicsState;
  metrics: GovernanceMetrics;
  decision: GovernanceDecision;
  /** The calling client, stored like {@link EnsureAgentInput}'s (an absent value keeps the stored one). */
  clientName?: string;
  clientVersion?: string;
}

/**
 * Builds an update from the agent's current dynamics (undefined for an unknown agent) and the cap
 * (0..1, undefined: none) its dialectic conditions put on the complexity it may report.
 */
export type DecideUpdate = (current: { dynamics: DynamicsState | null } | undefined, complexityCap: number | undefined) => Promise<RecordUpdateInput>;

export interface AgentRepository {
  /** Creates the agent on first sight, otherwise refreshes `lastSeenAt` (and client info when given). */
  ensure(input: EnsureAgentInput): Promise<{ agent: AgentRecord; created: boolean }>;
  get(id: string): Promise<AgentRecord | undefined>;
  /** Only the agent's stored dynamics (null before its first update), or undefined for an unknown agent: the one read an update needs. */
  dynamics(id: string): Promise<{ dynamics: DynamicsState | null } | undefined>;
  /** Most recently seen first. */
  list(options: { limit: number; status?: string }): Promise<AgentRecord[]>;
  /**
   * In one transaction: creates the agent if needed, stores its new dynamics, metrics, decision and
   * status, increments `updateCount` and appends the history row.
   * Writes and reads run in call order: a read or write issued after this call returns sees this
   * update even before the returned promise settles; the promise resolves once the update is
   * durable (and rejects, with the update undone, if it cannot be committed).
   */
  recordUpdate(input: RecordUpdateInput): Promise<AgentRecord>;
  /**
   * Optional (stores shared by several processes): reads the agent's dynamics and the complexity
   * cap of its dialectic conditions, lets `decide` build the update from them and writes it only if
   * no other writer got in between and no condition was added (else it reads and decides again;
   * PostgreSQL: a conditional write, then the row lock after repeated losses), so updates of one
   * agent from different servers never start from the same state, none is lost, and none is
   * decided under a cap older than the write. `decide` may run more than once. `atMs` stamps a new
   * agent's row.
   * @returns the stored agent, whether it existed before, and what `decide` returned
   */
  updateAtomically?(agentId: string, atMs: number, decide: DecideUpdate): Promise<{ agent: AgentRecord; existed: boolean; input: RecordUpdateInput }>;
  /** The `limit` most recent history rows, oldest first (ready to plot). */
  history(agentId: string, options: { limit: number }): Promise<AgentUpdateRecord[]>;
  counts(): Promise<{ agents: number; updates: number }>;
}

/** An agent's latest numbers, as fleet-wide reads need them (no dynamics, no history). */
export interface SnapshotMetrics {
  E: number;
  I: number;
  S: number;
  V: number;
  /** 0..1 */
  coherence: number;
  /** 0..1 */
  riskScore: number;
  /** UNITARES objective Phi; null when the stored metrics lack it. */
  phi: number | null;
  voidActive: boolean;
}

/** One agent's latest state for fleet-wide reads (compare, aggregate, summaries). */
export interface AgentSnapshot {
  id: string;
  status: string;
  updateCount: number;
  lastSeenAt: string;
  lastAction: GovernanceDecision['action'] | null;
  /** null before the agent's first update. */
  metrics: SnapshotMetrics | null;
}

/** One history row with only the numbers the pattern and anomaly detectors read. */
export interface AgentPoint {
  id: number;
  at: string;
  E: number;
  I: number;
  S: number;
  V: number;
  coherence: number;
  riskScore: number;
  action: GovernanceDecision['action'];
}

/** An agent's recent history, read at one instant (both parts end at the same update). */
export interface AgentSeries {
  /** The most recent updates, oldest first. */
  points: AgentPoint[];
  /** V of the most recent updates, oldest first; the last value is V of the last point. */
  V: number[];
}

/** What {@link AgentReadRepository.snapshots} selects. */
export interface SnapshotQuery {
  statuses?: readonly string[];
  ids?: readonly string[];
  limit: number;
  anyOrder?: boolean;
  near?: { E: number; I: number; S: number; within: number };
}

/**
 * Reads across many agents for the observability tools (./observability-service): cheap enough
 * to run over every agent per call (the store serves snapshots from a covering index).
 */
export interface AgentReadRepository {
  /**
   * Latest state of agents, most recently seen first.
   * @param options.statuses only agents with one of these statuses
   * @param options.ids only these agents (unknown ids are absent from the result)
   * @param options.limit at most this many
   * @param options.anyOrder skip the sort (for reads that count or rank agents themselves)
   * @param options.near only agents whose E, I and S each lie within `within` of these (inclusive,
   *   widened by 1e-9 so that callers re-checking the exact condition lose nothing to rounding)
   */
  snapshots(options: SnapshotQuery): Promise<AgentSnapshot[]>;
  /** The last `points` history rows and the last `vValues` (default 0) values of V of one agent. */
  recentSeries(agentId: string, options: { points: number; vValues?: number }): Promise<AgentSeries>;
  /**
   * History rows of every agent (or of `agentId`), newest first; `beforeId` continues after the
   * row with that id (keyset paging: no gaps or repeats when updates arrive between pages).
   */
  updates(options: { limit: number; beforeId?: number; agentId?: string }): Promise<AgentUpdateRecord[]>;
}

/** The database behind the repositories, for health reports. */
export interface StoreInfo {
  /** `sqlite` (one machine, a file) or `postgres` (a team's shared database). */
  kind: 'sqlite' | 'postgres';
  /** Absolute path of the database file, or the PostgreSQL URL without its password. */
  path: string;
  schemaVersion: number;
}

/** The storage the governance core reads and writes. */
export interface GovernanceStore {
  readonly agents: AgentRepository;
  /** Only the counts, for health. */
  readonly discoveries: { counts(): Promise<{ discoveries: number; edges: number }> };
  info(): Promise<StoreInfo>;
}
