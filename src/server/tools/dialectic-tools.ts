/**
 * Dialectic peer review tools (names and inputs of UNITARES v1, CIRWEL/governance-mcp-v1-backup @
 * e162fb7, `src/tool_schemas.py` / `src/mcp_handlers/dialectic.py`; seed 000 Pattern 3 calls
 * `request_dialectic_review` with `operation`, `complexity` and `reviewer_mode: "any"`). A call
 * out of turn is `invalid_state` (HTTP 409) naming the phase and who may act; nothing changes.
 */
import { z } from 'zod';
import type { GovernanceService } from '../../core/governance';
import type { DialecticService, TransitionResult } from '../../dialectic/service';
import { DIALECTIC_LIMITS as L, DISPUTE_TYPES, REVIEWER_MODES } from '../../dialectic/types';
import { defineTool, resolveAgentId, throttledTouch, type ToolContext } from './types';

// The service's own limits (DIALECTIC_LIMITS): the schema refuses what the service would.
const agentId = z.string().min(1).max(L.agentId).optional().describe('Your agent id; defaults to the caller identity (X-Session-ID header or MCP session).');
const sessionId = z.string().min(1).max(L.sessionId).describe('The session_id request_dialectic_review returned.');
const rootCause = z.string().max(L.rootCause).optional().describe('What caused the problem, as you understand it.');
const conditions = z.array(z.string().min(1).max(L.condition)).max(L.conditions).optional().describe('Conditions for resuming, e.g. "Reduce complexity to 0.3", "Monitor for 24h".');
const reasoning = z.string().max(L.reasoning).optional().describe('Your explanation.');
const agrees = z.boolean().optional().describe('Whether you agree with the current proposal (counts in synthesis).');
const sessionShape = z.looseObject({ session_id: z.string(), phase: z.string(), next_actor: z.string().nullable(), transcript: z.array(z.looseObject({})) });
const transitionOutput = z.looseObject({ success: z.literal(true), session_id: z.string(), phase: z.string(), next_step: z.string(), session: sessionShape });
/** Most sessions one list_dialectic_sessions call returns. */
const LIST_LIMIT = 100;
const writeHints = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;

export function dialecticTools(dialectic: DialecticService, governance: GovernanceService) {
  const touch = throttledTouch((id, info) => governance.ensureAgent(id, info));
  const who = async (explicit: string | undefined, ctx: ToolContext) => {
    const id = resolveAgentId(explicit, ctx);
    await touch(id, ctx);
    return id;
  };
  const submission = { session_id: sessionId, agent_id: agentId, root_cause: rootCause, proposed_conditions: conditions, reasoning, agrees };
  const asSubmission = async (args: { session_id: string; agent_id?: string; root_cause?: string; proposed_conditions?: string[]; reasoning?: string; agrees?: boolean }, ctx: ToolContext) => ({
    sessionId: args.session_id,
    agentId: await who(args.agent_id, ctx),
    rootCause: args.root_cause,
    proposedConditions: args.proposed_conditions,
    reasoning: args.reasoning,
    agrees: args.agrees,
  });
  const result = (r: TransitionResult) => ({ ...r });

  return [
    defineTool({
      name: 'request_dialectic_review',
      title: 'Ask a peer to review you (dialectic)',
      description:
        'Opens a peer review: thesis (you) -> antithesis (the reviewer) -> synthesis rounds (both) until you agree (RESOLVED: a paused agent resumes ' +
        'with the agreed conditions) or 5 rounds pass (ESCALATED). reviewer_mode: peer (a healthy agent is chosen), any (the first eligible agent to ' +
        'submit an antithesis claims it), auto (a peer, else open), self (the system reviews at once). auto_progress submits your thesis now.',
      input: {
        agent_id: agentId,
        reason: z.string().max(L.reason).optional().describe('Why you ask for review (default: operation, else "Circuit breaker triggered").'),
        operation: z.string().max(L.operation).optional().describe('Seed 000: the change to review; the reason when none is given.'),
        complexity: z.number().min(0).max(1).optional().describe('Seed 000: the complexity of that change, 0..1.'),
        discovery_id: z.string().min(1).max(L.discoveryId).optional().describe('A discovery you dispute; its owner reviews (dispute_type dispute/correction).'),
        dispute_type: z.enum(DISPUTE_TYPES).optional(),
        reviewer_agent_id: z.string().min(1).max(L.agentId).optional().describe('A specific reviewer (must be active and free).'),
        reviewer_mode: z.enum(REVIEWER_MODES).default('peer'),
        auto_progress: z.boolean().default(false).describe('Submit the thesis now from root_cause, proposed_conditions and reasoning.'),
        root_cause: rootCause,
        proposed_conditions: conditions,
        reasoning,
      },
      output: transitionOutput,
      annotations: writeHints,
      handler: async (args, ctx) =>
        result(
          await dialectic.request({
            agentId: await who(args.agent_id, ctx),
            reason: args.reason,
            operation: args.operation,
            complexity: args.complexity,
            discoveryId: args.discovery_id,
            disputeType: args.dispute_type,
            reviewerAgentId: args.reviewer_agent_id,
            reviewerMode: args.reviewer_mode,
            autoProgress: args.auto_progress,
            rootCause: args.root_cause,
            proposedConditions: args.proposed_conditions,
            reasoning: args.reasoning,
          }),
        ),
    }),
    defineTool({
      name: 'submit_thesis',
      title: 'Submit your thesis (dialectic)',
      description: 'The reviewed agent explains what happened: root_cause, proposed_conditions, reasoning. Only the requester, only in phase thesis.',
      input: submission,
      output: transitionOutput,
      annotations: writeHints,
      handler: async (args, ctx) => result(await dialectic.submitThesis(await asSubmission(args, ctx))),
    }),
    defineTool({
      name: 'submit_antithesis',
      title: 'Submit the review (dialectic antithesis)',
      description: "The reviewer's observations and concerns. Only the reviewer, only in phase antithesis; with an open slot, the first eligible agent to call claims it.",
      input: {
        ...submission,
        concerns: z.array(z.string().min(1).max(L.concern)).max(L.concerns).optional().describe("The reviewer's concerns."),
        observed_metrics: z.record(z.string().max(100), z.number()).optional().describe('Metrics you observed about the reviewed agent.'),
      },
      output: transitionOutput,
      annotations: writeHints,
      handler: async (args, ctx) => result(await dialectic.submitAntithesis({ ...(await asSubmission(args, ctx)), concerns: args.concerns, observedMetrics: args.observed_metrics })),
    }),
    defineTool({
      name: 'submit_synthesis',
      // Seed 000 lists this name; the reference code says submit_synthesis.
      aliases: ['submit_dialectic_synthesis'],
      title: 'Propose a resolution (dialectic synthesis)',
      description:
        'Either party proposes conditions and a root cause; agrees=true from both, with matching conditions, resolves the session. ' +
        '5 synthesis messages without agreement escalate it.',
      input: submission,
      output: transitionOutput.extend({ converged: z.boolean() }),
      annotations: writeHints,
      handler: async (args, ctx) => result(await dialectic.submitSynthesis(await asSubmission(args, ctx))),
    }),
    defineTool({
      name: 'get_dialectic_session',
      title: 'A dialectic session',
      description: "One session with every message, its phase, who may act next and its deadlines; by session_id, or an agent's current (else latest) session by agent_id.",
      input: {
        session_id: sessionId.optional(),
        agent_id: z.string().min(1).max(L.agentId).optional().describe("Find this agent's sessions (as requester or reviewer)."),
      },
      output: sessionShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args) => ({ ...(await dialectic.get({ sessionId: args.session_id, agentId: args.agent_id })) }),
    }),
    defineTool({
      name: 'nudge_dialectic_session',
      title: 'Remind whoever must act (dialectic)',
      description: 'Records a reminder for the party whose turn it is (an event and an audit line) and returns who is waited on, for how long, and the call they should make.',
      input: {
        session_id: sessionId,
        agent_id: agentId.describe('Who nudges; defaults to the caller identity.'),
        note: z.string().max(L.note).optional(),
        post: z.boolean().default(true).describe('Record the reminder (event and audit line); false only reports.'),
      },
      output: z.looseObject({ session_id: z.string(), phase: z.string(), next_actor: z.string().nullable(), waiting_on: z.array(z.string()) }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      handler: async (args, ctx) => ({ ...(await dialectic.nudge({ sessionId: args.session_id, agentId: resolveAgentId(args.agent_id, ctx), note: args.note, post: args.post })) }),
    }),
    defineTool({
      name: 'list_dialectic_sessions',
      title: 'Open dialectic sessions',
      description:
        'Every open review (phase thesis, antithesis or synthesis), soonest deadline first: who asked, the reviewer (null: an open slot), who may act next and the deadlines; ' +
        'messages are counted, not included (get_dialectic_session has them). agent_id: only the sessions that agent requested or reviews.',
      input: {
        agent_id: z.string().min(1).max(L.agentId).optional().describe('Only sessions this agent requested or reviews.'),
        limit: z.number().int().min(1).max(LIST_LIMIT).default(50),
      },
      output: z.looseObject({ sessions: z.array(sessionShape.omit({ transcript: true }).extend({ message_count: z.number().int() })), count: z.number().int() }),
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args) => {
        const open = await dialectic.listOpen({ limit: args.limit, agentId: args.agent_id });
        const sessions = open.map(({ transcript, ...rest }) => ({ ...rest, message_count: transcript.length }));
        return { sessions, count: sessions.length };
      },
    }),
  ];
}
