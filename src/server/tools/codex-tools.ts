/**
 * The `codex` tools: the governed drop-in for Codex's removed `codex mcp-server` (same argument
 * names, same `{threadId, content}` answer, plus our `session_id`), served by the Codex supervisor
 * on whichever backend the installed Codex speaks. Aliases from the seed (sandbox `isolated` /
 * `full-access`, `full_auto`, `reasoning_effort`, `verbosity`, `mode`) are mapped in
 * ../../supervisor/arguments.
 */
import { z } from 'zod';
import { GOVERNANCE_LIMITS } from '../../core/governance';
import { MODE_VALUES, REASONING_EFFORT_VALUES, SANDBOX_VALUES, threadSettingsFrom, VERBOSITY_VALUES } from '../../supervisor/arguments';
import { acceptedApprovalPolicies, APPROVAL_POLICIES, approvalPoliciesByBackendText, approvalPolicyRefusal } from '../../supervisor/capabilities';
import type { LocatedCodex } from '../../supervisor/locate';
import type { CodexEvent } from '../../supervisor/backend';
import type { CodexSessionRecord } from '../../supervisor/session';
import { CodexApprovalDeniedError, CodexBusyError, CodexSessionNotFoundError, CodexTurnError } from '../../supervisor/errors';
import type { CodexSupervisor } from '../../supervisor/supervisor';
import type { CodexTurnResult } from '../../supervisor/turn';
import { ToolCallError } from './errors';
import { checkOwnedBy } from '../../auth/binding';
import { defineTool, resolveAgentId, type ToolContext } from './types';
import { runAsPromise } from '../../util/promise';


const turnOutput = z.looseObject({ threadId: z.string(), content: z.string(), session_id: z.string() });

function answer(r: CodexTurnResult): { threadId: string; content: string; session_id: string } {
  return { threadId: r.threadId, content: r.content, session_id: r.sessionId };
}

/**
 * A per-agent token continues, stops or ends only its own agent's Codex sessions (../../auth/binding).
 * @throws CodexSessionNotFoundError, AgentBindingError (`forbidden`)
 */
function checkOwner(supervisor: CodexSupervisor, sessionIdOrThreadId: string, ctx: ToolContext): void {
  const bound = ctx.caller.boundAgent;
  if (bound === undefined) return;
  const record = supervisor.info(sessionIdOrThreadId);
  checkOwnedBy(`Codex session ${record.id}`, record.agentId, bound);
}

// Busy = retry later (HTTP 429 on the adapter); every other Codex failure keeps its message.
function mapError(err: unknown): unknown {
  if (err instanceof CodexBusyError) return new ToolCallError('rate_limited', err.message);
  if (err instanceof CodexApprovalDeniedError) return new ToolCallError('forbidden', err.message);
  if (err instanceof CodexTurnError) return new ToolCallError('internal_error', err.message, { kind: err.kind, session_id: err.sessionId, threadId: err.threadId });
  return err;
}

/**
 * A Codex session as `codex-session-info` lists it: the supervisor's record with `session_id` for
 * `id`, the transcript replaced by its length, and `prompt`, its first prompt while the bounded
 * transcript still holds it (null once it scrolled out).
 */
export type SessionSummary = Omit<CodexSessionRecord, 'id' | 'transcript'> & { session_id: string; events: number; prompt: string | null };
/** One Codex session with its transcript (`codex-session-info` with `session_id`). */
export type SessionDetails = Omit<SessionSummary, 'events'> & { transcript: CodexEvent[] };

function firstPrompt(r: CodexSessionRecord): string | null {
  return r.transcript.find((e) => e.type === 'user_message')?.summary ?? null;
}

function sessionSummary(r: CodexSessionRecord): SessionSummary {
  const { transcript, id, ...rest } = r;
  return { session_id: id, ...rest, prompt: firstPrompt(r), events: transcript.length };
}

function sessionDetails(r: CodexSessionRecord): SessionDetails {
  const { transcript, id, ...rest } = r;
  return { session_id: id, ...rest, prompt: firstPrompt(r), transcript };
}

/**
 * The `approval-policy` argument. With the Codex located at server start it offers exactly what
 * that Codex accepts: the supervisor keeps the Codex it located for its whole life, so every call
 * runs on it and the schema stays true (locating costs one `codex --version`, which the first call
 * would run anyway, and nothing while the binary is unchanged: ../../supervisor/locate-cache). When Codex could not be located at start (not installed yet, a wrong path
 * that may be fixed later), the schema offers what any supported backend accepts and says which
 * takes what; the call then checks the value against the Codex it locates (see the handler).
 */
function approvalPolicyArgument(located: LocatedCodex | undefined) {
  const values = located ? acceptedApprovalPolicies(located) : APPROVAL_POLICIES;
  const which = located ? `${values.join(', ')} (what Codex ${located.version} on the ${located.backend} backend accepts)` : approvalPoliciesByBackendText();
  return z
    .enum(values, { error: (issue) => approvalPolicyRefusal(issue.input, located) })
    .optional()
    .describe(`When Codex asks before running commands: ${which}.`);
}

/**
 * @param located the Codex located at server start, when it could be: its accepted values are the
 *   ones the `codex` tool offers (see {@link approvalPolicyArgument}).
 */
export function codexTools(supervisor: CodexSupervisor, located?: LocatedCodex) {
  return [
    defineTool({
      name: 'codex',
      title: 'Run a Codex session',
      description:
        'Start a Codex session with a prompt and return its answer ({threadId, content, session_id}); continue it with codex-reply. ' +
        'Same arguments as the Codex CLI\'s former "codex mcp-server" tool, run under governance (approvals, deadlines, cleanup).',
      input: {
        prompt: z.string().min(1).describe('The initial user prompt to start the Codex conversation.'),
        'approval-policy': approvalPolicyArgument(located),
        sandbox: z.enum(SANDBOX_VALUES).optional().describe('read-only, workspace-write (alias isolated) or danger-full-access (alias full-access).'),
        cwd: z.string().min(1).optional().describe('Working directory of the session; default the server\'s workspace.'),
        model: z.string().min(1).optional().describe('Model name override, e.g. gpt-5-codex.'),
        'base-instructions': z.string().optional().describe('Instructions used instead of Codex\'s defaults.'),
        'developer-instructions': z.string().optional().describe('Developer instructions injected as a developer message.'),
        'compact-prompt': z.string().optional().describe('Prompt used when compacting the conversation.'),
        config: z.record(z.string(), z.unknown()).optional().describe('Codex config.toml overrides for this session (e.g. a model provider).'),
        full_auto: z.boolean().optional().describe('Seed alias: approval-policy never (no questions) unless approval-policy is given.'),
        reasoning_effort: z.enum(REASONING_EFFORT_VALUES).optional().describe('Sets model_reasoning_effort.'),
        verbosity: z.enum(VERBOSITY_VALUES).optional().describe('Sets model_verbosity.'),
        mode: z.enum(MODE_VALUES).optional().describe('Who is calling: interactive, non-interactive or ci (used for risk assessment).'),
        agent_id: z.string().min(1).max(GOVERNANCE_LIMITS.agentId).optional().describe('Governance agent running the session; defaults to the caller identity.'),
      },
      output: turnOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
      // Clients of Codex's former mcp-server read the answer text itself.
      render: (r: { content: string }) => r.content,
      handler: async (args, ctx) => {
        try {
          const policy = args['approval-policy'];
          if (policy !== undefined) {
            // The Codex in use may not be the one the schema was built for (none was located at
            // start); a value it refuses is the caller's to fix, before any Codex process starts.
            const inUse = await supervisor.locate();
            if (!(acceptedApprovalPolicies(inUse) as readonly string[]).includes(policy)) {
              throw new ToolCallError('invalid_arguments', `Invalid arguments for codex: approval-policy: ${approvalPolicyRefusal(policy, inUse)}`, {
                field: 'approval-policy',
                accepted: [...acceptedApprovalPolicies(inUse)],
              });
            }
          }
          const { mode, agent_id, prompt, ...rest } = args;
          const req = {
            prompt,
            settings: threadSettingsFrom({ prompt, ...rest }),
            agentId: resolveAgentId(agent_id, ctx),
            // The turn may run for minutes (or wait on an approval): say which session it is at once.
            onStarted: (sessionId: string) => ctx.announce?.({ type: 'codex-session-started', message: `Codex session ${sessionId} started`, data: { session_id: sessionId } }),
          };
          return answer(await supervisor.run(mode ? { ...req, mode } : req, ctx.signal));
        } catch (err) {
          throw mapError(err);
        }
      },
    }),
    defineTool({
      name: 'codex-reply',
      title: 'Continue a Codex session',
      description: 'Send the next prompt to a Codex session started with codex. Identify it by threadId (conversationId and session_id are accepted too).',
      input: {
        prompt: z.string().min(1).describe('The next user prompt.'),
        threadId: z.string().min(1).optional().describe('The threadId returned by codex.'),
        conversationId: z.string().min(1).optional().describe('Deprecated name of threadId.'),
        conversation_id: z.string().min(1).optional().describe('Seed alias of threadId.'),
        session_id: z.string().min(1).optional().describe('The session_id returned by codex.'),
      },
      output: turnOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
      // Clients of Codex's former mcp-server read the answer text itself.
      render: (r: { content: string }) => r.content,
      handler: async (args, ctx) => {
        const threadId = args.threadId ?? args.conversationId ?? args.conversation_id;
        if (!threadId && !args.session_id) {
          throw new ToolCallError('invalid_arguments', 'Invalid arguments for codex-reply: threadId: required (or session_id) - pass the threadId returned by the codex tool.', { field: 'threadId' });
        }
        try {
          checkOwner(supervisor, args.session_id ?? threadId!, ctx);
          const req = { prompt: args.prompt, agentId: resolveAgentId(undefined, ctx), ...(threadId ? { threadId } : {}), ...(args.session_id ? { sessionId: args.session_id } : {}) };
          return answer(await supervisor.reply(req, ctx.signal));
        } catch (err) {
          throw mapError(err);
        }
      },
    }),
    defineTool({
      name: 'codex-session-info',
      title: 'Codex session details',
      description: 'One Codex session with its event transcript (session_id or threadId), or the list of sessions (list_active: only running/idle ones).',
      input: {
        session_id: z.string().min(1).optional().describe('A session_id or threadId.'),
        list_active: z.boolean().optional().describe('List only active sessions (starting, running, idle).'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: (args) =>
        runAsPromise(() => {
          if (args.session_id) return { session: sessionDetails(supervisor.info(args.session_id)) };
          const sessions = supervisor.list({ activeOnly: args.list_active === true }).map(sessionSummary);
          return { sessions, count: sessions.length, max_sessions: supervisor.settings().maxSessions };
        }),
    }),
    defineTool({
      name: 'codex-cleanup',
      title: 'Clean up Codex sessions',
      description:
        'Close Codex sessions idle past the session timeout; with idle, close every idle session now; with force, end every session and its processes (running turns fail). ' +
        'With session_id (or a threadId), end only that session and its processes, running or not; with session_id and stop_turn, stop only its running turn (stopped says whether one ran).',
      input: {
        force: z.boolean().default(false).describe('End every session, running ones included.'),
        idle: z.boolean().default(false).describe('Close every idle session now, whatever the session timeout.'),
        session_id: z.string().min(1).optional().describe('End only this session (a session_id or threadId); a running turn fails as cancelled.'),
        stop_turn: z
          .boolean()
          .default(false)
          .describe('With session_id: stop only the running turn; its output so far stays, and the session stays open when Codex confirms the stop (else it ends).'),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (args, ctx) => {
        if (args.session_id) {
          if (args.force || args.idle) throw new ToolCallError('invalid_arguments', 'Invalid arguments for codex-cleanup: session_id ends one session; leave out force and idle with it.', { field: 'session_id' });
          try {
            checkOwner(supervisor, args.session_id, ctx);
            if (args.stop_turn) {
              const stopped = supervisor.stopTurn(args.session_id);
              return { closed: [], count: 0, active: supervisor.list({ activeOnly: true }).length, stopped, session: sessionSummary(supervisor.info(args.session_id)) };
            }
            const { record, cancelled } = await supervisor.cancel(args.session_id, 'Cancelled with codex-cleanup (session_id).');
            return { closed: cancelled ? [record.id] : [], count: cancelled ? 1 : 0, active: supervisor.list({ activeOnly: true }).length, session: sessionSummary(record) };
          } catch (err) {
            if (err instanceof CodexSessionNotFoundError) throw new ToolCallError('not_found', err.message, { field: 'session_id' });
            throw err;
          }
        }
        if (args.stop_turn) throw new ToolCallError('invalid_arguments', 'Invalid arguments for codex-cleanup: stop_turn stops the turn of one session; give its session_id.', { field: 'stop_turn' });
        if ((args.force || args.idle) && ctx.caller.boundAgent !== undefined) {
          // Every agent's sessions; the timeout sweep alone is what the server does every minute anyway.
          throw new ToolCallError('forbidden', `codex-cleanup with ${args.force ? 'force' : 'idle'} ends every agent's sessions; this token acts as agent "${ctx.caller.boundAgent}" only. End your own with session_id, or use an admin token.`, { field: args.force ? 'force' : 'idle' });
        }
        const closed = await supervisor.cleanup({ force: args.force, allIdle: args.idle });
        return { closed, count: closed.length, active: supervisor.list({ activeOnly: true }).length };
      },
    }),
  ];
}
