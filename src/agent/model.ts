/**
 * One conversation with an OpenAI-compatible model, whichever API carries it (./model-chat for
 * Chat Completions, ./model-responses for the Responses API). Its failures are explained by
 * ./model-errors.
 */
import type OpenAI from 'openai';
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
   * @throws the `openai` SDK's errors (APIError subclasses, APIConnectionError, APIUserAbortError); explained by ./model-errors
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

/** The instructions every run starts with (the task itself is the first user message). */
export function defaultInstructions(agentId: string): string {
  return (
    `You are ${agentId}, an agent whose every step is governed: a governance server checks your work before each turn, ` +
    'and tools that change things may need a person\'s approval (a denied call comes back as an error; do not retry it unchanged). ' +
    'Use the tools you are given, then answer with the result in plain text.'
  );
}
