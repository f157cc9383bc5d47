/**
 * Knowledge graph tools (names from seed 000): agents store typed, tagged discoveries and find
 * each other's work with ranked full-text search.
 */
import { z } from 'zod';
import type { GovernanceService } from '../../core/governance';
import { LIMITS, SEVERITIES, type KnowledgeGraph } from '../../knowledge/knowledge';
import { SIMILAR_LIMITS, findSimilarDiscoveries } from '../../knowledge/similar';
import { defineTool, resolveAgentId, throttledTouch } from './types';

// The knowledge graph's own limits (LIMITS): the schema refuses what the service would.
const tags = z.array(z.string().min(1).max(LIMITS.tag)).max(LIMITS.tags);
const discoveryId = z.string().min(1).max(LIMITS.discoveryId);
const word = z.string().min(1).max(LIMITS.word);
const pageLimit = (byDefault: number) => z.number().int().min(1).max(LIMITS.page).default(byDefault);
const cursor = z.string().max(LIMITS.cursor);
const discoveryItem = z.looseObject({
  id: z.string(),
  summary: z.string(),
  agent_id: z.string(),
  discovery_type: z.string(),
  tags: z.array(z.string()),
  created_at: z.string(),
});

export function knowledgeTools(knowledge: KnowledgeGraph, governance: GovernanceService) {
  const touch = throttledTouch((id, info) => governance.ensureAgent(id, info));
  return [
    defineTool({
      name: 'store_discovery_graph',
      // The reference server's name for it (seed 000 says store_discovery_graph).
      aliases: ['store_knowledge_graph'],
      title: 'Store a discovery',
      description:
        'Share something you learned (a bug, pattern, insight, decision...) so other agents find it. ' +
        'related_to links it to existing discovery ids.',
      input: {
        agent_id: z.string().min(1).max(LIMITS.agentId).optional().describe('Author; defaults to the caller identity.'),
        discovery_type: z.string().min(1).max(LIMITS.discoveryType).default('insight').describe('e.g. insight, pattern, bug_found, improvement, question, answer, note.'),
        summary: z.string().min(1).max(LIMITS.summary).describe('One-line summary; searched and shown in lists.'),
        details: z.string().max(LIMITS.details).default('').describe('Full text; searched.'),
        tags: tags.default([]),
        related_to: z.array(z.string().min(1)).max(LIMITS.relatedTo).default([]).describe('Ids of existing discoveries this one relates to.'),
        severity: z.enum(SEVERITIES).optional(),
      },
      output: z.looseObject({ success: z.boolean(), discovery: discoveryItem }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      handler: async (args, ctx) => {
        const id = resolveAgentId(args.agent_id, ctx);
        await touch(id, ctx);
        const discovery = await knowledge.store({
          agentId: id,
          discoveryType: args.discovery_type,
          summary: args.summary,
          details: args.details,
          tags: args.tags,
          relatedTo: args.related_to,
          severity: args.severity,
        });
        return { success: true, discovery_id: discovery.id, discovery: { ...discovery } };
      },
    }),
    defineTool({
      name: 'search_knowledge_graph',
      title: 'Search discoveries',
      description:
        'Ranked full-text search (SQLite FTS5, bm25) over summaries, details and tags; filter by tags (all must match), ' +
        'discovery_type and agent_id; page with limit + cursor. Returns discoveries[] best first with a score.',
      input: {
        query: z.string().max(LIMITS.query).default('').describe('Words to search for; empty lists the most recent matching the filters.'),
        tags: tags.optional(),
        discovery_type: z.string().max(LIMITS.discoveryType).optional(),
        agent_id: z.string().max(LIMITS.agentId).optional().describe('Only discoveries by this agent.'),
        limit: pageLimit(10),
        cursor: cursor.optional().describe('next_cursor from the previous page.'),
      },
      output: z.looseObject({ discoveries: z.array(discoveryItem.extend({ score: z.number() })) }),
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args) => ({
        ...(await knowledge.search({
          query: args.query,
          tags: args.tags,
          discoveryType: args.discovery_type,
          agentId: args.agent_id,
          limit: args.limit,
          cursor: args.cursor,
        })),
      }),
    }),
    defineTool({
      name: 'list_knowledge_graph',
      title: 'Browse discoveries',
      description: 'Most recent discoveries first, optionally filtered by agent, type and tags; page with limit + cursor.',
      input: {
        agent_id: z.string().max(LIMITS.agentId).optional(),
        discovery_type: z.string().max(LIMITS.discoveryType).optional(),
        tags: tags.optional(),
        limit: pageLimit(20),
        cursor: cursor.optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args) => ({
        ...(await knowledge.list({ agentId: args.agent_id, discoveryType: args.discovery_type, tags: args.tags, limit: args.limit, cursor: args.cursor })),
      }),
    }),
    defineTool({
      name: 'link_discoveries',
      title: 'Link two discoveries',
      description: 'Adds an edge between two existing discoveries (idempotent). relation: related_to (default), answers, duplicates, supersedes, contradicts, ...',
      input: {
        from_id: discoveryId,
        to_id: discoveryId,
        relation: word.default('related_to').describe('Lowercase word naming the edge.'),
        agent_id: z.string().min(1).max(LIMITS.agentId).optional().describe('Who links them; defaults to the caller identity.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      handler: async (args, ctx) => ({
        ...(await knowledge.link({ fromId: args.from_id, toId: args.to_id, relation: args.relation, agentId: resolveAgentId(args.agent_id, ctx) })),
      }),
    }),
    defineTool({
      name: 'update_discovery_status',
      // The reference server's name for it.
      aliases: ['update_discovery_status_graph'],
      title: 'Set a discovery status',
      description: 'Marks a discovery open, resolved, archived, disputed (or another lowercase word).',
      input: {
        discovery_id: discoveryId,
        status: word.describe('e.g. open, resolved, archived, disputed.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      handler: async (args) => ({ success: true, discovery: { ...(await knowledge.updateStatus({ id: args.discovery_id, status: args.status })) } }),
    }),
    defineTool({
      name: 'find_similar_discoveries_graph',
      title: 'Find similar discoveries',
      description:
        'Discoveries similar to a given one (possible duplicates, related work), best first: the knowledge graph\'s ranked search ' +
        'with its tags and summary as the query, the discovery itself left out. Items as search_knowledge_graph\'s, without details.',
      input: {
        discovery_id: discoveryId.describe('The discovery to find similar ones for.'),
        limit: z.number().int().min(1).max(SIMILAR_LIMITS.maxLimit).default(SIMILAR_LIMITS.defaultLimit),
      },
      output: z.looseObject({ discovery_id: z.string(), similar_discoveries: z.array(discoveryItem.extend({ score: z.number() })), count: z.number().int(), message: z.string() }),
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args) => ({ ...(await findSimilarDiscoveries(knowledge, args.discovery_id, args.limit)) }),
    }),
    defineTool({
      name: 'get_discovery_details',
      title: 'Discovery details',
      description: 'One discovery in full with its edges (related_to in and out) and the related discoveries\' summaries.',
      input: { discovery_id: discoveryId.describe('Id returned by store_discovery_graph or search.') },
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args) => ({ ...(await knowledge.getDetails(args.discovery_id)) }),
    }),
  ];
}
