/**
 * The single source of truth for tools: MCP registration, the OpenAI adapter's function list and
 * in-process calls all read from here, and every call goes through {@link ToolRegistry.call}
 * so validation (strict: an unknown argument is an error, never dropped), metrics and error
 * mapping are the same whatever the transport.
 */
import { z } from 'zod';
import { checkAgentBinding } from '../../auth/binding';
import { ToolCallError, describeZodError, toToolCallError, unknownArguments } from './errors';
import type { ToolContext, ToolDefinition, ToolResult } from './types';
import type { TouchedAgents } from './touched-agents';

/** Observes every call: tool name, outcome (`ok` or an error code) and duration in seconds. */
export type ToolCallObserver = (tool: string, outcome: string, seconds: number) => void;

/** One name a client sees: a tool under its own name, or under one of its aliases. */
export interface ToolEntry {
  /** The name to list and call. */
  name: string;
  tool: ToolDefinition;
  /** For an alias: the tool's own name. */
  aliasOf?: string;
  /** The tool's description; an alias's starts with "Alias of <name>." */
  description: string;
}

export class ToolRegistry {
  private readonly byName = new Map<string, ToolDefinition>();
  /** alias -> the tool's own name */
  private readonly aliasOf = new Map<string, string>();
  private readonly schemas = new Map<string, z.ZodObject<z.ZodRawShape>>();
  /** JSON Schemas by `input:<tool>` / `output:<tool>`, built on first use (tools do not change). */
  private readonly jsonSchemas = new Map<string, Record<string, unknown>>();
  private readonly observers: ToolCallObserver[] = [];

  /** @param touched records who called (see ./touched-agents); none: not recorded */
  constructor(tools: readonly ToolDefinition[], private readonly touched?: TouchedAgents) {
    for (const tool of tools) {
      if (this.byName.has(tool.name)) throw new Error(`Duplicate tool name: ${tool.name}`);
      this.byName.set(tool.name, tool);
      this.schemas.set(tool.name, z.strictObject(tool.input));
    }
    // After every own name is known, so an alias can clash with a tool declared later too.
    for (const tool of tools) {
      for (const alias of tool.aliases ?? []) {
        if (this.byName.has(alias) || this.aliasOf.has(alias)) throw new Error(`Alias ${alias} of ${tool.name} is already the name or an alias of another tool`);
        this.aliasOf.set(alias, tool.name);
      }
    }
  }

  /** Every tool once, under its own name. */
  list(): ToolDefinition[] {
    return [...this.byName.values()];
  }

  /** The tools' own names (aliases: {@link aliasNames}). */
  names(): string[] {
    return [...this.byName.keys()];
  }

  aliasNames(): string[] {
    return [...this.aliasOf.keys()];
  }

  /** Every name a client can call, each tool followed by its aliases: what tools/list and GET /v1/tools publish. */
  entries(): ToolEntry[] {
    return this.list().flatMap((tool) => [
      { name: tool.name, tool, description: tool.description },
      ...(tool.aliases ?? []).map((alias) => ({ name: alias, tool, aliasOf: tool.name, description: `Alias of ${tool.name}. ${tool.description}` })),
    ]);
  }

  /** The tool a name (its own or an alias) calls. */
  get(name: string): ToolDefinition | undefined {
    return this.byName.get(this.aliasOf.get(name) ?? name);
  }

  /** True when `name` is a tool's own name or an alias. */
  has(name: string): boolean {
    return this.byName.has(name) || this.aliasOf.has(name);
  }

  onCall(observer: ToolCallObserver): void {
    this.observers.push(observer);
  }

  /**
   * JSON Schema (draft 2020-12, from zod's `toJSONSchema`) of a tool's arguments, with
   * `additionalProperties: false`; MCP `tools/list` and `GET /v1/tools` publish this same object.
   */
  inputJsonSchema(name: string): Record<string, unknown> {
    const own = this.aliasOf.get(name) ?? name;
    const schema = this.schemas.get(own);
    if (!schema) throw this.unknownTool(name);
    return this.cachedJsonSchema(`input:${own}`, () => jsonSchema(schema, 'input'));
  }

  /** JSON Schema of a tool's structured output (MCP `outputSchema`), or undefined if it declares none. */
  outputJsonSchema(name: string): Record<string, unknown> | undefined {
    const tool = this.get(name);
    if (!tool) throw this.unknownTool(name);
    const output = tool.output;
    return output ? this.cachedJsonSchema(`output:${tool.name}`, () => jsonSchema(output, 'output')) : undefined;
  }

  private cachedJsonSchema(key: string, build: () => Record<string, unknown>): Record<string, unknown> {
    let json = this.jsonSchemas.get(key);
    if (!json) {
      json = build();
      this.jsonSchemas.set(key, json);
    }
    return json;
  }

  /**
   * Validates `rawArgs` against the tool's schema and runs it.
   * Every transport calls this, so the same arguments get the same answer everywhere. `name` may
   * be an alias; metrics count the call under the tool's own name.
   * @throws ToolCallError `unknown_tool` (message lists the known tools), `invalid_arguments`
   *   (message names each bad field; for unknown arguments also the accepted ones), `forbidden`
   *   (a per-agent token's caller names another agent_id in a tool that changes something,
   *   ../../auth/binding), or whatever the handler's error maps to.
   */
  async call(name: string, rawArgs: unknown, ctx: ToolContext): Promise<ToolResult> {
    const tool = this.get(name);
    if (!tool) throw this.unknownTool(name);
    this.touched?.record(ctx.caller, tool.name, Date.now());
    const parsed = this.schemas.get(tool.name)!.safeParse(rawArgs ?? {});
    if (!parsed.success) {
      this.observe(tool.name, 'invalid_arguments', 0);
      const unknown = unknownArguments(parsed.error);
      const accepted = Object.keys(tool.input);
      let message = `Invalid arguments for ${name}: ${describeZodError(parsed.error)}`;
      if (unknown.length) message += `. Accepted arguments: ${accepted.length ? accepted.join(', ') : 'none'}.`;
      throw new ToolCallError('invalid_arguments', message, unknown.length ? { field: unknown.join(', '), accepted_arguments: accepted } : undefined);
    }
    if (ctx.caller.boundAgent !== undefined) {
      try {
        checkAgentBinding(tool, parsed.data, ctx.caller.boundAgent);
      } catch (err) {
        this.observe(tool.name, 'forbidden', 0);
        throw toToolCallError(err);
      }
    }
    return this.execute(tool, parsed.data, ctx);
  }

  /** How a result reads as MCP text content: the tool's own rendering, else its JSON. */
  render(name: string, result: ToolResult): string {
    const tool = this.get(name);
    return tool?.render ? tool.render(result) : JSON.stringify(result);
  }

  /** Runs a call validated by {@link call}. */
  private async execute(tool: ToolDefinition, args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult> {
    const started = performance.now();
    try {
      // Handlers return plain objects (their declared result types, see ./catalog); on the wire each is a JSON object.
      const result = (await tool.handler(args, ctx)) as ToolResult;
      this.observe(tool.name, 'ok', (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      const mapped = toToolCallError(err);
      this.observe(tool.name, mapped.code, (performance.now() - started) / 1000);
      throw mapped;
    }
  }

  private unknownTool(name: string): ToolCallError {
    const known = this.entries().map((e) => e.name);
    return new ToolCallError('unknown_tool', `Unknown tool "${name}". Known tools: ${known.join(', ')}.`, { known_tools: known });
  }

  private observe(tool: string, outcome: string, seconds: number): void {
    for (const o of this.observers) {
      try {
        o(tool, outcome, seconds);
      } catch {
        // An observer (metrics) must never fail a tool call.
      }
    }
  }
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
