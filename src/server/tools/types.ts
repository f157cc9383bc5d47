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
}

export interface ToolContext {
  caller: CallerIdentity;
  /** Aborted when the client cancels the call or disconnects. */
  signal: AbortSignal;
}

/** Structured tool output: a JSON object (MCP `structuredContent`, the adapter's `result`). */
export type ToolResult = Record<string, unknown>;

export interface ToolDefinition<Shape extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title?: string;
  description: string;
  /**
   * zod raw shape of the arguments; also the source of the JSON Schema both protocols publish.
   * Validated as a strict object: an argument not in the shape is an `invalid_arguments` error.
   */
  input: Shape;
  /** Optional zod object describing the structured output (published as MCP `outputSchema`). */
  output?: z.ZodObject<z.ZodRawShape>;
  /** MCP tool annotations (readOnlyHint, destructiveHint, ...). */
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean };
  handler(args: z.infer<z.ZodObject<Shape>>, ctx: ToolContext): Promise<ToolResult>;
}

/** Keeps the handler's argument type tied to its shape while storing tools in one array. */
export function defineTool<Shape extends z.ZodRawShape>(def: ToolDefinition<Shape>): ToolDefinition {
  return def as unknown as ToolDefinition;
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
