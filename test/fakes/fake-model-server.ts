/**
 * A scriptable stand-in for the OpenAI Responses API, so the real Codex binaries can run in tests
 * without an OpenAI account. It speaks only what Codex uses: `POST /v1/responses` with
 * `stream: true`, answered as Server-Sent Events (`event: <type>\ndata: <json>\n\n`):
 * `response.created`, then per output item `response.output_item.added` and
 * `response.output_item.done`, then `response.completed` with usage. Event and item shapes follow
 * the OpenAI Responses API streaming reference and what Codex 0.153.4 / 0.169.0 were seen to accept.
 * A request without `stream: true` (the npm `openai` client's `responses.create`) gets the same turn
 * as one JSON `response` object instead.
 *
 * Each POST consumes the next {@link Turn} of the script. A turn is a static reply or a function of
 * the recorded request (so a test can react to a `function_call_output`). Every request is recorded.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { brotliDecompressSync, gunzipSync, inflateSync, zstdDecompressSync } from 'node:zlib';

/** One item of the model's output, as the Responses API sends it (`message`, `function_call`, ...). */
export type OutputItem = Record<string, unknown> & { type: string };

/** Token usage reported in `response.completed` (counts of tokens). */
export interface FakeUsage {
  input_tokens: number;
  cached_input_tokens?: number;
  output_tokens: number;
  reasoning_output_tokens?: number;
}

/** What the fake does with one request. */
export type TurnReply =
  /** Streams these items, then `response.completed` with `usage` (default 100 in / 10 out). */
  | { kind: 'items'; items: OutputItem[]; usage?: FakeUsage; delayMs?: number }
  /** Accepts the request and never answers (until {@link FakeModelServer.close}). */
  | { kind: 'hang' }
  /** Answers with this HTTP status and an OpenAI-style JSON error body (and `retry-after: retryAfterSeconds` when given, as OpenAI sends with 429). */
  | { kind: 'status'; status: number; message?: string; delayMs?: number; retryAfterSeconds?: number }
  /**
   * One assistant message whose text arrives as `response.output_text.delta` events spread evenly
   * over `durationMs` (ms) in `chunks` pieces (default: one per 100 ms, at least 1), then the usual
   * `output_item.done` and `response.completed`. Stops writing when the client goes away (an interrupt).
   */
  | { kind: 'stream'; text: string; durationMs: number; chunks?: number; usage?: FakeUsage; delayMs?: number };

/** A recorded request: the parsed JSON body plus the headers it came with. */
export interface RecordedRequest {
  /** 0-based order of arrival. */
  index: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (`model`, `instructions`, `input`, `tools`, `stream`, ...); `undefined` if not JSON. */
  body: ResponsesRequestBody | undefined;
  rawBody: string;
}

/** The parts of a Responses API request body tests look at; everything else is kept as sent. */
export interface ResponsesRequestBody {
  model?: string;
  instructions?: string;
  input?: Array<Record<string, unknown>>;
  tools?: Array<Record<string, unknown>>;
  stream?: boolean;
  [key: string]: unknown;
}

/** A step of the script: a fixed reply, or a function of the request (may be async). */
export type Turn = TurnReply | ((request: RecordedRequest) => TurnReply | Promise<TurnReply>);

export interface FakeModelServerOptions {
  /** Turns answered in order, one per `POST /v1/responses`. More can be added with {@link FakeModelServer.enqueue}. */
  script?: Turn[];
  /**
   * Reply once the script is used up. Default: HTTP 400 naming the request, so a missing turn fails
   * the Codex call at once (Codex gives up immediately on 400) instead of retrying.
   */
  whenExhausted?: Turn;
}

/** A running fake; see {@link startFakeModelServer}. */
export interface FakeModelServer {
  /** `http://127.0.0.1:<port>/v1`, the `base_url` of a Codex model provider. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every request received, in order (including ones to unknown paths). */
  readonly requests: RecordedRequest[];
  /** Only the `POST /v1/responses` requests, in order. */
  responsesRequests(): RecordedRequest[];
  /** Appends turns to the script. */
  enqueue(...turns: Turn[]): void;
  /** Number of scripted turns not yet used. */
  remainingTurns(): number;
  /** Resolves with all responses requests once `count` of them have arrived; rejects after `timeoutMs` (default 30 000 ms). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Ends hanging requests, closes every socket and the listener. Idempotent. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------- item builders

let callCounter = 0;
/** A fresh `call_id` for a scripted tool call (Codex echoes it in the `function_call_output`). */
export function newCallId(): string {
  callCounter += 1;
  return `call_fake_${callCounter}_${randomUUID().slice(0, 8)}`;
}

/** An assistant message item with one `output_text` part. */
export function messageItem(text: string): OutputItem {
  return { type: 'message', id: `msg_${randomUUID()}`, role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
}

/**
 * A `function_call` item. `args` is JSON-encoded into `arguments`, as the Responses API sends it.
 * `namespace` is set for tools Codex groups under a namespace (see {@link scriptMcpToolCall}).
 */
export function functionCallItem(name: string, args: Record<string, unknown>, opts: { callId?: string; namespace?: string } = {}): OutputItem {
  const item: OutputItem = { type: 'function_call', id: `fc_${randomUUID()}`, name, arguments: JSON.stringify(args), call_id: opts.callId ?? newCallId() };
  if (opts.namespace !== undefined) item.namespace = opts.namespace;
  return item;
}

/** An assistant message item whose one part is a `refusal` (the model declined), as the Responses API sends it. */
export function refusalItem(text: string): OutputItem {
  return { type: 'message', id: `msg_${randomUUID()}`, role: 'assistant', content: [{ type: 'refusal', refusal: text }] };
}

/** A `function_call` item whose `arguments` is exactly `raw` (e.g. malformed JSON, as a model may send). */
export function rawFunctionCallItem(name: string, raw: string, opts: { callId?: string } = {}): OutputItem {
  return { type: 'function_call', id: `fc_${randomUUID()}`, name, arguments: raw, call_id: opts.callId ?? newCallId() };
}

export interface ExecCommandOptions {
  callId?: string;
  /** Working directory for the command (Codex's `workdir` argument). */
  workdir?: string;
  /** Ask Codex to run outside the sandbox (`sandbox_permissions: "require_escalated"`); the justification is what the approver sees. */
  escalateWithJustification?: string;
  /** Milliseconds Codex waits for output before returning (Codex's `yield_time_ms`). */
  yieldTimeMs?: number;
}

/** A call of Codex's `exec_command` tool running `cmd` in a shell. */
export function execCommandItem(cmd: string, opts: ExecCommandOptions = {}): OutputItem {
  const args: Record<string, unknown> = { cmd };
  if (opts.workdir !== undefined) args.workdir = opts.workdir;
  if (opts.yieldTimeMs !== undefined) args.yield_time_ms = opts.yieldTimeMs;
  if (opts.escalateWithJustification !== undefined) {
    args.sandbox_permissions = 'require_escalated';
    args.justification = opts.escalateWithJustification;
  }
  return functionCallItem('exec_command', args, opts.callId === undefined ? {} : { callId: opts.callId });
}

/**
 * The namespace under which Codex offers the tools of its MCP server `serverName` to the model:
 * `mcp__<server>` with every character outside `[A-Za-z0-9_]` replaced by `_` (`my.gov-1@x` ->
 * `mcp__my_gov_1_x`). Observed in the `tools` array Codex 0.153.4 and 0.169.0 send: one entry
 * `{type:"namespace", name:"mcp__gov", description, tools:[{type:"function", name:"echo",
 * parameters, strict:false}, ...]}` per server. The model must answer with
 * `{type:"function_call", namespace:"mcp__gov", name:"echo", ...}`; the flat name
 * `mcp__gov__echo` is refused by Codex as `unsupported call`.
 */
export function mcpNamespace(serverName: string): string {
  return `mcp__${serverName.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** True if `request` offers tool `toolName` inside namespace `namespace`. */
export function offersNamespacedTool(request: RecordedRequest, namespace: string, toolName: string): boolean {
  return toolNames(request).includes(`${namespace}/${toolName}`);
}

/**
 * A model turn calling tool `toolName` of Codex's MCP server `serverName` with `args`. The turn
 * checks that Codex offered that tool in this request; if not (server not started, wrong name,
 * tool filtered out), it answers HTTP 400 naming the tools that were offered, which makes the Codex
 * call fail at once with that text instead of hanging or silently doing something else.
 */
export function scriptMcpToolCall(serverName: string, toolName: string, args: Record<string, unknown>, opts: { callId?: string } = {}): Turn {
  const namespace = mcpNamespace(serverName);
  return (request) => {
    if (!offersNamespacedTool(request, namespace, toolName)) {
      return httpStatus(400, `fake model server: Codex did not offer ${namespace}/${toolName}; offered: ${toolNames(request).join(', ')}`);
    }
    const callOpts: { callId?: string; namespace: string } = { namespace };
    if (opts.callId !== undefined) callOpts.callId = opts.callId;
    return { kind: 'items', items: [functionCallItem(toolName, args, callOpts)] };
  };
}

// ---------------------------------------------------------------- turn builders

/** A turn answering with one assistant message. */
export function replyMessage(text: string, usage?: FakeUsage): TurnReply {
  return usage ? { kind: 'items', items: [messageItem(text)], usage } : { kind: 'items', items: [messageItem(text)] };
}

/** A turn calling `exec_command`; see {@link execCommandItem}. */
export function replyExec(cmd: string, opts: ExecCommandOptions = {}): TurnReply {
  return { kind: 'items', items: [execCommandItem(cmd, opts)] };
}

/** A turn calling any function tool by name. */
export function replyFunctionCall(name: string, args: Record<string, unknown>, opts: { callId?: string; namespace?: string } = {}): TurnReply {
  return { kind: 'items', items: [functionCallItem(name, args, opts)] };
}

/** A turn streaming `text` as one assistant message over `durationMs` (ms); see {@link TurnReply} `stream`. */
export function streamText(text: string, durationMs: number, opts: { chunks?: number; usage?: FakeUsage } = {}): TurnReply {
  return { kind: 'stream', text, durationMs, ...opts };
}

/** Splits `text` into `n` nearly equal pieces (never splitting a UTF-16 surrogate pair). */
export function textChunks(text: string, n: number): string[] {
  const chars = Array.from(text);
  const count = Math.max(1, Math.min(n, chars.length));
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(chars.slice(Math.floor((i * chars.length) / count), Math.floor(((i + 1) * chars.length) / count)).join(''));
  return out;
}

/** A turn that never answers. */
export function hang(): TurnReply {
  return { kind: 'hang' };
}

/** A turn answering with HTTP `status` (e.g. 400, 401, 500). */
export function httpStatus(status: number, message?: string): TurnReply {
  return message === undefined ? { kind: 'status', status } : { kind: 'status', status, message };
}

/** A turn answering HTTP 429 with `retry-after: seconds` (OpenAI's rate limit answer). */
export function rateLimited(seconds: number, message = 'Rate limit reached (fake model server).'): TurnReply {
  return { kind: 'status', status: 429, message, retryAfterSeconds: seconds };
}

/** The same reply, sent after `ms` milliseconds. */
export function delayed(ms: number, reply: TurnReply): TurnReply {
  if (reply.kind === 'hang') return reply;
  return { ...reply, delayMs: ms };
}

// ---------------------------------------------------------------- request helpers

/** The `output` of the `function_call_output` item answering `callId` in `request`, or of the last one when `callId` is omitted. */
export function functionCallOutput(request: RecordedRequest, callId?: string): string | undefined {
  const outputs = (request.body?.input ?? []).filter((i) => i.type === 'function_call_output' && (callId === undefined || i.call_id === callId));
  const last = outputs[outputs.length - 1];
  if (!last) return undefined;
  const out = last.output;
  if (typeof out === 'string') return out;
  // Newer Codex versions may send content parts instead of a string.
  if (Array.isArray(out)) return out.map((p: { text?: unknown }) => (typeof p.text === 'string' ? p.text : '')).join('');
  return JSON.stringify(out);
}

/** Texts of the user messages in `request`'s input, in order. */
export function userTexts(request: RecordedRequest): string[] {
  const texts: string[] = [];
  for (const item of request.body?.input ?? []) {
    if (item.type !== 'message' || item.role !== 'user' || !Array.isArray(item.content)) continue;
    for (const part of item.content as Array<{ type?: unknown; text?: unknown }>) {
      if (part.type === 'input_text' && typeof part.text === 'string') texts.push(part.text);
    }
  }
  return texts;
}

/** Names of the tools offered in `request` (function tools by `name`; namespaced tools as `namespace/name`). */
export function toolNames(request: RecordedRequest): string[] {
  const names: string[] = [];
  for (const tool of request.body?.tools ?? []) {
    if (typeof tool.name === 'string') names.push(tool.name);
    if (Array.isArray(tool.tools)) {
      for (const inner of tool.tools as Array<{ name?: unknown }>) if (typeof inner.name === 'string') names.push(`${String(tool.name)}/${inner.name}`);
    }
  }
  return names;
}

// ---------------------------------------------------------------- server

function decodeBody(raw: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').toLowerCase()) {
    case '':
    case 'identity':
      return raw;
    case 'gzip':
      return gunzipSync(raw);
    case 'deflate':
      return inflateSync(raw);
    case 'br':
      return brotliDecompressSync(raw);
    case 'zstd':
      return zstdDecompressSync(raw);
    default:
      throw new Error(`unsupported content-encoding ${encoding}`);
  }
}

function sseEvent(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function usageJson(u: FakeUsage): Record<string, unknown> {
  const cached = u.cached_input_tokens ?? 0;
  const reasoning = u.reasoning_output_tokens ?? 0;
  return {
    input_tokens: u.input_tokens,
    input_tokens_details: { cached_tokens: cached },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: u.input_tokens + u.output_tokens,
  };
}

const DEFAULT_USAGE: FakeUsage = { input_tokens: 100, output_tokens: 10 };

/** A completed `response` object (Responses API reference), as a non-streaming `POST /v1/responses` answers. */
function responseObject(id: string, model: string, output: OutputItem[], usage: FakeUsage): Record<string, unknown> {
  return { id, object: 'response', created_at: Math.floor(Date.now() / 1000), model, status: 'completed', error: null, incomplete_details: null, output, usage: usageJson(usage) };
}

/** Writes a `stream` reply after `response.created`: the message's text as deltas over time, then the end events. */
async function streamMessage(res: ServerResponse, id: string, model: string, reply: Extract<TurnReply, { kind: 'stream' }>, closed: () => boolean): Promise<void> {
  const item = messageItem(reply.text);
  const itemId = item.id as string;
  const pieces = textChunks(reply.text, reply.chunks ?? Math.max(1, Math.round(reply.durationMs / 100)));
  const gap = pieces.length > 1 ? reply.durationMs / pieces.length : 0;
  res.write(sseEvent('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } }));
  res.write(sseEvent('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }));
  const t0 = Date.now();
  for (const [i, delta] of pieces.entries()) {
    // Paced against the start, so slow writes do not stretch the whole stream.
    const wait = t0 + i * gap - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (closed() || res.destroyed) return;
    res.write(sseEvent('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta }));
  }
  res.write(sseEvent('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text: reply.text }));
  res.write(sseEvent('response.output_item.done', { output_index: 0, item: { ...item, status: 'completed' } }));
  res.write(sseEvent('response.completed', { response: { id, object: 'response', model, status: 'completed', output: [item], usage: usageJson(reply.usage ?? DEFAULT_USAGE) } }));
  res.end();
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeModelServer(options: FakeModelServerOptions = {}): Promise<FakeModelServer> {
  const script: Turn[] = [...(options.script ?? [])];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const waiters: Array<{ count: number; resolve: (r: RecordedRequest[]) => void }> = [];
  let closed = false;

  const responsesOnly = () => requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses');
  const notifyWaiters = () => {
    const n = responsesOnly().length;
    for (const w of [...waiters]) {
      if (n >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(responsesOnly());
      }
    }
  };

  const exhausted: Turn = options.whenExhausted ?? ((req) => httpStatus(400, `fake model server: no scripted turn left for request #${req.index}; add one to the script`));

  async function answer(res: ServerResponse, record: RecordedRequest): Promise<void> {
    const turn = script.shift() ?? exhausted;
    const reply = typeof turn === 'function' ? await turn(record) : turn;
    if (reply.kind === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (closed || res.destroyed) return;
    if (reply.kind === 'status') {
      const message = reply.message ?? `fake model server: scripted HTTP ${reply.status}`;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.retryAfterSeconds !== undefined ? { 'retry-after': String(reply.retryAfterSeconds) } : {}) });
      res.end(JSON.stringify({ error: { message, type: 'fake_error', code: null, param: null } }));
      return;
    }
    const id = `resp_${randomUUID()}`;
    const model = record.body?.model ?? 'fake-model';
    if (record.body?.stream !== true) {
      // Without `stream: true` the API answers one `response` object (Codex always streams; the `openai` SDK may not).
      const output = reply.kind === 'stream' ? [messageItem(reply.text)] : reply.items;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(responseObject(id, model, output, reply.usage ?? DEFAULT_USAGE)));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(sseEvent('response.created', { response: { id, object: 'response', model, status: 'in_progress', output: [] } }));
    if (reply.kind === 'stream') return streamMessage(res, id, model, reply, () => closed);
    reply.items.forEach((item, outputIndex) => {
      res.write(sseEvent('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress' } }));
      res.write(sseEvent('response.output_item.done', { output_index: outputIndex, item: { ...item, status: 'completed' } }));
    });
    res.write(sseEvent('response.completed', { response: { id, object: 'response', model, status: 'completed', output: reply.items, usage: usageJson(reply.usage ?? DEFAULT_USAGE) } }));
    res.end();
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let rawBody = '';
      let body: ResponsesRequestBody | undefined;
      try {
        rawBody = decodeBody(Buffer.concat(chunks), req.headers['content-encoding']).toString('utf8');
        body = rawBody ? (JSON.parse(rawBody) as ResponsesRequestBody) : undefined;
      } catch {
        body = undefined;
      }
      const record: RecordedRequest = { index: requests.length, method: req.method ?? 'GET', path: url.pathname, headers: { ...req.headers }, body, rawBody };
      requests.push(record);
      if (record.method !== 'POST' || record.path !== '/v1/responses') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `fake model server: no route ${record.method} ${record.path}`, type: 'not_found' } }));
        return;
      }
      notifyWaiters();
      answer(res, record).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `fake model server: script failed: ${String(err)}`, type: 'fake_error' } }));
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    responsesRequests: responsesOnly,
    enqueue: (...turns) => {
      script.push(...turns);
    },
    remainingTurns: () => script.length,
    waitForRequests: (count, timeoutMs = 30_000) => {
      const have = responsesOnly();
      if (have.length >= count) return Promise.resolve(have);
      return new Promise((resolve, reject) => {
        const waiter = {
          count,
          resolve: (r: RecordedRequest[]) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`fake model server: waited ${timeoutMs} ms for ${count} responses requests, got ${responsesOnly().length}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}
