/**
 * Repository interfaces of the store. Every method returns a Promise even where the SQLite
 * implementation is synchronous, so the store can move into a worker thread or another process
 * (or onto PostgreSQL) without touching its callers. Times are ISO-8601 UTC strings with
 * milliseconds (`2026-11-05T10:00:00.000Z`) unless a field name ends in `Ms` (ms since epoch).
 */
import type { CodexSessionRepository } from '../supervisor/session';
import type { DynamicsState, GovernanceDecision, GovernanceMetrics } from '../core/eisv';

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

export interface DiscoveryRecord {
  /** Insertion order; the knowledge graph uses it for recency and cursors, callers never see it. */
  seq: number;
  id: string;
  agentId: string;
  discoveryType: string;
  summary: string;
  details: string;
  tags: string[];
  status: string;
  severity: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewDiscovery {
  id: string;
  agentId: string;
  discoveryType: string;
  summary: string;
  details: string;
  /** Already trimmed and de-duplicated (case-insensitively). */
  tags: string[];
  status: string;
  severity: string | null;
  /** ms since epoch */
  createdAtMs: number;
}

export interface NewEdge {
  fromId: string;
  toId: string;
  relation: string;
  agentId: string | null;
  /** ms since epoch */
  createdAtMs: number;
}

export interface EdgeRecord {
  fromId: string;
  toId: string;
  relation: string;
  agentId: string | null;
  createdAt: string;
}

export interface DiscoveryFilters {
  agentId?: string;
  discoveryType?: string;
  /** The discovery must carry every one of these tags (case-insensitive). */
  tags?: string[];
}

export interface RankedSearch extends DiscoveryFilters {
  /** The user's words, verbatim; the store turns them into a safe full-text query. */
  text: string;
  limit: number;
  offset: number;
}

export interface RecentSearch extends DiscoveryFilters {
  limit: number;
  /** Only discoveries inserted before this `seq` (keyset paging). */
  beforeSeq?: number;
}

export interface ScoredDiscovery extends DiscoveryRecord {
  /** Relevance, higher is better: `-bm25` over summary (weight 3), details (1), tags (2); 0 for recency lists. */
  score: number;
}

export interface DiscoveryRepository {
  /**
   * Inserts one discovery and its outgoing edges in one transaction.
   * @throws NotFoundError naming the first edge target that does not exist (nothing is written)
   * @throws ConflictError when the id is taken
   */
  insert(discovery: NewDiscovery, edges: Omit<NewEdge, 'fromId'>[]): Promise<DiscoveryRecord>;
  /** Imports many discoveries and edges in a single transaction (benchmarks, imports). */
  bulkInsert(discoveries: NewDiscovery[], edges?: NewEdge[]): Promise<{ discoveries: number; edges: number }>;
  /**
   * Adds one edge between existing discoveries; `created` is false when it already existed.
   * @throws NotFoundError naming `from_id` or `to_id` when that discovery does not exist
   */
  addEdge(edge: NewEdge): Promise<{ edge: EdgeRecord; created: boolean }>;
  /** Sets the status and `updatedAt`; undefined when the id does not exist. */
  setStatus(id: string, status: string, atMs: number): Promise<DiscoveryRecord | undefined>;
  get(id: string): Promise<DiscoveryRecord | undefined>;
  getMany(ids: string[]): Promise<DiscoveryRecord[]>;
  edges(id: string): Promise<{ outgoing: EdgeRecord[]; incoming: EdgeRecord[] }>;
  /** Full-text search ranked best first; `total` counts every match. Words without letters or digits are ignored. */
  search(query: RankedSearch): Promise<{ items: ScoredDiscovery[]; total: number }>;
  /** Most recent first; `total` counts every discovery matching the filters. */
  recent(query: RecentSearch): Promise<{ items: ScoredDiscovery[]; total: number }>;
  counts(): Promise<{ discoveries: number; edges: number }>;
}

export interface StoreInfo {
  /** Absolute path of the database file. */
  path: string;
  schemaVersion: number;
}

export interface Store {
  readonly agents: AgentRepository;
  readonly discoveries: DiscoveryRepository;
  readonly codexSessions: CodexSessionRepository & Required<Pick<CodexSessionRepository, 'prune'>>;
  info(): Promise<StoreInfo>;
  /** Closes the database; idempotent. Calls after close reject. */
  close(): Promise<void>;
}
