/**
 * Governance tools (names from the UNITARES governance MCP, seed 000): log work and get a
 * PROCEED/PAUSE decision, read and simulate EISV state. Listing and observing agents are in
 * ./observability-tools.
 */
import { z } from 'zod';
import { GOVERNANCE_LIMITS, type GovernanceService } from '../../core/governance';
import { defineTool, resolveAgentId } from './types';

// The service's own limits (GOVERNANCE_LIMITS): the schema refuses what the service would.
const agentId = z
  .string()
  .min(1)
  .max(GOVERNANCE_LIMITS.agentId)
  .optional()
  .describe('Stable id of the agent doing the work. Defaults to the caller identity (X-Session-ID header or MCP session).');
const complexity = z.number().min(0).max(1).default(0.5).describe('Estimated complexity of the work, 0..1.');
const confidence = z.number().min(0).max(1).optional().describe("The agent's confidence in its work, 0..1.");
const operation = z.string().max(GOVERNANCE_LIMITS.operation).default('').describe('What the agent did or is about to do, in one line.');

const decisionShape = z.looseObject({
  action: z.enum(['PROCEED', 'PAUSE']),
  reason: z.string(),
  guidance: z.string().optional(),
});

export function governanceTools(governance: GovernanceService) {
  return [
    defineTool({
      name: 'process_agent_update',
      title: 'Log work and get a governance decision',
      description:
        'Log a unit of work. Updates the agent\'s EISV state (energy, information integrity, entropy, void) and returns ' +
        'governance_decision {action: PROCEED|PAUSE, reason, guidance?} plus the metrics. Honour PAUSE.',
      input: { agent_id: agentId, operation, complexity, confidence },
      output: z.looseObject({ agent_id: z.string(), governance_decision: decisionShape, metrics: z.looseObject({}) }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      // The update itself records the caller's client info (no separate touch: that was a second durable commit).
      handler: async (args, ctx) => ({
        ...(await governance.processUpdate({
          agentId: resolveAgentId(args.agent_id, ctx),
          operation: args.operation,
          complexity: args.complexity,
          confidence: args.confidence,
          clientName: ctx.caller.clientName,
          clientVersion: ctx.caller.clientVersion,
        })),
      }),
    }),
    defineTool({
      name: 'simulate_update',
      title: 'Simulate an update (nothing stored)',
      description: 'Same math as process_agent_update on the agent\'s current state, but nothing is stored: "what would happen if".',
      input: { agent_id: agentId, operation, complexity, confidence },
      output: z.looseObject({ governance_decision: decisionShape, simulated: z.literal(true) }),
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args, ctx) => ({
        ...(await governance.simulateUpdate({
          agentId: resolveAgentId(args.agent_id, ctx),
          operation: args.operation,
          complexity: args.complexity,
          confidence: args.confidence,
        })),
      }),
    }),
    defineTool({
      name: 'get_governance_metrics',
      title: 'Current EISV metrics of an agent',
      description: 'Current E, I, S, V, coherence, risk, the last decision and recent history of one agent (default: the caller).',
      input: { agent_id: agentId, history_limit: z.number().int().min(0).max(GOVERNANCE_LIMITS.history).default(20).describe('How many recent updates to include.') },
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args, ctx) => ({ ...(await governance.getMetrics(resolveAgentId(args.agent_id, ctx), { historyLimit: args.history_limit })) }),
    }),
    defineTool({
      name: 'health_check',
      title: 'Governance server health',
      description: 'Server status, version, store and counts of agents, updates and discoveries.',
      input: {},
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async () => ({ ...(await governance.health()) }),
    }),
  ];
}
