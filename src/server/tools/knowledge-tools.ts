/**
 * Knowledge graph tools (names from seed 000): agents store typed, tagged discoveries and find
 * each other's work with ranked full-text search.
 */
import { z } from 'zod';
import type { GovernanceService } from '../../core/governance';
import type { KnowledgeGraph } from '../../knowledge/knowledge';
import { defineTool, resolveAgentId, throttledTouch } from './types';

const tags = z.array(z.string().min(1).max(100)).max(50);
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
      title: 'Store a discovery',
      description:
        'Share something you learned (a bug, pattern, insight, decision...) so other agents find it. ' +
        'related_to links it to existing discovery ids.',
      input: {
        agent_id: z.string().min(1).max(200).optional().describe('Author; defaults to the caller identity.'),
        discovery_type: z.string().min(1).max(64).default('insight').describe('e.g. insight, pattern, bug_found, improvement, question, answer, note.'),
        summary: z.string().min(1).max(1000).describe('One-line summary; searched and shown in lists.'),
        details: z.string().max(100_000).default('').describe('Full text; searched.'),
        tags: tags.default([]),
        related_to: z.array(z.string().min(1)).max(100).default([]).describe('Ids of existing discoveries this one relates to.'),
        severity: z.enum(['low', 'medium', 'high', 'critical']).optional(),
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
        query: z.string().max(1000).default('').describe('Words to search for; empty lists the most recent matching the filters.'),
        tags: tags.optional(),
        discovery_type: z.string().max(64).optional(),
        agent_id: z.string().max(200).optional().describe('Only discoveries by this agent.'),
        limit: z.number().int().min(1).max(100).default(10),
        cursor: z.string().max(500).optional().describe('next_cursor from the previous page.'),
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
        agent_id: z.string().max(200).optional(),
        discovery_type: z.string().max(64).optional(),
        tags: tags.optional(),
        limit: z.number().int().min(1).max(100).default(20),
        cursor: z.string().max(500).optional(),
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
        from_id: z.string().min(1).max(200),
        to_id: z.string().min(1).max(200),
        relation: z.string().min(1).max(32).default('related_to').describe('Lowercase word naming the edge.'),
        agent_id: z.string().min(1).max(200).optional().describe('Who links them; defaults to the caller identity.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      handler: async (args, ctx) => ({
        ...(await knowledge.link({ fromId: args.from_id, toId: args.to_id, relation: args.relation, agentId: resolveAgentId(args.agent_id, ctx) })),
      }),
    }),
    defineTool({
      name: 'update_discovery_status',
      title: 'Set a discovery status',
      description: 'Marks a discovery open, resolved, archived, disputed (or another lowercase word).',
      input: {
        discovery_id: z.string().min(1).max(200),
        status: z.string().min(1).max(32).describe('e.g. open, resolved, archived, disputed.'),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      handler: async (args) => ({ success: true, discovery: { ...(await knowledge.updateStatus({ id: args.discovery_id, status: args.status })) } }),
    }),
    defineTool({
      name: 'get_discovery_details',
      title: 'Discovery details',
      description: 'One discovery in full with its edges (related_to in and out) and the related discoveries\' summaries.',
      input: { discovery_id: z.string().min(1).max(200).describe('Id returned by store_discovery_graph or search.') },
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args) => ({ ...(await knowledge.getDetails(args.discovery_id)) }),
    }),
  ];
}
