/**
 * The OpenAI function-calling adapter (seed 000, "Governance MCP HTTP API"):
 * - `GET /v1/tools` -> `{tools: [{type: "function", function: {name, description, parameters}}]}`
 * - `POST /v1/tools/call` `{name, arguments}` (arguments an object or a JSON string, as OpenAI's
 *   `tool_call.function.arguments` is) -> `{success: true, result}` or `{success: false, error: {code, message}}`.
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
  rate_limited: 429,
  forbidden: 403,
  internal_error: 500,
};

export interface OpenAiFunctionTool {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export function openAiTools(registry: ToolRegistry): OpenAiFunctionTool[] {
  return registry.list().map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: registry.inputJsonSchema(t.name) },
  }));
}

export function handleListTools(res: ServerResponse, registry: ToolRegistry): void {
  sendJson(res, 200, { tools: openAiTools(registry) });
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
  const { name, args } = parseCallBody(await readJson(req));
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

