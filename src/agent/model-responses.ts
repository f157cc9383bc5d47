/**
 * A conversation over the Responses API (`POST /responses`, OpenAI API reference), stateless
 * (`store: false`): each request carries the whole input list, the model's earlier output items
 * replayed by value (`function_call` items and assistant messages) followed by
 * `function_call_output` items, so any compatible server works without stored responses.
 * Tools use the flat function shape `{type: "function", name, description, parameters, strict}`.
 * Streaming reads `response.output_text.delta`, `response.refusal.delta`,
 * `response.output_item.done` and `response.completed` (or `response.failed` / `error`).
 */
import type OpenAI from 'openai';
import type { FunctionTool, Response, ResponseInputItem, ResponseOutputItem } from 'openai/resources/responses/responses';
import type { ModelSession, ModelSessionOptions, ModelToolCall, ModelTurn, TurnOptions } from './model';

/** The model answered with `status: failed` or an `error` event: the server's own message. */
export class ResponseFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResponseFailedError';
  }
}

export class ResponsesSession implements ModelSession {
  private readonly input: ResponseInputItem[];
  private readonly tools: FunctionTool[];

  constructor(private readonly options: ModelSessionOptions) {
    this.input = [{ role: 'user', content: options.prompt }];
    this.tools = options.tools.map((t) => ({ type: 'function', name: t.name, description: t.description, parameters: t.parameters, strict: false }));
  }

  async next({ signal, onDelta }: TurnOptions): Promise<ModelTurn> {
    const body = { model: this.options.model, instructions: this.options.instructions, input: this.input, store: false, ...(this.tools.length ? { tools: this.tools } : {}) };
    const { output, usage, streamedText } = this.options.stream ? await this.streamed(body, signal, onDelta) : await this.whole(body, signal);
    const turn = turnOf(output, usage);
    if (this.options.stream && turn.text && !streamedText) onDelta?.(turn.text);
    for (const item of output) {
      if (item.type === 'function_call') this.input.push({ type: 'function_call', call_id: item.call_id, name: item.name, arguments: item.arguments });
      else if (item.type === 'message') {
        const text = messageText(item).text;
        if (text) this.input.push({ role: 'assistant', content: text });
      }
    }
    return turn;
  }

  addToolResult(callId: string, output: string): void {
    this.input.push({ type: 'function_call_output', call_id: callId, output });
  }

  private async whole(body: OpenAI.Responses.ResponseCreateParamsNonStreaming, signal: AbortSignal): Promise<{ output: ResponseOutputItem[]; usage: Response['usage']; streamedText: boolean }> {
    const res = await this.options.client.responses.create(body, { signal });
    if (res.status === 'failed') throw new ResponseFailedError(res.error?.message ?? 'the response failed');
    return { output: res.output, usage: res.usage, streamedText: false };
  }

  private async streamed(body: OpenAI.Responses.ResponseCreateParamsNonStreaming, signal: AbortSignal, onDelta: ((d: string) => void) | undefined): Promise<{ output: ResponseOutputItem[]; usage: Response['usage']; streamedText: boolean }> {
    const stream = await this.options.client.responses.create({ ...body, stream: true }, { signal });
    const done: ResponseOutputItem[] = [];
    let completed: Response | undefined;
    let streamedText = false;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') {
        streamedText = true;
        onDelta?.(event.delta);
      } else if (event.type === 'response.output_item.done') done.push(event.item);
      else if (event.type === 'response.completed' || event.type === 'response.incomplete') completed = event.response;
      else if (event.type === 'response.failed') throw new ResponseFailedError(event.response.error?.message ?? 'the response failed');
      else if (event.type === 'error') throw new ResponseFailedError(event.message);
    }
    if (!completed) throw new ResponseFailedError('the event stream ended before response.completed');
    return { output: completed.output.length ? completed.output : done, usage: completed.usage, streamedText };
  }
}

function messageText(item: Extract<ResponseOutputItem, { type: 'message' }>): { text: string; refusal: string } {
  let text = '';
  let refusal = '';
  for (const part of item.content) {
    if (part.type === 'output_text') text += part.text;
    else if (part.type === 'refusal') refusal += part.refusal;
  }
  return { text, refusal };
}

function turnOf(output: ResponseOutputItem[], usage: Response['usage']): ModelTurn {
  let text = '';
  let refusal = '';
  const toolCalls: ModelToolCall[] = [];
  for (const item of output) {
    if (item.type === 'message') {
      const m = messageText(item);
      text += m.text;
      refusal += m.refusal;
    } else if (item.type === 'function_call') toolCalls.push({ callId: item.call_id, name: item.name, arguments: item.arguments });
  }
  return {
    text,
    ...(refusal ? { refusal } : {}),
    toolCalls,
    ...(usage ? { usage: { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, cachedInputTokens: usage.input_tokens_details?.cached_tokens ?? 0 } } : {}),
  };
}
