/**
 * A stand-in for OpenAI's Chat Completions API (`POST /v1/chat/completions`), so the npm `openai`
 * client can run seed 000's OpenAI flows without an OpenAI account. Shapes follow the OpenAI API
 * reference for `chat.completion` and, with `stream: true`, `chat.completion.chunk` server-sent
 * events ending in `data: [DONE]`. Only the model is fake: each request is answered by
 * {@link FakeChatOptions.reply}, a function of the recorded request, so a scripted "model" can name
 * the governance tools the caller offered.
 *
 * Errors a real service gives are scriptable too: an HTTP status with `retry-after` (429, 500), a
 * request that never gets an answer (`hang`), a refusal, malformed tool-call arguments, a call of a
 * tool that was not offered (`invented`). Otherwise the fake refuses, with HTTP 400 and an OpenAI-style error body (never retried by the client), a
 * scripted tool call naming a tool the request did not offer in `tools`: a real model can only call
 * offered tools, so such a reply is a test bug and must fail loudly.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One tool call the fake model makes: a function name and its arguments (JSON-encoded on the wire). */
export interface FakeToolCall {
  name: string;
  /** An object is JSON-encoded; a string is sent as it is (e.g. malformed JSON). */
  arguments: Record<string, unknown> | string;
  /** Call it although the request did not offer it (a model inventing a tool); otherwise such a call is refused as a test bug. */
  invented?: boolean;
}

/** Token counts the fake reports (`usage`); default 100 prompt tokens and about a token per 4 characters out. */
export interface FakeChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** `prompt_tokens_details.cached_tokens`. */
  cached_tokens?: number;
}

/** What the fake model answers: text, tool calls, or both (finish_reason `tool_calls` when there are calls). */
export interface FakeChatReply {
  content: string | null;
  toolCalls?: FakeToolCall[];
  /** The model declines: `message.refusal` (content null), as OpenAI sends it. */
  refusal?: string;
  usage?: FakeChatUsage;
  /** Streaming only: wait this long (ms) before each word, so a client sees the text grow. Default 0. */
  wordDelayMs?: number;
}

/** An HTTP error answer with an OpenAI-style body (`retry-after` header when given, as with 429). */
export interface FakeChatStatus {
  status: number;
  message?: string;
  retryAfterSeconds?: number;
}

/** Any answer: a reply, an HTTP error, or `hang` (accept the request and never answer, until close). */
export type FakeChatAnswer = FakeChatReply | FakeChatStatus | 'hang';

/** The request body fields tests look at; everything else is kept as sent. */
export interface ChatRequestBody {
  model?: string;
  messages?: Array<{ role: string; content?: unknown }>;
  tools?: Array<{ type: string; function?: { name: string; description?: string; parameters?: unknown } }>;
  tool_choice?: unknown;
  stream?: boolean;
  [key: string]: unknown;
}

/** One recorded `POST /v1/chat/completions`. */
export interface RecordedChatRequest {
  /** 0-based order of arrival. */
  index: number;
  headers: IncomingMessage['headers'];
  body: ChatRequestBody;
}

export interface FakeChatOptions {
  /** The model: answers each request (after it is recorded). */
  reply: (request: RecordedChatRequest) => FakeChatAnswer | Promise<FakeChatAnswer>;
}

export interface FakeChatCompletions {
  /** `http://127.0.0.1:<port>/v1`: the `baseURL` of the npm `OpenAI` client. */
  readonly baseUrl: string;
  /** Every chat completions request, in order. */
  readonly requests: RecordedChatRequest[];
  close(): Promise<void>;
}

/** The names of the function tools `request` offered. */
export function offeredTools(request: RecordedChatRequest): string[] {
  return (request.body.tools ?? []).flatMap((t) => (t.type === 'function' && t.function ? [t.function.name] : []));
}

/** The `role: "tool"` messages of `request` (the caller's tool results), in order. */
export function toolMessages(request: RecordedChatRequest): Array<{ tool_call_id: string; content: string }> {
  return (request.body.messages ?? []).flatMap((m) => {
    const t = m as { role: string; tool_call_id?: unknown; content?: unknown };
    return t.role === 'tool' ? [{ tool_call_id: String(t.tool_call_id), content: typeof t.content === 'string' ? t.content : JSON.stringify(t.content) }] : [];
  });
}

/**
 * A `reply` that answers request i with `answers[i]` (a value or a function of the request); once
 * they are used up it answers HTTP 400 naming the request, so a missing turn fails the caller at once.
 */
export function chatScript(...answers: Array<FakeChatAnswer | ((request: RecordedChatRequest) => FakeChatAnswer)>): FakeChatOptions['reply'] {
  let next = 0;
  return (request) => {
    const a = answers[next++];
    if (a === undefined) return { status: 400, message: `fake Chat Completions: no scripted answer left for request #${request.index}` };
    return typeof a === 'function' ? a(request) : a;
  };
}

function sendError(res: ServerResponse, status: number, message: string, type = 'invalid_request_error', retryAfterSeconds?: number): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}) });
  res.end(JSON.stringify({ error: { message, type, param: null, code: null } }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the fake on a free loopback port. */
export async function startFakeChatCompletions(options: FakeChatOptions): Promise<FakeChatCompletions> {
  const requests: RecordedChatRequest[] = [];
  const hanging = new Set<ServerResponse>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/chat/completions') {
      sendError(res, 404, `fake Chat Completions: only POST /v1/chat/completions exists (got ${req.method} ${req.url})`);
      return;
    }
    // As OpenAI: no key, no answer. The npm client sends the key it was given as a bearer token.
    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) {
      sendError(res, 401, 'You did not provide an API key.', 'invalid_request_error');
      return;
    }
    let body: ChatRequestBody;
    try {
      body = JSON.parse(await readBody(req)) as ChatRequestBody;
    } catch {
      sendError(res, 400, 'fake Chat Completions: the body is not JSON');
      return;
    }
    const request: RecordedChatRequest = { index: requests.length, headers: req.headers, body };
    requests.push(request);
    const answer = await options.reply(request);
    if (answer === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if ('status' in answer) {
      sendError(res, answer.status, answer.message ?? `fake Chat Completions: scripted HTTP ${answer.status}`, answer.status === 429 ? 'rate_limit_exceeded' : answer.status >= 500 ? 'server_error' : 'invalid_request_error', answer.retryAfterSeconds);
      return;
    }
    const reply = answer;
    const offered = offeredTools(request);
    const unoffered = (reply.toolCalls ?? []).filter((c) => !c.invented && !offered.includes(c.name));
    if (unoffered.length) {
      sendError(res, 400, `fake Chat Completions: the scripted model calls ${unoffered.map((c) => c.name).join(', ')}, which the request did not offer (offered: ${offered.join(', ') || 'none'})`);
      return;
    }
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? 'gpt-4';
    const toolCalls = (reply.toolCalls ?? []).map((c, i) => ({ index: i, id: `call_${randomUUID().slice(0, 12)}`, type: 'function' as const, function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments) } }));
    const finishReason = toolCalls.length ? 'tool_calls' : 'stop';
    const completionTokens = Math.ceil((reply.content ?? '').length / 4) + toolCalls.length * 20;
    const u = reply.usage ?? { prompt_tokens: 100, completion_tokens: completionTokens };
    const usage = { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.prompt_tokens + u.completion_tokens, ...(u.cached_tokens !== undefined ? { prompt_tokens_details: { cached_tokens: u.cached_tokens } } : {}) };

    if (body.stream) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`);
      chunk({ role: 'assistant', content: '' }, null);
      // Word by word, as a model streams tokens (each piece keeps its trailing space).
      for (const piece of (reply.content ?? '').match(/\S+\s*/g) ?? []) {
        if (reply.wordDelayMs) await new Promise((r) => setTimeout(r, reply.wordDelayMs));
        chunk({ content: piece }, null);
      }
      if (reply.refusal) chunk({ refusal: reply.refusal }, null);
      if (toolCalls.length) chunk({ tool_calls: toolCalls }, null);
      chunk({}, finishReason);
      // With stream_options.include_usage, one last chunk with no choices carries the usage.
      const options = body.stream_options as { include_usage?: boolean } | undefined;
      if (options?.include_usage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    const message = { role: 'assistant', content: reply.content, refusal: reply.refusal ?? null, ...(toolCalls.length ? { tool_calls: toolCalls.map(({ index: _index, ...call }) => call) } : {}) };
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        usage,
      }),
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, `fake Chat Completions failed: ${String(err)}`, 'server_error');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
