/**
 * Asks an OpenAI-compatible Chat Completions API for tasks with Structured Outputs
 * (`response_format: {type: "json_schema", json_schema: {strict: true, ...}}`, OpenAI API reference
 * "Create chat completion") through the npm `openai` client, and turns every way that can fail into
 * a {@link ModelCallError} naming the cause and what to set (HTTP and network failures explained
 * by src/agent/model-errors, as for the agent runner).
 */
import OpenAI from 'openai';
import { explainModelError, OPENAI_BASE_URL, type ModelErrorKind } from '../agent/model-errors';
import { cliOptionNames, type OptionNames } from '../agent/option-names';
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
    readonly kind: Exclude<ModelErrorKind, 'aborted' | 'other'> | 'refused' | 'truncated' | 'empty',
    message: string,
  ) {
    super(message);
    this.name = 'ModelCallError';
  }
}

export const DEFAULT_BASE_URL = OPENAI_BASE_URL;

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

/**
 * The generator's names for the options: its `--timeout-seconds` bounds the whole call, and it has
 * no `--api` (always Chat Completions).
 */
function generatorNames(apiKeyEnv: string): OptionNames {
  const { api: _api, ...names } = cliOptionNames(apiKeyEnv);
  return { ...names, requestTimeout: '--timeout-seconds' };
}

/** A ModelCallError saying nothing was posted, with the generator's own hint for a rejected request; other errors as they are. */
function explain(err: unknown, c: { baseUrl: string; model: string; apiKeyEnv: string; seconds: number; timedOut: boolean }): Error {
  const e = explainModelError(err, { baseUrl: c.baseUrl, model: c.model, requestTimeoutSeconds: c.seconds, timedOut: c.timedOut }, generatorNames(c.apiKeyEnv));
  if (e.kind === 'other') return err instanceof Error ? err : new Error(String(err));
  // Structured Outputs is what this request adds to a plain chat call, so a 400 most likely means the model lacks it.
  const fix = e.kind === 'bad_request' ? `Check that --model (${c.model}) supports Structured Outputs (response_format json_schema).` : e.fix;
  return new ModelCallError(e.kind === 'aborted' ? 'timeout' : e.kind, `${e.cause}; nothing was posted.${fix ? ` ${fix}` : ''}`);
}
