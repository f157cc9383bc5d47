/**
 * Messages between the Knowledge graph panel's page and its host (src/vscode/panels/): types and
 * constants only, so the page bundle carries no validation code. The host validates every page
 * message with the schemas of ./schema (zod/mini, host only); the page trusts the host.
 * Node ids: a discovery's own id, an agent's is `agent:<agent_id>`.
 */

export const KG_VIEW_TYPE = 'codexGovernance.knowledgeGraph';

/** Longest values the host accepts (characters). */
export const KG_LIMITS = { query: 1000, agentId: 200, discoveryType: 64, tag: 100, id: 300 } as const;

export interface GraphFilters {
  /** Free text (ranked search); empty = most recent. */
  query: string;
  agentId?: string;
  discoveryType?: string;
  tag?: string;
}

export type KgPageMessage =
  /** The page is listening; `filters` are those it restored after a reload. */
  | { type: 'ready'; filters?: GraphFilters }
  | { type: 'search'; filters: GraphFilters }
  | { type: 'loadMore' }
  | { type: 'details'; id: string }
  /** The page drew a graph: node count and ms from receiving the data to the layout's end. */
  | { type: 'rendered'; nodes: number; ms: number };

export interface GraphNode {
  id: string;
  kind: 'discovery' | 'agent';
  /** Summary (discoveries, at most 80 characters) or agent id. */
  label: string;
  discoveryType?: string;
  agentId?: string;
  tags?: string[];
  severity?: string | null;
  /** A discovery's status (`open`, `resolved`, ...). */
  status?: string;
  createdAt?: string;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** A knowledge-graph relation (`related_to`, `answers`, ...) or `authored` (agent -> discovery). */
  relation: string;
}

export interface GraphDetails {
  id: string;
  summary: string;
  details: string;
  agentId: string;
  discoveryType: string;
  tags: string[];
  status: string;
  severity: string | null;
  createdAt: string;
  edges: { direction: 'out' | 'in'; id: string; relation: string; summary: string | null }[];
}

export type KgHostMessage =
  | {
      type: 'graph';
      /** True: add to what is shown ("load more"); false: replace it. */
      append: boolean;
      nodes: GraphNode[];
      edges: GraphEdge[];
      filters: GraphFilters;
      /** Discoveries shown after this message, and how many match the filters in all. */
      loaded: number;
      total: number;
      hasMore: boolean;
      /** True when the panel stopped loading at its cap although more match. */
      capped: boolean;
      cap: number;
      /** Values for the filter pickers. */
      facets: { agents: string[]; types: string[]; tags: string[] };
      /** Set when the server runs in another VS Code window (read over HTTP): says what that changes. */
      note?: string;
    }
  | { type: 'details'; details: GraphDetails }
  /** Run this search as if typed (the show command's argument); the page answers with `search`. */
  | { type: 'apply'; filters: GraphFilters }
  /** Discoveries were stored since the graph was loaded. */
  | { type: 'stale'; newDiscoveries: number }
  | { type: 'error'; message: string };

/** What the page keeps across reloads (webview state, restored by the panel serializer). */
export interface KgPageState {
  filters: GraphFilters;
  selected?: string;
}
