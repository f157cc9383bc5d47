/**
 * Discoveries similar to a given one (`find_similar_discoveries_graph`).
 *
 * Reference: CIRWEL/governance-mcp-v1-backup @ e162fb76320ed254cd10090b609024d821556ced,
 * src/mcp_handlers/knowledge_graph.py handle_find_similar_discoveries_graph (input discovery_id,
 * limit default 10; answer {discovery_id, similar_discoveries without details, count, message})
 * over src/knowledge_graph.py find_similar, which ranks other discoveries by the number of tags
 * they share with it. Here the ranking is the knowledge graph's own bm25 search (./knowledge
 * search) with the discovery's tags and summary as the query, so a discovery sharing summary words
 * counts as well as one sharing tags, and rarer shared words weigh more; the discovery itself is
 * left out.
 */
import { ValidationError } from '../core/errors';
import type { KnowledgeGraph, SearchItem } from './knowledge';

export const SIMILAR_LIMITS = { defaultLimit: 10, maxLimit: 50 } as const;

export interface SimilarDiscoveries {
  discovery_id: string;
  /** Best first; `score` is the bm25 relevance (higher is more similar, comparable within one answer). */
  similar_discoveries: Array<Omit<SearchItem, 'details'>>;
  count: number;
  message: string;
}

/**
 * @param limit 1..50, default 10
 * @throws NotFoundError naming the discovery_id; ValidationError (`limit`)
 */
export async function findSimilarDiscoveries(knowledge: KnowledgeGraph, discoveryId: string, limit: number = SIMILAR_LIMITS.defaultLimit): Promise<SimilarDiscoveries> {
  if (!Number.isInteger(limit) || limit < 1 || limit > SIMILAR_LIMITS.maxLimit) {
    throw new ValidationError('limit', `limit must be an integer from 1 to ${SIMILAR_LIMITS.maxLimit} (got ${limit}).`);
  }
  const { discovery } = await knowledge.getDetails(discoveryId);
  // Tags first: the search keeps the first 32 words of a query, and the tags are V1's whole signal.
  const query = [...discovery.tags, discovery.summary].join(' ');
  // One more than asked: the discovery itself is usually the best match.
  const page = await knowledge.search({ query, limit: limit + 1 });
  const similar = page.discoveries
    .filter((d) => d.id !== discovery.id)
    .slice(0, limit)
    .map(({ details: _details, ...rest }) => rest);
  return {
    discovery_id: discovery.id,
    similar_discoveries: similar,
    count: similar.length,
    message: `Found ${similar.length} similar discovery(ies)`,
  };
}
