/**
 * Whether one tool call of a run may go ahead. Governance tools and read-only MCP tools run unasked;
 * a tool the person allowed "for the run" runs unasked for the rest of this run (kept here, per
 * server and tool, and forgotten with the run); anything else asks the governance server's approval
 * broker (`request_tool_approval`), which answers when a person does or its timeout passes (a denial).
 * If the server cannot be asked, the call is denied (fail closed) and the reason says so.
 */
import type { GovernanceClient } from '../client/types';
import { GovernanceClientError } from '../client/types';
import type { ToolDecidedBy, ToolDecision } from './events';
import { CLI_OPTION_NAMES, type OptionNames } from './option-names';
import { ToolSet, type AgentTool } from './tool-set';

export interface ApprovalVerdict {
  decision: ToolDecision;
  decidedBy: ToolDecidedBy;
  risk?: string;
  reason?: string;
}

const BROKER_DECIDERS = new Set<ToolDecidedBy>(['person', 'policy', 'session-grant', 'timeout', 'cancelled', 'error']);

export class RunApprovals {
  private readonly granted = new Set<string>();

  constructor(
    private readonly client: GovernanceClient,
    private readonly run: { runId: string; agentId: string },
    /** How a denial names the fix for an unreachable server. */
    private readonly names: OptionNames = CLI_OPTION_NAMES,
  ) {}

  /**
   * Decides one call. Never throws.
   * @param waitMs longest wait for the broker's answer (ms), normally what is left of the run's deadline
   * @param reason the model's words before the call, shown to the person
   */
  async decide(tool: AgentTool, args: Record<string, unknown>, waitMs: number, reason?: string): Promise<ApprovalVerdict> {
    if (tool.kind === 'governance') return { decision: 'allow_once', decidedBy: 'governance' };
    if (ToolSet.unasked(tool)) return { decision: 'allow_once', decidedBy: 'read-only' };
    const key = `${tool.server}\u0000${tool.tool}`;
    if (this.granted.has(key)) return { decision: 'allow_run', decidedBy: 'run-grant' };
    try {
      const answer = await this.client.callTool(
        'request_tool_approval',
        {
          agent_id: this.run.agentId,
          run_id: this.run.runId,
          server: tool.server,
          tool: tool.tool,
          arguments: args,
          annotations: annotationsOf(tool),
          ...(reason ? { reason: reason.slice(0, 2000) } : {}),
        },
        { timeoutMs: Math.max(1000, waitMs) },
      );
      const decidedBy = BROKER_DECIDERS.has(answer.decided_by) ? (answer.decided_by as ToolDecidedBy) : 'error';
      if (answer.decision === 'allow_run') this.granted.add(key);
      return { decision: answer.decision, decidedBy, risk: answer.risk, ...(answer.reason ? { reason: answer.reason } : {}) };
    } catch (err) {
      const why = err instanceof GovernanceClientError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
      return {
        decision: 'deny',
        decidedBy: 'unreachable',
        reason: `Denied (fail closed): the governance server at ${this.client.url} could not be asked for approval (${why}). ${this.names.fixServer}`,
      };
    }
  }
}

/** Only the four MCP hints, as booleans (the tool may list more or other types). */
function annotationsOf(tool: AgentTool): { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean } {
  const out: Record<string, boolean> = {};
  for (const k of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
    const v = tool.annotations[k];
    if (typeof v === 'boolean') out[k] = v;
  }
  return out;
}
