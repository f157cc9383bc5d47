/**
 * One tool registry serves every transport: MCP (Streamable HTTP, stdio), the OpenAI
 * function-calling adapter (`GET /v1/tools`, `POST /v1/tools/call`) and in-process callers.
 */
import { z } from 'zod';

/** Who is calling, as far as the transport can tell. */
export interface CallerIdentity {
  /** Stable agent id derived from the transport (X-Session-ID, MCP session + clientInfo), or an anonymous one. */
  agentId: string;
  /** True when the id was made up for this request only (no session, no agent_id argument). */
  anonymous: boolean;
  /** `mcp-http` | `stdio` | `openai-http` | `in-process`. */
  transport: string;
  clientName?: string;
  clientVersion?: string;
  /**
   * The agent of the caller's per-agent token (`codex-governance tokens create --agent`): then
   * `agentId` is that agent too, and a call naming another `agent_id` is refused unless the tool
   * only reads (../../auth/binding). Absent for the server's own token, admin tokens, stdio and
   * in-process callers.
   */
  boundAgent?: string;
}

/** Something a running tool tells its caller before it answers (MCP: a progress and a logging notification). */
export interface ToolAnnouncement {
  /** e.g. `codex-session-started`. */
  type: string;
  /** One line for people (the MCP progress message). */
  message: string;
  /** Structured data (the MCP logging notification's `data`). */
  data: Record<string, unknown>;
}

export interface ToolContext {
  caller: CallerIdentity;
  /** Aborted when the client cancels the call or disconnects. */
  signal: AbortSignal;
  /** Tells the caller something before the answer (e.g. the `codex` tool's session id); a no-op where the transport cannot. */
  announce?(announcement: ToolAnnouncement): void;
}

/** Structured tool output: a JSON object (MCP `structuredContent`, the adapter's `result`). */
export type ToolResult = Record<string, unknown>;

/**
 * One tool, declared once: its name, input schema, optional output schema, handler and text
 * rendering. The server, the OpenAI adapter and the clients are all typed from this declaration
 * (./catalog): `Name` is the literal tool name, `Shape` the zod raw shape of its arguments (also
 * the JSON Schema both protocols publish), `Result` what the handler returns.
 */
export interface ToolSpec<Name extends string = string, Shape extends z.ZodRawShape = z.ZodRawShape, Result extends object = object> {
  name: Name;
  /**
   * Other names the tool answers to: the seed and the reference server spell some tools
   * differently (`store_knowledge_graph` for `store_discovery_graph`). MCP `tools/list` and
   * `GET /v1/tools` list each alias as its own entry ("Alias of <name>. ..."), and a call by an
   * alias runs this tool.
   */
  aliases?: readonly string[];
  title?: string;
  description: string;
  input: Shape;
  /** Optional zod object describing the structured output (published as MCP `outputSchema`). */
  output?: z.ZodObject<z.ZodRawShape>;
  /** MCP tool annotations (readOnlyHint, destructiveHint, ...). */
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean };
  handler(args: z.output<z.ZodObject<Shape>>, ctx: ToolContext): Promise<Result>;
  /** The MCP text content of a result; default its JSON. (`codex` answers with Codex's own text, as `codex mcp-server` did.) */
  render?(result: NoInfer<Result>): string;
}

/** Any tool, as the registry and the transports hold them. */
export type ToolDefinition = ToolSpec;

/** Declares a tool, keeping its literal name, argument shape and result type for ./catalog. */
export function defineTool<Name extends string, Shape extends z.ZodRawShape, Result extends object>(def: ToolSpec<Name, Shape, Result>): ToolSpec<Name, Shape, Result> {
  return def;
}

/**
 * Resolves the agent a call is about: an explicit `agent_id` argument wins, then the caller's
 * transport identity (the seed: "Without session ID, each request is treated as a new agent").
 */
export function resolveAgentId(explicit: string | undefined, ctx: ToolContext): string {
  return explicit && explicit.trim() ? explicit.trim() : ctx.caller.agentId;
}

/**
 * Records "agent seen" at most once per `intervalMs` per agent and client: each record is a
 * durable SQLite commit (~0.1-0.3 ms), which would otherwise double the cost of every update.
 */
export function throttledTouch(
  touch: (agentId: string, info: { clientName?: string; clientVersion?: string }) => Promise<unknown>,
  intervalMs = 5_000,
  now: () => number = () => Date.now(),
): (agentId: string, ctx: ToolContext) => Promise<void> {
  const last = new Map<string, number>();
  return async (agentId, ctx) => {
    const key = `${agentId}\u0000${ctx.caller.clientName ?? ''}\u0000${ctx.caller.clientVersion ?? ''}`;
    const t = now();
    const prev = last.get(key);
    if (prev !== undefined && t - prev < intervalMs) return;
    await touch(agentId, { clientName: ctx.caller.clientName, clientVersion: ctx.caller.clientVersion });
    if (last.size > 50_000) last.clear();
    last.set(key, t);
  };
}
