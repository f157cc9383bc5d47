/**
 * Messages between the Knowledge graph panel's page and its host (src/vscode/panels/). The host
 * validates every page message with {@link parseKgPageMessage}; the page trusts the host.
 * Node ids: a discovery's own id, an agent's is `agent:<agent_id>`.
 */
import * as z from 'zod/mini';
import { parseMessage } from '../shared/parse';

export const KG_VIEW_TYPE = 'codexGovernance.knowledgeGraph';

const filtersSchema = z.strictObject({
  /** Free text (ranked search); empty = most recent. */
  query: z._default(z.string().check(z.maxLength(1000)), ''),
  agentId: z.optional(z.string().check(z.maxLength(200))),
  discoveryType: z.optional(z.string().check(z.maxLength(64))),
  tag: z.optional(z.string().check(z.maxLength(100))),
});

export type GraphFilters = z.output<typeof filtersSchema>;

export const kgPageMessageSchema = z.discriminatedUnion('type', [
  /** The page is listening; `filters` are those it restored after a reload. */
  z.strictObject({ type: z.literal('ready'), filters: z.optional(filtersSchema) }),
  z.strictObject({ type: z.literal('search'), filters: filtersSchema }),
  z.strictObject({ type: z.literal('loadMore') }),
  z.strictObject({ type: z.literal('details'), id: z.string().check(z.minLength(1), z.maxLength(300)) }),
  /** The page drew a graph: node count and ms from receiving the data to the layout's end. */
  z.strictObject({ type: z.literal('rendered'), nodes: z.number().check(z.int(), z.gte(0)), ms: z.number().check(z.gte(0)) }),
]);

export type KgPageMessage = z.output<typeof kgPageMessageSchema>;

export interface GraphNode {
  id: string;
  kind: 'discovery' | 'agent';
  /** Summary (discoveries, at most 80 characters) or agent id. */
  label: string;
  discoveryType?: string;
  agentId?: string;
  tags?: string[];
  severity?: string | null;
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

/** Parses the show command's optional argument, e.g. `{ query: 'cache', agentId: 'alice' }`. */
export function parseGraphFilters(raw: unknown): GraphFilters {
  return parseMessage(filtersSchema, raw ?? {}, 'Knowledge graph');
}

/**
 * Validates a message from the page.
 * @throws Error naming the offending field, e.g. `filters.query: Too big...`
 */
export function parseKgPageMessage(raw: unknown): KgPageMessage {
  return parseMessage(kgPageMessageSchema, raw, 'Knowledge graph');
}
