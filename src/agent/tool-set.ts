/**
 * The tools of one run: the governance tools and the MCP servers' tools under the names the model
 * sees (./naming), with their JSON Schemas checked before anything is asked or run (the MCP SDK's
 * AJV validator), so a person is never asked to approve a call that cannot run.
 */
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

/** MCP tool annotations (MCP spec 2025-06-18, `ToolAnnotations`); absent hints take the spec's defaults. */
export interface ToolAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** What a tool call gave back, as text for the model. */
export interface ToolOutcome {
  /** False for a tool error (MCP `isError`, a governance error code): the model is told so. */
  ok: boolean;
  text: string;
}

export interface AgentTool {
  /** The name the model calls. */
  name: string;
  /** `governance`, or the MCP server's name in the Codex config. */
  server: string;
  /** The tool's own name on its server. */
  tool: string;
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  parameters: Record<string, unknown>;
  annotations: ToolAnnotations;
  /** `governance` tools run unasked; `mcp` tools unless read-only. */
  kind: 'governance' | 'mcp';
  /** Runs the call. Never throws: failures come back as `{ok: false, text}` naming the cause. */
  call(args: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutcome>;
}

/** The parsed arguments of a call, or why they cannot be used. */
export type ParsedArguments = { ok: true; args: Record<string, unknown> } | { ok: false; error: string };

const validator = new AjvJsonSchemaValidator();

export class ToolSet {
  private readonly byName = new Map<string, AgentTool>();
  private readonly validators = new WeakMap<AgentTool, ((input: unknown) => { valid: boolean; errorMessage?: string }) | null>();

  constructor(tools: readonly AgentTool[]) {
    for (const t of tools) {
      if (this.byName.has(t.name)) throw new Error(`Two tools are offered as ${t.name}; rename one of the MCP servers.`);
      this.byName.set(t.name, t);
    }
  }

  get(name: string): AgentTool | undefined {
    return this.byName.get(name);
  }

  list(): AgentTool[] {
    return [...this.byName.values()];
  }

  /** True when a call runs without asking the approval broker: governance tools and read-only MCP tools. */
  static unasked(tool: AgentTool): boolean {
    return tool.kind === 'governance' || tool.annotations.readOnlyHint === true;
  }

  /**
   * Parses the model's argument text (a JSON object; empty text is `{}`) and checks it against the
   * tool's schema. The error names the tool and the failing field, for the model to correct.
   */
  parse(tool: AgentTool, raw: string): ParsedArguments {
    let value: unknown;
    try {
      value = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch (err) {
      return { ok: false, error: `The arguments of ${tool.name} are not valid JSON (${err instanceof Error ? err.message : String(err)}); send a JSON object matching its parameters.` };
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: `The arguments of ${tool.name} must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}.` };
    const check = this.validatorOf(tool);
    const result = check?.(value);
    if (result && !result.valid) return { ok: false, error: `The arguments of ${tool.name} do not match its schema: ${schemaMessage(result.errorMessage)}. Fix them and call it again.` };
    return { ok: true, args: value as Record<string, unknown> };
  }

  private validatorOf(tool: AgentTool): ((input: unknown) => { valid: boolean; errorMessage?: string }) | null {
    if (!this.validators.has(tool)) {
      let fn: ((input: unknown) => { valid: boolean; errorMessage?: string }) | null;
      try {
        fn = validator.getValidator(tool.parameters);
      } catch {
        // A schema AJV cannot compile is left to the tool's own server to check.
        fn = null;
      }
      this.validators.set(tool, fn);
    }
    return this.validators.get(tool) ?? null;
  }
}

/** AJV's message with its `data` root spelled for people: `data/path must ...` -> `path must ...`. */
function schemaMessage(message: string | undefined): string {
  return (message ?? 'invalid').replace(/\bdata\/([^\s,]+)/g, '$1').replace(/\bdata\b/g, 'the arguments');
}
