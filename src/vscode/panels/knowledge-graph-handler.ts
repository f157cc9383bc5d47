/**
 * The Knowledge graph panel's host logic, without `vscode`: answers the page's messages through the
 * governance client (this window's server or another window's) and tells it when new discoveries
 * arrive. One instance per open panel.
 *
 * Graph shape: one node per discovery and per author agent (`agent:<id>`), an `authored` edge from
 * the agent to each of its discoveries, and the stored edges (`related_to`, `answers`, ...) whose
 * both ends are shown. Discoveries load most recent (or best ranked) first, `pageSize` at a time,
 * up to `cap` in all so the page never lays out more than it can draw without freezing.
 */
import type { GovernanceClient } from '../../client/types';
import type { SearchItem, SearchPage } from '../../knowledge/knowledge';
import { type GraphDetails, type GraphEdge, type GraphFilters, type GraphNode, type KgHostMessage } from '../../webviews/knowledge-graph/protocol';
import { parseGraphFilters, parseKgPageMessage } from '../../webviews/knowledge-graph/schema';
import { currentClient, type PanelClientSource } from './data';
import { RenderWaiter } from './render-waiter';

/** What the page drew last: node count, ms from data to layout end, and the discoveries shown. */
export interface GraphRenderReport {
  nodes: number;
  ms: number;
  loaded: number;
  total: number;
  filters: GraphFilters;
  /** Renders reported by this panel's pages so far, this one included. */
  renders: number;
}

export interface KnowledgeGraphHandlerOptions {
  /** Discoveries per "load more" (first render included). Default 500, {@link REMOTE_PAGE_SIZE} over HTTP. */
  pageSize?: number;
  /** Most discoveries shown at once. Default 2000. */
  cap?: number;
  /** Delay (ms) that coalesces `discovery-stored` events into one `stale` message. Default 500. */
  staleDelayMs?: number;
  /** Receives the page's `rendered` reports (node count, ms). */
  onRendered?: (nodes: number, ms: number) => void;
}

/** Largest page the knowledge graph API returns (LIMITS.page). */
const API_PAGE = 100;
/**
 * Discoveries per page from another window's server: each costs one `get_discovery_details` call
 * (its edges), and HTTP calls count against the server's rate limit (100 a minute by default).
 */
export const REMOTE_PAGE_SIZE = 50;
/** Said under the graph when it comes from another window's server. */
export const REMOTE_GRAPH_NOTE = `Read from the governance server of another VS Code window: ${REMOTE_PAGE_SIZE} discoveries per page, to stay under its rate limit.`;
const LABEL_CHARS = 80;
const EMPTY_FILTERS: GraphFilters = { query: '' };

export class KnowledgeGraphHandler {
  private readonly cap: number;
  private readonly staleDelayMs: number;
  private filters: GraphFilters = EMPTY_FILTERS;
  private cursor: string | undefined;
  private loaded = new Set<string>();
  private agents = new Set<string>();
  private edgeKeys = new Set<string>();
  // Facets outlive a search so a filtered view still offers the other choices.
  private readonly facetAgents = new Set<string>();
  private readonly types = new Set<string>();
  private readonly tags = new Set<string>();
  private generation = 0;
  private unsubscribe: (() => void) | undefined;
  private newDiscoveries = 0;
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;
  private pendingFilters: GraphFilters | undefined;
  private total = 0;
  private readonly renders = new RenderWaiter<GraphRenderReport>();
  private lastReport: GraphRenderReport | undefined;

  constructor(
    private readonly client: PanelClientSource,
    private readonly post: (message: KgHostMessage) => void,
    private readonly options: KnowledgeGraphHandlerOptions = {},
  ) {
    this.cap = options.cap ?? 2000;
    this.staleDelayMs = options.staleDelayMs ?? 500;
  }

  /** Handles one raw message from the page; failures are posted to the page as `error`, never thrown. */
  async handle(raw: unknown): Promise<void> {
    try {
      const message = parseKgPageMessage(raw);
      switch (message.type) {
        case 'ready': {
          this.subscribe();
          this.ready = true;
          const filters = this.pendingFilters ?? message.filters ?? EMPTY_FILTERS;
          this.pendingFilters = undefined;
          return await this.load(filters);
        }
        case 'search':
          return await this.load(message.filters);
        case 'loadMore':
          return await this.loadMore();
        case 'details':
          return this.post({ type: 'details', details: await this.details(message.id) });
        case 'rendered':
          this.options.onRendered?.(message.nodes, message.ms);
          this.lastReport = { nodes: message.nodes, ms: message.ms, loaded: this.loaded.size, total: this.total, filters: this.filters, renders: (this.lastReport?.renders ?? 0) + 1 };
          this.renders.resolve(this.lastReport);
          return;
      }
    } catch (err) {
      this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * Shows a search chosen outside the page (the show command's argument), through the page so
   * its controls match: before `ready` it replaces the restored filters.
   * @throws Error naming the bad field of `raw`
   */
  apply(raw: unknown): void {
    const filters = parseGraphFilters(raw);
    if (this.ready) this.post({ type: 'apply', filters });
    else this.pendingFilters = filters;
  }

  /** Resolves with the page's next render report; rejects after `timeoutMs` (ms). */
  nextRender(timeoutMs: number): Promise<GraphRenderReport> {
    return this.renders.next('Knowledge graph', timeoutMs);
  }

  lastRender(): GraphRenderReport | undefined {
    return this.lastReport;
  }

  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.staleTimer) clearTimeout(this.staleTimer);
    this.renders.dispose();
  }

  /** Listens to the client in use (a reloaded page may come after the server moved to another window). */
  private subscribe(): void {
    this.unsubscribe?.();
    this.unsubscribe = this.client()?.onDiscoveriesStored((count) => {
      this.newDiscoveries += count;
      this.staleTimer ??= setTimeout(() => {
        this.staleTimer = undefined;
        // A search that ran meanwhile already shows them (it resets the count).
        if (this.newDiscoveries > 0) this.post({ type: 'stale', newDiscoveries: this.newDiscoveries });
      }, this.staleDelayMs);
    });
  }

  private async load(filters: GraphFilters): Promise<void> {
    this.generation++;
    this.filters = filters;
    this.cursor = undefined;
    this.loaded = new Set();
    this.agents = new Set();
    this.edgeKeys = new Set();
    this.newDiscoveries = 0;
    await this.page(false);
  }

  private async loadMore(): Promise<void> {
    // Nothing further: answer with an empty page so the page's button settles.
    await this.page(true);
  }

  private async page(append: boolean): Promise<void> {
    const client = currentClient(this.client);
    const generation = this.generation;
    const filters = this.filters;
    const want = Math.min(this.pageSizeFor(client), this.cap - this.loaded.size);
    const items: SearchItem[] = [];
    let total = this.loaded.size;
    let more = append ? this.cursor !== undefined : true;
    while (more && items.length < want) {
      const limit = Math.min(API_PAGE, want - items.length);
      const result: SearchPage = await client.knowledgePage({
        query: filters.query,
        limit,
        cursor: this.cursor,
        agentId: filters.agentId || undefined,
        discoveryType: filters.discoveryType || undefined,
        tags: filters.tag ? [filters.tag] : undefined,
      });
      if (generation !== this.generation) return; // a newer search replaced this one
      items.push(...result.discoveries);
      total = result.total;
      this.cursor = result.next_cursor;
      more = result.next_cursor !== undefined && result.discoveries.length > 0;
    }
    const nodes: GraphNode[] = [];
    const edges: GraphEdge[] = [];
    const fresh = items.filter((d) => !this.loaded.has(d.id));
    for (const d of fresh) this.loaded.add(d.id);
    for (const d of fresh) {
      const agentNode = `agent:${d.agent_id}`;
      if (!this.agents.has(d.agent_id)) {
        this.agents.add(d.agent_id);
        nodes.push({ id: agentNode, kind: 'agent', label: d.agent_id, agentId: d.agent_id });
      }
      this.facetAgents.add(d.agent_id);
      this.types.add(d.discovery_type);
      for (const t of d.tags) this.tags.add(t);
      nodes.push({
        id: d.id,
        kind: 'discovery',
        label: d.summary.length > LABEL_CHARS ? `${d.summary.slice(0, LABEL_CHARS - 1)}…` : d.summary,
        discoveryType: d.discovery_type,
        agentId: d.agent_id,
        tags: d.tags,
        severity: d.severity,
        status: d.status,
        createdAt: d.created_at,
      });
      this.addEdge(edges, agentNode, d.id, 'authored');
    }
    // Both directions: an edge between a new node and one loaded earlier appears exactly once.
    const allDetails = await Promise.all(fresh.map((d) => client.getDiscoveryDetails(d.id)));
    if (generation !== this.generation) return;
    for (const details of allDetails) {
      const id = details.discovery.id;
      for (const e of details.edges.outgoing) if (this.loaded.has(e.id)) this.addEdge(edges, id, e.id, e.relation);
      for (const e of details.edges.incoming) if (this.loaded.has(e.id)) this.addEdge(edges, e.id, id, e.relation);
    }
    const hasMore = this.cursor !== undefined;
    this.total = total;
    this.post({
      type: 'graph',
      append,
      nodes,
      edges,
      filters,
      loaded: this.loaded.size,
      total,
      hasMore: hasMore && this.loaded.size < this.cap,
      capped: hasMore && this.loaded.size >= this.cap,
      cap: this.cap,
      facets: { agents: sorted(this.facetAgents), types: sorted(this.types), tags: sorted(this.tags) },
      ...(client.kind === 'http' ? { note: REMOTE_GRAPH_NOTE } : {}),
    });
  }

  private pageSizeFor(client: GovernanceClient): number {
    return this.options.pageSize ?? (client.kind === 'http' ? REMOTE_PAGE_SIZE : 500);
  }

  private addEdge(edges: GraphEdge[], source: string, target: string, relation: string): void {
    const id = `${source}|${relation}|${target}`;
    if (this.edgeKeys.has(id)) return;
    this.edgeKeys.add(id);
    edges.push({ id, source, target, relation });
  }

  private async details(id: string): Promise<GraphDetails> {
    const { discovery: d, edges } = await currentClient(this.client).getDiscoveryDetails(id);
    return {
      id: d.id,
      summary: d.summary,
      details: d.details,
      agentId: d.agent_id,
      discoveryType: d.discovery_type,
      tags: d.tags,
      status: d.status,
      severity: d.severity,
      createdAt: d.created_at,
      edges: [
        ...edges.outgoing.map((e) => ({ direction: 'out' as const, id: e.id, relation: e.relation, summary: e.summary })),
        ...edges.incoming.map((e) => ({ direction: 'in' as const, id: e.id, relation: e.relation, summary: e.summary })),
      ],
    };
  }
}

function sorted(values: Set<string>): string[] {
  return [...values].sort((a, b) => a.localeCompare(b));
}
