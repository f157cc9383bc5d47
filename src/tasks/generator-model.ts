/**
 * Asks an OpenAI-compatible Chat Completions API for tasks with Structured Outputs
 * (`response_format: {type: "json_schema", json_schema: {strict: true, ...}}`, OpenAI API reference
 * "Create chat completion") through the npm `openai` client, and turns every way that can fail into
 * a {@link ModelCallError} naming the cause and what to set.
 */
import OpenAI from 'openai';
import { buildTaskPrompt, parseGeneratedReply, taskResponseFormat, type GeneratedTask, type PromptOptions } from './generator';

export interface ModelCallOptions extends PromptOptions {
  apiKey: string;
  /** Where the key came from (`OPENAI_API_KEY`), for messages; the key itself is never printed. */
  apiKeyEnv: string;
  /** Base URL of the API (`https://api.openai.com/v1` when undefined). */
  baseUrl?: string;
  model: string;
  /** Deadline of the whole call, retries included, in ms. */
  timeoutMs: number;
}

export interface ModelReply {
  tasks: GeneratedTask[];
  /** The model that answered (as the server reports it). */
  model: string;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
}

/** Why the model gave no usable tasks: `kind` is a stable word for scripts and tests. */
export class ModelCallError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'timeout' | 'auth' | 'not_found' | 'bad_request' | 'rate_limited' | 'server_error' | 'refused' | 'truncated' | 'empty',
    message: string,
  ) {
    super(message);
    this.name = 'ModelCallError';
  }
}

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * One Chat Completions request for `count` tasks, validated with the same schema it sent.
 * @throws ModelCallError (no answer, refused, cut off, HTTP error); GeneratedReplyError (a reply
 *   that is not JSON or breaks the schema, naming the field)
 */
export async function requestGeneratedTasks(o: ModelCallOptions): Promise<ModelReply> {
  const baseUrl = o.baseUrl ?? DEFAULT_BASE_URL;
  // Retries (the client's default 2, for 408/409/429/5xx and dropped connections) stay within one deadline.
  const client = new OpenAI({ apiKey: o.apiKey, baseURL: baseUrl, timeout: o.timeoutMs, maxRetries: 2 });
  const deadline = AbortSignal.timeout(o.timeoutMs);
  const seconds = Math.round(o.timeoutMs / 100) / 10;
  let completion: OpenAI.Chat.Completions.ChatCompletion;
  try {
    completion = await client.chat.completions.create(
      { model: o.model, messages: buildTaskPrompt(o), response_format: taskResponseFormat(o.count) },
      { signal: deadline },
    );
  } catch (err) {
    throw explain(err, { baseUrl, model: o.model, apiKeyEnv: o.apiKeyEnv, seconds, timedOut: deadline.aborted });
  }
  const choice = completion.choices[0];
  if (!choice) throw new ModelCallError('empty', `The model at ${baseUrl} answered without a choice; nothing was posted.`);
  const message = choice.message;
  if (message.refusal) throw new ModelCallError('refused', `The model refused: ${JSON.stringify(message.refusal)}. Nothing was posted; rephrase --prompt or --topic.`);
  if (choice.finish_reason === 'length') throw new ModelCallError('truncated', `The model's reply was cut off at its token limit (finish_reason length); nothing was posted. Ask for fewer tasks with --count.`);
  if (choice.finish_reason === 'content_filter') throw new ModelCallError('refused', 'The model stopped on its content filter; nothing was posted. Rephrase --prompt or --topic.');
  if (!message.content) throw new ModelCallError('empty', `The model at ${baseUrl} answered with no content (finish_reason ${choice.finish_reason}); nothing was posted.`);
  const usage = completion.usage ? { prompt_tokens: completion.usage.prompt_tokens, completion_tokens: completion.usage.completion_tokens } : null;
  return { tasks: parseGeneratedReply(message.content, o.count), model: completion.model, usage };
}

function explain(err: unknown, c: { baseUrl: string; model: string; apiKeyEnv: string; seconds: number; timedOut: boolean }): Error {
  const endpoint = `${c.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  if (c.timedOut || err instanceof OpenAI.APIConnectionTimeoutError || err instanceof OpenAI.APIUserAbortError) {
    return new ModelCallError('timeout', `The model at ${c.baseUrl} did not answer within ${c.seconds} s; nothing was posted. Raise --timeout-seconds, or check --base-url.`);
  }
  if (err instanceof OpenAI.APIConnectionError) {
    const why = systemCode(err) ?? err.message;
    return new ModelCallError('unreachable', `Cannot reach the model at ${c.baseUrl} (${why}); nothing was posted. Check --base-url (or OPENAI_BASE_URL) and your network.`);
  }
  if (err instanceof OpenAI.AuthenticationError || err instanceof OpenAI.PermissionDeniedError) {
    return new ModelCallError('auth', `The model server refused the API key from ${c.apiKeyEnv} (HTTP ${err.status}: ${err.message}); nothing was posted. Set a valid key in ${c.apiKeyEnv}, or name another variable with --api-key-env.`);
  }
  if (err instanceof OpenAI.NotFoundError) {
    return new ModelCallError('not_found', `${endpoint} answered 404 (${err.message}); nothing was posted. --base-url must be an OpenAI-compatible API root (e.g. ${DEFAULT_BASE_URL}), and --model (${c.model}) a model it serves.`);
  }
  if (err instanceof OpenAI.RateLimitError) return new ModelCallError('rate_limited', `The model server is rate limiting or out of quota (HTTP 429: ${err.message}); nothing was posted. Try again later.`);
  if (err instanceof OpenAI.BadRequestError || err instanceof OpenAI.UnprocessableEntityError) {
    return new ModelCallError('bad_request', `The model server rejected the request (HTTP ${err.status}: ${err.message}); nothing was posted. Check that --model (${c.model}) supports Structured Outputs (response_format json_schema).`);
  }
  if (err instanceof OpenAI.APIError) return new ModelCallError('server_error', `The model server failed (HTTP ${err.status ?? '?'}: ${err.message}); nothing was posted.`);
  return err instanceof Error ? err : new Error(String(err));
}

/** The first `code` (ECONNREFUSED, ENOTFOUND, ...) down an error's cause chain: fetch wraps the socket's error. */
function systemCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}
