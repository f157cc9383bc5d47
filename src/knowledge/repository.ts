/**
 * What the knowledge graph needs from storage: the discovery repository, declared here beside the
 * graph that uses it (the store implements it, ../store/sqlite-discoveries, so store -> knowledge
 * runs one way). Times are ISO-8601 UTC strings with milliseconds unless a field name ends in `Ms`.
 */

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
  /**
   * Resolves once ranked searches are answered from the in-memory index (built in the background
   * after opening; until then FTS5 answers them, with the same results).
   */
  searchReady(): Promise<void>;
  /** Full-text search ranked best first; `total` counts every match. Words without letters or digits are ignored. */
  search(query: RankedSearch): Promise<{ items: ScoredDiscovery[]; total: number }>;
  /** Most recent first; `total` counts every discovery matching the filters. */
  recent(query: RecentSearch): Promise<{ items: ScoredDiscovery[]; total: number }>;
  counts(): Promise<{ discoveries: number; edges: number }>;
}

/** The storage the knowledge graph reads and writes. */
export interface KnowledgeStore {
  readonly discoveries: DiscoveryRepository;
}
