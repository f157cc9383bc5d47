/**
 * What a failed request to an OpenAI-compatible model means and what to change, from the `openai`
 * SDK's error classes (APIConnectionTimeoutError, APIConnectionError, AuthenticationError, ...,
 * node_modules/openai/core/error). Shared by the agent runner (./runner) and the task generator
 * (src/tasks/generator-model.ts), each naming its options through {@link OptionNames}.
 */
import OpenAI from 'openai';
import type { AgentApi } from './events';
import { CLI_OPTION_NAMES, type OptionNames } from './option-names';

/** The base URL most examples use. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** A stable word for the cause, for scripts, tests and exit codes. */
export type ModelErrorKind = 'aborted' | 'timeout' | 'unreachable' | 'auth' | 'not_found' | 'rate_limited' | 'bad_request' | 'server_error' | 'other';

/** What a failure message names: where the model is and how it was asked. */
export interface ModelErrorContext {
  baseUrl: string;
  model: string;
  /** The deadline the request had, s (one request for the runner; the whole call for the generator). */
  requestTimeoutSeconds: number;
  /** Retries the SDK made before giving up (0..5); absent: not said. */
  maxRetries?: number;
  /** Which endpoint was asked (404s name it); absent: Chat Completions. */
  api?: AgentApi;
  /** The caller's own deadline aborted the request: a timeout, not a stop. */
  timedOut?: boolean;
}

export interface ExplainedModelError {
  kind: ModelErrorKind;
  /** What happened, one sentence without its final period. */
  cause: string;
  /** What to change, whole sentences; '' when there is nothing to change. */
  fix: string;
  /** `cause` and `fix` as one message. */
  message: string;
}

/** The cause and the fix for a model request that threw `err`. Never throws. */
export function explainModelError(err: unknown, ctx: ModelErrorContext, names: OptionNames = CLI_OPTION_NAMES): ExplainedModelError {
  const tries = ctx.maxRetries ? ` (after ${ctx.maxRetries} retr${ctx.maxRetries === 1 ? 'y' : 'ies'})` : '';
  const at = `The model server at ${ctx.baseUrl}`;
  const out = (kind: ModelErrorKind, cause: string, fix = ''): ExplainedModelError => ({ kind, cause, fix, message: fix ? `${cause}. ${fix}` : `${cause}.` });
  if (ctx.timedOut || err instanceof OpenAI.APIConnectionTimeoutError) {
    return out('timeout', `The model at ${ctx.baseUrl} did not answer within ${ctx.requestTimeoutSeconds} s${tries}`, `Raise ${names.requestTimeout}, or check that the server at ${names.baseUrl} is a working OpenAI-compatible API.`);
  }
  if (err instanceof OpenAI.APIUserAbortError) return out('aborted', 'The model request was stopped');
  if (err instanceof OpenAI.APIConnectionError) {
    return out('unreachable', `Cannot reach the model at ${ctx.baseUrl}${causeOf(err)}${tries}`, `Check ${names.baseUrl} (e.g. ${OPENAI_BASE_URL}) and that the server is running.`);
  }
  if (err instanceof OpenAI.AuthenticationError) return out('auth', `${at} refused the API key from ${names.apiKeySource} (${http(err)})`, names.setApiKey);
  if (err instanceof OpenAI.PermissionDeniedError) return out('auth', `${at} denied access (${http(err)})`, `Check the key in ${names.apiKeySource} and its access to model ${ctx.model}.`);
  if (err instanceof OpenAI.NotFoundError) {
    const endpoint = `${ctx.baseUrl.replace(/\/+$/, '')}/${ctx.api === 'responses' ? 'responses' : 'chat/completions'}`;
    const api = names.api ? ` and that ${names.api} is an API it offers` : '';
    return out('not_found', `${endpoint} answered (${http(err)})`, `Check that ${names.baseUrl} is an OpenAI-compatible API root (e.g. ${OPENAI_BASE_URL}), that ${names.model} (${ctx.model}) is a model it serves${api}.`);
  }
  if (err instanceof OpenAI.RateLimitError) return out('rate_limited', `${at} is rate limiting or out of quota (${http(err)})${tries}`, `Wait and run again, or raise the quota of the key in ${names.apiKeySource}.`);
  if (err instanceof OpenAI.BadRequestError || err instanceof OpenAI.UnprocessableEntityError) return out('bad_request', `${at} rejected the request (${http(err)})`);
  if (err instanceof OpenAI.InternalServerError) return out('server_error', `${at} failed (${http(err)})${tries}`, 'Try again later.');
  if (err instanceof OpenAI.APIError) return out('server_error', `${at} refused the request (${http(err)})`);
  return out('other', `The model request failed: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * `HTTP 401: Incorrect API key provided`: the SDK's message starts with the status (`401 ...`,
 * `makeMessage` in openai/core/error), said once here.
 */
function http(err: { status: number | undefined; message: string }): string {
  const said = err.message.replace(/^\d{3}\s+/, '').replace(/^status code \(no body\)$/, '');
  return `HTTP ${err.status ?? '?'}${said ? `: ${said}` : ''}`;
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
