/**
 * Read-only tools over the Codex sessions seen through hooks (src/hooks): the Sessions view and the
 * Session panel read them through the one governance client.
 */
import { z } from 'zod';
import { NotFoundError } from '../../core/errors';
import { OBSERVED_LIMITS, type ObservedSessionRepository } from '../../hooks/repository';
import { defineTool } from './types';

const SOURCES = ['codex-cli', 'codex-exec', 'codex-ide', 'ours', 'app-server', 'unknown'] as const;

const sessionOut = z.looseObject({
  session_id: z.string(),
  agent_id: z.string(),
  source: z.enum(SOURCES),
  originator: z.string().nullable(),
  codex_version: z.string().nullable(),
  cwd: z.string().nullable(),
  model: z.string().nullable(),
  permission_mode: z.string().nullable(),
  transcript_path: z.string().nullable(),
  first_seen_at: z.string(),
  last_event_at: z.string(),
  last_event: z.string(),
  tool_calls: z.number(),
  tool_calls_denied: z.number(),
  approvals: z.number(),
  approvals_denied: z.number(),
  turns: z.number(),
});
const eventOut = z.looseObject({
  seq: z.number(),
  at: z.string(),
  event: z.string(),
  tool_name: z.string().nullable(),
  summary: z.string().nullable(),
  decision: z.enum(['allow', 'deny']).nullable(),
  reason: z.string().nullable(),
});

export function observedTools(observed: ObservedSessionRepository) {
  return [
    defineTool({
      name: 'list_observed_sessions',
      title: 'List observed Codex sessions',
      description: 'Codex sessions seen through hooks (Codex CLI, the Codex IDE extension, app-server clients, ours), most recent activity first, with their counts of tool calls and approvals.',
      input: {
        source: z.enum(SOURCES).optional().describe('Only sessions started by this client.'),
        limit: z.number().int().min(1).max(OBSERVED_LIMITS.page).default(100),
      },
      output: z.looseObject({ sessions: z.array(sessionOut), total: z.number() }),
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args) => ({ ...(await observed.list({ limit: args.limit, ...(args.source ? { source: args.source } : {}) })) }),
    }),
    defineTool({
      name: 'get_observed_session',
      title: 'Get an observed Codex session',
      description: 'One Codex session seen through hooks and its hook events (oldest first; page with after_seq).',
      input: {
        session_id: z.string().min(1).max(200).describe("Codex's session (thread) id."),
        after_seq: z.number().int().min(0).default(0).describe('Only events after this seq (the last one you have).'),
        limit: z.number().int().min(1).max(OBSERVED_LIMITS.page).default(200),
      },
      output: z.looseObject({ session: sessionOut, events: z.array(eventOut) }),
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args) => {
        const session = await observed.get(args.session_id);
        if (!session) throw new NotFoundError('observed session', args.session_id);
        return { session: { ...session }, events: (await observed.events(args.session_id, { limit: args.limit, afterSeq: args.after_seq })).map((e) => ({ ...e })) };
      },
    }),
  ];
}
