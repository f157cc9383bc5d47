/**
 * The OpenAI function-calling adapter (seed 000, "Governance MCP HTTP API"):
 * - `GET /v1/tools` -> `{tools: [{type: "function", function: {name, description, parameters}}], count, note}`
 *   (Chat Completions' nested shape, seed 000); `?format=responses` -> the Responses API's flat
 *   `{type: "function", name, description, parameters, strict: false}` (the `openai` SDK's
 *   Responses types refuse the nested one). Aliases are listed as entries of their own.
 * - `POST /v1/tools/call` `{name, arguments}` (arguments an object or a JSON string, as OpenAI's
 *   `tool_call.function.arguments` is) -> `{success: true, result}` or `{success: false, error: {code, message}}`.
 *   A name `mcp_<server>_<tool>` calls `<tool>` when only that is known (as V1 does).
 * Built from the same {@link ToolRegistry} as MCP.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ToolCallError, toToolCallError } from '../tools/errors';
import type { ToolRegistry } from '../tools/registry';
import type { CallerIdentity, ToolAnnouncement } from '../tools/types';
import { HttpError, readJson, sendJson } from './body';

/** HTTP status for each tool error code; tool-level failures of a valid call stay 200 like MCP's `isError`. */
const STATUS: Record<string, number> = {
  unknown_tool: 404,
  invalid_arguments: 400,
  not_found: 404,
  conflict: 409,
  // A dialectic call out of turn (wrong phase or wrong agent): nothing changed.
  invalid_state: 409,
  rate_limited: 429,
  forbidden: 403,
  // The database is down (PostgreSQL restarting): retry later.
  unavailable: 503,
  internal_error: 500,
};

/** A Chat Completions function tool (the default listing). */
export interface OpenAiFunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** A Responses API function tool (`GET /v1/tools?format=responses`): the `openai` SDK's `FunctionTool`. */
export interface ResponsesFunctionTool {
  type: 'function';
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  /** false: the schemas use optional properties and defaults, which strict mode refuses. */
  strict: false;
}

/** `format` values of `GET /v1/tools`; `chat` is short for `chat_completions`, the default. */
export const TOOL_LIST_FORMATS = ['chat_completions', 'chat', 'responses'] as const;

export function openAiTools(registry: ToolRegistry): OpenAiFunctionTool[] {
  return registry.entries().map((e) => ({
    type: 'function',
    function: { name: e.name, description: e.description, parameters: registry.inputJsonSchema(e.tool.name) },
  }));
}

export function responsesTools(registry: ToolRegistry): ResponsesFunctionTool[] {
  return registry.entries().map((e) => ({ type: 'function', name: e.name, description: e.description, parameters: registry.inputJsonSchema(e.tool.name), strict: false }));
}

/**
 * `GET /v1/tools[?format=chat_completions|responses]`: `{tools, count, note}` (`count` and `note` as V1 answers).
 * @throws HttpError 400 `invalid_arguments` naming `format` for another value
 */
export function handleListTools(res: ServerResponse, registry: ToolRegistry, query?: URLSearchParams): void {
  const format = query?.get('format') ?? 'chat_completions';
  if (!(TOOL_LIST_FORMATS as readonly string[]).includes(format)) {
    throw new HttpError(400, 'invalid_arguments', `Query parameter "format" must be one of ${TOOL_LIST_FORMATS.join(', ')} (got ${JSON.stringify(format)}); responses gives the Responses API's flat function shape.`);
  }
  const tools = format === 'responses' ? responsesTools(registry) : openAiTools(registry);
  const aliases = registry.aliasNames().length;
  sendJson(res, 200, {
    tools,
    count: tools.length,
    note: `All ${tools.length} tool names: ${tools.length - aliases} tools and ${aliases} aliases ("Alias of <tool>." in the description). ${format === 'responses' ? 'Responses API shape.' : 'Chat Completions shape; ?format=responses gives the Responses API shape.'}`,
  });
}

/**
 * The tool a `POST /v1/tools/call` name means: the name itself when it is known; else, for
 * `mcp_<server>_<tool>` (how some MCP clients surface tool names; V1 src/mcp_server_sse.py
 * http_call_tool strips its own server's prefix), the longest known `<tool>`; else the name
 * unchanged (which then fails as unknown_tool).
 */
export function stripMcpPrefix(name: string, known: (candidate: string) => boolean): string {
  if (known(name) || !name.startsWith('mcp_')) return name;
  // The server part is at least one character: the separating "_" is at index 5 or later.
  for (let i = name.indexOf('_', 5); i !== -1; i = name.indexOf('_', i + 1)) {
    const candidate = name.slice(i + 1);
    if (known(candidate)) return candidate;
  }
  return name;
}

/** Parses `{name, arguments}`. @throws HttpError 400 naming the bad field. */
export function parseCallBody(body: unknown): { name: string; args: unknown } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'invalid_request', 'Expected a JSON object {"name": "<tool>", "arguments": {...}}.');
  }
  const { name, arguments: rawArgs } = body as { name?: unknown; arguments?: unknown };
  if (typeof name !== 'string' || !name) throw new HttpError(400, 'invalid_request', 'Field "name" is required: the tool to call (see GET /v1/tools).');
  let args: unknown = rawArgs ?? {};
  if (typeof args === 'string') {
    try {
      args = args.trim() ? JSON.parse(args) : {};
    } catch (err) {
      throw new HttpError(400, 'invalid_arguments', `Field "arguments" is a string but not valid JSON: ${(err as Error).message}`);
    }
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new HttpError(400, 'invalid_arguments', 'Field "arguments" must be a JSON object or a string holding one.');
  }
  return { name, args };
}

/**
 * `POST /v1/tools/call`. A client that accepts `text/event-stream` also hears what a tool announces
 * before it answers (the `codex` tool's session id): once the first announcement comes, the answer
 * becomes a server-sent event stream of `event: announce` (`data`: `{type, message, ...data}`) and
 * one last `event: result` whose `data` is the same `{success, result}` / `{success: false, error}`
 * body the JSON answer would carry. A call that announces nothing answers JSON as always.
 */
export async function handleCallTool(req: IncomingMessage, res: ServerResponse, registry: ToolRegistry, caller: CallerIdentity): Promise<void> {
  const parsed = parseCallBody(await readJson(req));
  const name = stripMcpPrefix(parsed.name, (n) => registry.has(n));
  const args = parsed.args;
  const controller = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  res.on('close', onClose);
  const streams = String(req.headers.accept ?? '').includes('text/event-stream');
  let streaming = false;
  const announce = (a: ToolAnnouncement) => {
    if (!streams || res.writableEnded) return;
    if (!streaming) {
      streaming = true;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    }
    res.write(sseEvent('announce', { type: a.type, message: a.message, ...a.data }));
  };
  const finish = (status: number, body: unknown) => {
    if (!streaming) return sendJson(res, status, body);
    res.end(sseEvent('result', body));
  };
  try {
    const result = await registry.call(name, args, { caller, signal: controller.signal, announce });
    finish(200, { success: true, result });
  } catch (err) {
    const e: ToolCallError = toToolCallError(err);
    finish(STATUS[e.code] ?? 500, { success: false, error: { code: e.code, message: e.message, ...(e.details ?? {}) } });
  } finally {
    res.off('close', onClose);
  }
}

function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

