/**
 * What a per-agent token may do: act as its own agent only. A tool call that names another agent
 * in `agent_id` is refused (`forbidden`, HTTP 403) unless the tool only reads (MCP annotation
 * `readOnlyHint: true` in its declaration: looking at another agent is allowed). The allowlist is
 * the read-only tools, so a new tool that changes something is bound from its first day. A
 * missing `agent_id` needs nothing here: the caller identity of such a request is the token's agent.
 */

/** A tool as this check sees it (the registry's ToolDefinition has these fields). */
export interface BindableTool {
  name: string;
  annotations?: { readOnlyHint?: boolean };
}

/** The error a refused call ends with; `code` maps to HTTP 403 and the MCP error text `forbidden: ...`. */
export class AgentBindingError extends Error {
  readonly code = 'forbidden';
  constructor(message: string, readonly details: Record<string, unknown>) {
    super(message);
    this.name = 'AgentBindingError';
  }
}

/** True when a per-agent token may call `tool` naming an agent other than its own. */
export function mayNameOtherAgents(tool: BindableTool): boolean {
  return tool.annotations?.readOnlyHint === true;
}

/**
 * @param args the validated arguments of the call
 * @param boundAgent the agent of the caller's per-agent token
 * @throws AgentBindingError naming both agent ids when `args.agent_id` is another agent and the tool is not read-only
 */
export function checkAgentBinding(tool: BindableTool, args: Record<string, unknown>, boundAgent: string): void {
  const named = typeof args.agent_id === 'string' ? args.agent_id.trim() : '';
  if (!named || named === boundAgent || mayNameOtherAgents(tool)) return;
  throw new AgentBindingError(
    `This token acts as agent "${boundAgent}"; ${tool.name} with agent_id "${named}" would act as another agent. ` +
      `Leave agent_id out or give "${boundAgent}"; only an admin token (codex-governance tokens create --admin) acts for other agents.`,
    { token_agent_id: boundAgent, agent_id: named },
  );
}

/**
 * The same rule for a transport's own agent field (`X-Session-ID`, seed 003's `created_by`).
 * @throws AgentBindingError naming the field and both ids when it names another agent
 */
export function checkBoundField(field: string, value: string | undefined, boundAgent: string): void {
  const v = value?.trim();
  if (!v || v === boundAgent) return;
  throw new AgentBindingError(
    `This token acts as agent "${boundAgent}"; ${field} "${v}" names another agent. Leave ${field} out or give "${boundAgent}".`,
    { token_agent_id: boundAgent, [field.toLowerCase().replace(/-/g, '_')]: v },
  );
}

/**
 * The same rule for something an agent owns (a Codex session it started): a per-agent token acts
 * on its own agent's only; one with no owner (started by the editor or the server's own token) is
 * not any per-agent token's.
 * @param what e.g. `Codex session 5f0c...`
 * @throws AgentBindingError naming `what`, its owner and the token's agent
 */
export function checkOwnedBy(what: string, owner: string | null, boundAgent: string): void {
  if (owner === boundAgent) return;
  throw new AgentBindingError(
    `This token acts as agent "${boundAgent}"; ${what} ${owner ? `belongs to agent "${owner}"` : 'was not started by an agent'}. Only an admin token (codex-governance tokens create --admin) acts on another agent's.`,
    { token_agent_id: boundAgent, owner_agent_id: owner },
  );
}
