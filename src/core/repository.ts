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
}

export interface AgentRepository {
  /** Creates the agent on first sight, otherwise refreshes `lastSeenAt` (and client info when given). */
  ensure(input: EnsureAgentInput): Promise<{ agent: AgentRecord; created: boolean }>;
  get(id: string): Promise<AgentRecord | undefined>;
  /** Most recently seen first. */
  list(options: { limit: number; status?: string }): Promise<AgentRecord[]>;
  /**
   * In one transaction: creates the agent if needed, stores its new dynamics, metrics, decision and
   * status, increments `updateCount` and appends the history row.
   */
  recordUpdate(input: RecordUpdateInput): Promise<AgentRecord>;
  /** The `limit` most recent history rows, oldest first (ready to plot). */
  history(agentId: string, options: { limit: number }): Promise<AgentUpdateRecord[]>;
  counts(): Promise<{ agents: number; updates: number }>;
}

/** The database behind the repositories, for health reports. */
export interface StoreInfo {
  /** Absolute path of the database file. */
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
