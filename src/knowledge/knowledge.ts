/**
 * The shared knowledge graph: typed, tagged discoveries attributed to agents, `related_to` edges
 * between them, and ranked full-text search (SQLite FTS5 bm25, see src/store/sqlite-discoveries.ts)
 * behind the tools `store_discovery_graph`, `search_knowledge_graph`, `list_knowledge_graph` and
 * `get_discovery_details`. Any agent finds any other agent's discoveries.
 *
 * Results are snake_case wire shapes: the seed's clients read `result.discoveries[]` with `id`,
 * `summary`, `details`, `agent_id`, `discovery_type`, `tags`, `created_at`, `score`.
 */
import { randomBytes } from 'node:crypto';
import { ValidationError, NotFoundError } from '../core/errors';
import type { DiscoveryEventPayload, GovernanceEvents } from '../core/events';
import type { DiscoveryFilters, DiscoveryRecord, EdgeRecord, KnowledgeStore, ScoredDiscovery } from './repository';
import { decodeCursor, encodeCursor, fingerprint } from './cursor';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const LIMITS = {
  agentId: 200,
  discoveryType: 64,
  summary: 1000,
  details: 100_000,
  tag: 100,
  tags: 50,
  relatedTo: 100,
  /** Largest page of search/list. */
  page: 100,
  /** Statuses and relations: lowercase words. */
  word: 32,
  /** Discovery ids given by callers. */
  discoveryId: 200,
  query: 1000,
  cursor: 500,
} as const;

export interface StoreDiscoveryInput {
  agentId: string;
  /** e.g. insight, pattern, bug_found, improvement, question, answer, note */
  discoveryType: string;
  summary: string;
  details?: string;
  tags?: string[];
  /** Ids of existing discoveries; each becomes a `related_to` edge from the new one. */
  relatedTo?: string[];
  severity?: Severity | null;
}

/** A discovery as the tools return it. */
export type DiscoveryView = DiscoveryEventPayload & { updated_at: string };

export interface SearchItem {
  id: string;
  summary: string;
  details: string;
  agent_id: string;
  discovery_type: string;
  tags: string[];
  status: string;
  severity: string | null;
  created_at: string;
  /**
   * Relevance, higher is better: `-bm25` with column weights summary 3, details 1, tags 2.
   * Unbounded and only comparable within one query; 0 in recency lists (empty query, `list`).
   */
  score: number;
}

export interface SearchPage {
  discoveries: SearchItem[];
  /** Every discovery matching the query and filters (not just this page). */
  total: number;
  /** Present when more results follow; pass it back as `cursor`. */
  next_cursor?: string;
}

export interface FilterInput {
  agentId?: string;
  discoveryType?: string;
  /** The discovery must carry all of them (case-insensitive). */
  tags?: string[];
}

export interface SearchInput extends FilterInput {
  /** Free text; any characters are safe. Empty = most recent discoveries matching the filters. */
  query?: string;
  /** 1..100, default 10 */
  limit?: number;
  cursor?: string;
}

export interface ListInput extends FilterInput {
  /** 1..100, default 20 */
  limit?: number;
  cursor?: string;
}

export interface EdgeView {
  /** The discovery at the other end of the edge. */
  id: string;
  relation: string;
  /** Who created the edge. */
  agent_id: string | null;
  created_at: string;
  /** The other discovery's summary and type (null if it vanished). */
  summary: string | null;
  discovery_type: string | null;
}

export interface DiscoveryDetails {
  discovery: DiscoveryView;
  edges: { outgoing: EdgeView[]; incoming: EdgeView[] };
}

export interface LinkInput {
  fromId: string;
  toId: string;
  /** Lowercase word, e.g. related_to (default), answers, duplicates, supersedes, contradicts. */
  relation?: string;
  agentId?: string;
}

export interface LinkResult {
  from_id: string;
  to_id: string;
  relation: string;
  agent_id: string | null;
  created_at: string;
  /** False when the same edge already existed (nothing changed). */
  created: boolean;
}

/** Lowercase identifier, 1..32 characters: statuses and relations are matched exactly, so keep them canonical. */
const WORD = new RegExp(`^[a-z][a-z0-9_-]{0,${LIMITS.word - 1}}$`);

export class KnowledgeGraph {
  /**
   * @param clock ms since epoch for `created_at`
   */
  constructor(
    private readonly storage: KnowledgeStore,
    private readonly events: GovernanceEvents,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Stores a discovery (status `open`) and its `related_to` edges atomically; emits `discovery-stored`.
   * @throws ValidationError naming the bad field (`agent_id`, `discovery_type`, `summary`, `details`, `tags`, `related_to`, `severity`)
   * @throws NotFoundError naming a `related_to` id that does not exist (nothing is stored)
   */
  async store(input: StoreDiscoveryInput): Promise<DiscoveryView> {
    const agentId = requiredText('agent_id', input.agentId, LIMITS.agentId);
    const discoveryType = requiredText('discovery_type', input.discoveryType, LIMITS.discoveryType);
    const summary = requiredText('summary', input.summary, LIMITS.summary);
    const details = optionalText('details', input.details, LIMITS.details);
    const tags = normalizeTags(input.tags);
    const relatedTo = normalizeIds(input.relatedTo);
    const severity = checkSeverity(input.severity);
    const nowMs = this.clock();
    const id = `disc_${randomBytes(9).toString('base64url')}`;
    const record = await this.storage.discoveries.insert(
      { id, agentId, discoveryType, summary, details, tags, status: 'open', severity, createdAtMs: nowMs },
      relatedTo.map((toId) => ({ toId, relation: 'related_to', agentId, createdAtMs: nowMs })),
    );
    const view = toView(record, relatedTo);
    this.events.emit('discovery-stored', { discovery: view });
    return view;
  }

  /**
   * Ranked full-text search over summary, details and tags, best first. Words are matched
   * independently (any word can match; more and rarer matching words rank higher) and a trailing
   * `*` searches a prefix. An empty query returns the most recent discoveries matching the filters.
   * @throws ValidationError naming `limit`, `cursor`, `tags`, `agent_id` or `discovery_type`
   */
  async search(input: SearchInput): Promise<SearchPage> {
    const query = (input.query ?? '').trim();
    if (!query) return this.recent(input, input.limit ?? 10);
    const limit = checkPageLimit(input.limit ?? 10);
    const filters = normalizeFilters(input);
    const fp = fingerprint(['rank', query, filters.agentId, filters.discoveryType, filters.tags?.map((t) => t.toLowerCase()).sort()]);
    const offset = input.cursor ? (decodeCursor(input.cursor, 'rank', fp) as { offset: number }).offset : 0;
    const { items, total } = await this.storage.discoveries.search({ ...filters, text: query, limit, offset });
    const next = offset + items.length;
    return {
      discoveries: items.map(toItem),
      total,
      ...(next < total && items.length > 0 ? { next_cursor: encodeCursor({ mode: 'rank', offset: next }, fp) } : {}),
    };
  }

  /**
   * Most recent discoveries first, optionally filtered; pages never repeat or skip an item, even
   * when discoveries are stored between pages.
   * @throws ValidationError naming `limit`, `cursor`, `tags`, `agent_id` or `discovery_type`
   */
  async list(input: ListInput = {}): Promise<SearchPage> {
    return this.recent(input, input.limit ?? 20);
  }

  /**
   * One discovery with its edges in both directions and the other ends' summaries.
   * @throws NotFoundError naming the id
   */
  async getDetails(id: string): Promise<DiscoveryDetails> {
    const discoveryId = requiredText('discovery_id', id, 200);
    const record = await this.storage.discoveries.get(discoveryId);
    if (!record) {
      throw new NotFoundError('discovery', discoveryId, `No discovery with id "${discoveryId}" exists. Use an id returned by store_discovery_graph, search_knowledge_graph or list_knowledge_graph.`);
    }
    const { outgoing, incoming } = await this.storage.discoveries.edges(discoveryId);
    const others = await this.storage.discoveries.getMany([...new Set([...outgoing.map((e) => e.toId), ...incoming.map((e) => e.fromId)])]);
    const byId = new Map(others.map((d) => [d.id, d]));
    const relatedTo = outgoing.filter((e) => e.relation === 'related_to').map((e) => e.toId);
    return {
      discovery: toView(record, relatedTo),
      edges: {
        outgoing: outgoing.map((e) => edgeView(e, e.toId, byId)),
        incoming: incoming.map((e) => edgeView(e, e.fromId, byId)),
      },
    };
  }

  /**
   * Links two existing discoveries (idempotent per from/to/relation).
   * @throws ValidationError naming `relation`, or `to_id` for a self-link
   * @throws NotFoundError naming the missing `from_id` / `to_id`
   */
  async link(input: LinkInput): Promise<LinkResult> {
    const fromId = requiredText('from_id', input.fromId, 200);
    const toId = requiredText('to_id', input.toId, 200);
    if (fromId === toId) throw new ValidationError('to_id', 'A discovery cannot be linked to itself; to_id must differ from from_id.');
    const relation = checkWord('relation', input.relation ?? 'related_to');
    const agentId = input.agentId === undefined ? null : requiredText('agent_id', input.agentId, LIMITS.agentId);
    const { edge, created } = await this.storage.discoveries.addEdge({ fromId, toId, relation, agentId, createdAtMs: this.clock() });
    if (created) {
      this.events.emit('discovery-updated', { id: fromId, change: 'edge' });
      this.events.emit('discovery-updated', { id: toId, change: 'edge' });
    }
    return { from_id: edge.fromId, to_id: edge.toId, relation: edge.relation, agent_id: edge.agentId, created_at: edge.createdAt, created };
  }

  /**
   * Sets a discovery's status (e.g. open, resolved, archived, disputed).
   * @throws ValidationError naming `status`; NotFoundError naming the id
   */
  async updateStatus(input: { id: string; status: string }): Promise<DiscoveryView> {
    const id = requiredText('discovery_id', input.id, 200);
    const status = checkWord('status', input.status);
    const record = await this.storage.discoveries.setStatus(id, status, this.clock());
    if (!record) throw new NotFoundError('discovery', id, `No discovery with id "${id}" exists.`);
    const { outgoing } = await this.storage.discoveries.edges(id);
    this.events.emit('discovery-updated', { id, change: 'status' });
    return toView(record, outgoing.filter((e) => e.relation === 'related_to').map((e) => e.toId));
  }

  private async recent(input: FilterInput & { cursor?: string }, rawLimit: number): Promise<SearchPage> {
    const limit = checkPageLimit(rawLimit);
    const filters = normalizeFilters(input);
    const fp = fingerprint(['recent', filters.agentId, filters.discoveryType, filters.tags?.map((t) => t.toLowerCase()).sort()]);
    const beforeSeq = input.cursor ? (decodeCursor(input.cursor, 'recent', fp) as { beforeSeq: number }).beforeSeq : undefined;
    // One extra row tells whether another page exists without a second query.
    const { items, total } = await this.storage.discoveries.recent({ ...filters, limit: limit + 1, beforeSeq });
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    return {
      discoveries: page.map(toItem),
      total,
      ...(items.length > limit && last ? { next_cursor: encodeCursor({ mode: 'recent', beforeSeq: last.seq }, fp) } : {}),
    };
  }
}

function requiredText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || !value.trim()) throw new ValidationError(field, `${field} must be a non-empty string.`);
  const text = value.trim();
  if (text.length > max) throw new ValidationError(field, `${field} is ${text.length} characters long; the limit is ${max}.`);
  return text;
}

function optionalText(field: string, value: unknown, max: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ValidationError(field, `${field} must be a string.`);
  if (value.length > max) throw new ValidationError(field, `${field} is ${value.length} characters long; the limit is ${max}.`);
  return value;
}

/** Trims, drops empties, and keeps the first spelling of case-insensitive duplicates. */
function normalizeTags(tags: unknown, field = 'tags'): string[] {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags)) throw new ValidationError(field, `${field} must be an array of strings, e.g. ["python", "refactoring"].`);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const tag of tags) {
    if (typeof tag !== 'string') throw new ValidationError(field, `${field} must contain only strings (got ${JSON.stringify(tag)}).`);
    const t = tag.trim();
    if (!t) continue;
    if (t.length > LIMITS.tag) throw new ValidationError(field, `The tag "${t.slice(0, 20)}..." is ${t.length} characters long; the limit is ${LIMITS.tag}.`);
    if (seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    out.push(t);
  }
  if (out.length > LIMITS.tags) throw new ValidationError(field, `${out.length} tags given; the limit is ${LIMITS.tags}.`);
  return out;
}

function normalizeIds(ids: unknown): string[] {
  if (ids === undefined || ids === null) return [];
  if (!Array.isArray(ids)) throw new ValidationError('related_to', 'related_to must be an array of discovery ids.');
  const out = [...new Set(ids.map((id) => (typeof id === 'string' ? id.trim() : '')))];
  if (out.some((id) => !id)) throw new ValidationError('related_to', 'related_to must contain only non-empty discovery ids.');
  if (out.length > LIMITS.relatedTo) throw new ValidationError('related_to', `${out.length} related ids given; the limit is ${LIMITS.relatedTo}.`);
  return out;
}

function checkSeverity(value: unknown): Severity | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value)) return value as Severity;
  throw new ValidationError('severity', `severity must be one of ${SEVERITIES.join(', ')} (got ${JSON.stringify(value)}).`);
}

function checkWord(field: string, value: unknown): string {
  const word = typeof value === 'string' ? value.trim() : '';
  if (!WORD.test(word)) {
    throw new ValidationError(field, `${field} must be a lowercase word of 1 to ${LIMITS.word} letters, digits, "_" or "-" starting with a letter (got ${JSON.stringify(value)}).`);
  }
  return word;
}

function checkPageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.page) {
    throw new ValidationError('limit', `limit must be an integer from 1 to ${LIMITS.page} (got ${limit}).`);
  }
  return limit;
}

function normalizeFilters(input: FilterInput): DiscoveryFilters {
  const agentId = typeof input.agentId === 'string' && input.agentId.trim() ? input.agentId.trim() : undefined;
  const discoveryType = typeof input.discoveryType === 'string' && input.discoveryType.trim() ? input.discoveryType.trim() : undefined;
  const tags = normalizeTags(input.tags);
  return { agentId, discoveryType, tags: tags.length ? tags : undefined };
}

/** The snake_case fields every discovery view shares (tool output, seed 000's `discoveries[]`). */
function commonFields(record: DiscoveryRecord) {
  return {
    id: record.id,
    summary: record.summary,
    details: record.details,
    agent_id: record.agentId,
    discovery_type: record.discoveryType,
    tags: record.tags,
    status: record.status,
    severity: record.severity,
    created_at: record.createdAt,
  };
}

function toView(record: DiscoveryRecord, relatedTo: string[]): DiscoveryView {
  return { ...commonFields(record), updated_at: record.updatedAt, related_to: relatedTo };
}

function toItem(record: ScoredDiscovery): SearchItem {
  return { ...commonFields(record), score: record.score };
}

function edgeView(edge: EdgeRecord, otherId: string, byId: Map<string, DiscoveryRecord>): EdgeView {
  const other = byId.get(otherId);
  return {
    id: otherId,
    relation: edge.relation,
    agent_id: edge.agentId,
    created_at: edge.createdAt,
    summary: other?.summary ?? null,
    discovery_type: other?.discoveryType ?? null,
  };
}
