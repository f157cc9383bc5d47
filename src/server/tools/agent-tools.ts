/**
 * Tools of the governed OpenAI agent runner (src/agent): asking the approval broker before an MCP
 * tool call that is not read-only, and reporting the tokens each model turn used so `/metrics`
 * counts them and their cost (the server's price table, ../../agent/prices).
 */
import { z } from 'zod';
import { costUsd, type PriceTable } from '../../agent/prices';
import type { RiskApprovalBroker } from '../../approvals/broker';
import { GOVERNANCE_LIMITS } from '../../core/governance';
import { defineTool, resolveAgentId } from './types';

export interface AgentToolsOptions {
  approvals: Pick<RiskApprovalBroker, 'decide' | 'endSession'>;
  /** The price table now (a setting may change it). */
  prices: () => PriceTable;
  /** Adds one turn's tokens (and its cost when priced) to the metrics. */
  recordUsage: (model: string, tokens: { input: number; output: number; cachedInput: number }, cost: number | null) => void;
}

/** Longest argument text kept in the approval prompt and audit (characters). */
const MAX_ARGUMENT_TEXT = 2000;

const agentId = z.string().min(1).max(GOVERNANCE_LIMITS.agentId).optional().describe('The running agent; defaults to the caller identity.');
const name = z.string().min(1).max(200);

export function agentTools(options: AgentToolsOptions) {
  return [
    defineTool({
      name: 'request_tool_approval',
      title: 'Ask before a governed agent calls a tool',
      description:
        'For agent runners: asks the approval broker whether an MCP tool call may run (the same risk rules, prompts and audit as Codex approvals; ' +
        'risk from the tool annotations: destructive or unannotated high, open-world medium, closed-world low). Blocks until a person answers or the ' +
        'approvals timeout (a denial). Answers decision allow_once | allow_run (this tool, for the rest of run_id) | deny, decided_by and reason.',
      input: {
        agent_id: agentId,
        run_id: z.string().min(1).max(100).describe('The run asking; "allow for the run" is kept by the runner for this run only.'),
        server: name.describe('MCP server name in the Codex config.'),
        tool: name.describe("The tool's own name on that server."),
        arguments: z.record(z.string(), z.unknown()).default({}).describe('The arguments the model gave.'),
        annotations: z
          .strictObject({ readOnlyHint: z.boolean().optional(), destructiveHint: z.boolean().optional(), idempotentHint: z.boolean().optional(), openWorldHint: z.boolean().optional() })
          .optional()
          .describe("The tool's MCP annotations as its server lists them."),
        reason: z.string().max(2000).optional().describe("The model's words before the call, shown to the person."),
      },
      output: z.looseObject({ decision: z.enum(['allow_once', 'allow_run', 'deny']), decided_by: z.string(), reason: z.string().nullable(), risk: z.string() }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      handler: async (args, ctx) => {
        const text = JSON.stringify(args.arguments);
        // One grant key per run and tool; the runner keeps the grant, so the broker drops its copy at once.
        const sessionId = `openai-run:${args.run_id}:${args.server}/${args.tool}`;
        const outcome = await options.approvals.decide({
          source: 'openai-agent',
          agentId: resolveAgentId(args.agent_id, ctx),
          sessionId,
          command: `${args.server}/${args.tool}`,
          ...(args.reason ? { reason: args.reason } : {}),
          details: { run_id: args.run_id, server: args.server, tool: args.tool, arguments: text.length > MAX_ARGUMENT_TEXT ? `${text.slice(0, MAX_ARGUMENT_TEXT)}…` : text, annotations: args.annotations ?? {} },
          signal: ctx.signal,
        });
        options.approvals.endSession(sessionId);
        return {
          decision: outcome.decision === 'allow_session' ? ('allow_run' as const) : outcome.decision,
          decided_by: outcome.decidedBy,
          reason: outcome.reason ?? null,
          risk: outcome.risk,
          approval_id: outcome.id,
        };
      },
    }),
    defineTool({
      name: 'record_model_usage',
      title: 'Report the tokens of a model turn',
      description:
        "For agent runners: adds one model turn's tokens to codex_mcp_tokens_consumed_total{model,kind} and, when the server's price table has the model, " +
        'its cost to codex_mcp_cost_usd_total{model}. Answers cost_usd (null for a model without a price: tokens counted, cost not).',
      input: {
        agent_id: agentId,
        model: name,
        input_tokens: z.number().int().min(0).max(1e9),
        output_tokens: z.number().int().min(0).max(1e9),
        cached_input_tokens: z.number().int().min(0).max(1e9).default(0).describe('Part of input_tokens served from the prompt cache.'),
      },
      output: z.looseObject({ model: z.string(), cost_usd: z.number().nullable() }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      handler: (args) => {
        const tokens = { input: args.input_tokens, output: args.output_tokens, cachedInput: Math.min(args.cached_input_tokens, args.input_tokens) };
        const cost = costUsd(options.prices(), args.model, tokens);
        options.recordUsage(args.model, tokens, cost);
        return Promise.resolve({
          model: args.model,
          cost_usd: cost,
          ...(cost === null ? { note: `No price for model ${args.model}: tokens counted, cost not. Add it to the price table (serve --price-table FILE.json, or the setting codexGovernance.agents.prices).` } : {}),
        });
      },
    }),
  ];
}
