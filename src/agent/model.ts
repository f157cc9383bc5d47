/**
 * One conversation with an OpenAI-compatible model, whichever API carries it (./model-chat for
 * Chat Completions, ./model-responses for the Responses API), and the messages for its failures,
 * from the `openai` SDK's own error classes.
 */
import OpenAI from 'openai';
import type { AgentTool } from './tool-set';

/** A function call the model asked for; `arguments` is the raw JSON text it sent. */
export interface ModelToolCall {
  callId: string;
  name: string;
  arguments: string;
}

/** Token counts of one turn (OpenAI `usage`; `inputTokens` includes `cachedInputTokens`). */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

export interface ModelTurn {
  text: string;
  /** The model's refusal text (Chat `message.refusal`, Responses `refusal` content), if it declined. */
  refusal?: string;
  toolCalls: ModelToolCall[];
  /** Absent when the server reported none. */
  usage?: ModelUsage;
}

export interface TurnOptions {
  signal: AbortSignal;
  /** Streaming only: each piece of text as it arrives. */
  onDelta?: (delta: string) => void;
}

/** A conversation: the runner asks for a turn, then answers each of its tool calls before the next. */
export interface ModelSession {
  /**
   * Sends the conversation so far and returns the model's complete turn, which joins the conversation.
   * @throws the `openai` SDK's errors (APIError subclasses, APIConnectionError, APIUserAbortError); see {@link explainModelError}
   */
  next(options: TurnOptions): Promise<ModelTurn>;
  /** The output of one of the last turn's tool calls, for the next request. */
  addToolResult(callId: string, output: string): void;
}

export interface ModelSessionOptions {
  client: OpenAI;
  model: string;
  stream: boolean;
  /** System / developer instructions. */
  instructions: string;
  /** The task, as the first user message. */
  prompt: string;
  tools: readonly AgentTool[];
}

/** What a failure message names: where the model is and which settings change it. */
export interface ModelErrorContext {
  baseUrl: string;
  model: string;
  apiKeyEnv: string;
  requestTimeoutSeconds: number;
  maxRetries: number;
}

/** A message naming the cause of a model request failure and what to set. */
export function explainModelError(err: unknown, ctx: ModelErrorContext): string {
  const tries = ctx.maxRetries > 0 ? ` (after ${ctx.maxRetries} retr${ctx.maxRetries === 1 ? 'y' : 'ies'})` : '';
  const said = (e: { message: string }) => (e.message ? `: ${e.message.replace(/^\d{3}\s+/, '')}` : '');
  if (err instanceof OpenAI.APIUserAbortError) return 'The model request was stopped.';
  if (err instanceof OpenAI.APIConnectionTimeoutError) return `The model at ${ctx.baseUrl} did not answer within ${ctx.requestTimeoutSeconds} s${tries}. Raise --request-timeout-seconds, or check that the server at --base-url is a working OpenAI-compatible API.`;
  if (err instanceof OpenAI.APIConnectionError) {
    const cause = causeOf(err);
    return `Cannot reach the model at ${ctx.baseUrl}${cause}${tries}. Check --base-url (e.g. https://api.openai.com/v1) and that the server is running.`;
  }
  if (err instanceof OpenAI.AuthenticationError) return `The model server at ${ctx.baseUrl} refused the API key from ${ctx.apiKeyEnv} (HTTP 401)${said(err)}. Set ${ctx.apiKeyEnv} to a valid key, or name another variable with --api-key-env.`;
  if (err instanceof OpenAI.PermissionDeniedError) return `The model server at ${ctx.baseUrl} denied access (HTTP 403)${said(err)}. Check the key in ${ctx.apiKeyEnv} and its access to model ${ctx.model}.`;
  if (err instanceof OpenAI.NotFoundError) return `The model server at ${ctx.baseUrl} answered HTTP 404${said(err)}. Check --model (${ctx.model}), --api (the server may not offer this API) and --base-url (it usually ends in /v1).`;
  if (err instanceof OpenAI.RateLimitError) return `The model server at ${ctx.baseUrl} is rate limiting (HTTP 429)${tries}${said(err)}. Wait and run again, lower the pace, or raise the quota of the key in ${ctx.apiKeyEnv}.`;
  if (err instanceof OpenAI.InternalServerError) return `The model server at ${ctx.baseUrl} failed (HTTP ${err.status})${tries}${said(err)}. Try again later.`;
  if (err instanceof OpenAI.APIError) return `The model server at ${ctx.baseUrl} refused the request (HTTP ${err.status ?? '?'})${said(err)}.`;
  return `The model request failed: ${err instanceof Error ? err.message : String(err)}`;
}

/** The instructions every run starts with (the task itself is the first user message). */
export function defaultInstructions(agentId: string): string {
  return (
    `You are ${agentId}, an agent whose every step is governed: a governance server checks your work before each turn, ` +
    'and tools that change things may need a person\'s approval (a denied call comes back as an error; do not retry it unchanged). ' +
    'Use the tools you are given, then answer with the result in plain text.'
  );
}

/** The innermost cause's code (`ECONNREFUSED`, `ENOTFOUND`) or message, as ` (...)`; '' when there is none. */
function causeOf(err: Error): string {
  let e: unknown = err.cause;
  let last: Error | undefined;
  for (let i = 0; i < 5 && e instanceof Error; i++) {
    last = e;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return ` (${code})`;
    e = e.cause;
  }
  return last ? ` (${last.message})` : '';
}
