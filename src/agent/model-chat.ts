/**
 * A conversation over Chat Completions (`POST /chat/completions`, OpenAI API reference): the whole
 * message list is sent each turn (system, user, assistant with `tool_calls`, `tool` results).
 * Streaming reads `chat.completion.chunk`s: content and refusal deltas, tool calls assembled by
 * `index`, and usage from the last chunk (`stream_options.include_usage`).
 */
import type OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ModelSession, ModelSessionOptions, ModelToolCall, ModelTurn, ModelUsage, TurnOptions } from './model';

export class ChatSession implements ModelSession {
  private readonly messages: ChatCompletionMessageParam[];
  private readonly tools: ChatCompletionTool[];

  constructor(private readonly options: ModelSessionOptions) {
    this.messages = [
      { role: 'system', content: options.instructions },
      { role: 'user', content: options.prompt },
    ];
    this.tools = options.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  }

  async next({ signal, onDelta }: TurnOptions): Promise<ModelTurn> {
    const base = { model: this.options.model, messages: this.messages, ...(this.tools.length ? { tools: this.tools } : {}) };
    const turn = this.options.stream ? await this.streamed(base, signal, onDelta) : await this.whole(base, signal);
    this.messages.push({
      role: 'assistant',
      content: turn.text || null,
      ...(turn.refusal ? { refusal: turn.refusal } : {}),
      ...(turn.toolCalls.length ? { tool_calls: turn.toolCalls.map((c) => ({ id: c.callId, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })) } : {}),
    });
    return turn;
  }

  addToolResult(callId: string, output: string): void {
    this.messages.push({ role: 'tool', tool_call_id: callId, content: output });
  }

  private async whole(body: OpenAI.ChatCompletionCreateParamsNonStreaming, signal: AbortSignal): Promise<ModelTurn> {
    const res = await this.options.client.chat.completions.create(body, { signal });
    const message = res.choices[0]?.message;
    const toolCalls: ModelToolCall[] = (message?.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [{ callId: c.id, name: c.function.name, arguments: c.function.arguments }] : []));
    return { text: message?.content ?? '', ...(message?.refusal ? { refusal: message.refusal } : {}), toolCalls, ...usageOf(res.usage) };
  }

  private async streamed(body: OpenAI.ChatCompletionCreateParamsNonStreaming, signal: AbortSignal, onDelta: ((d: string) => void) | undefined): Promise<ModelTurn> {
    const stream = await this.options.client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal });
    let text = '';
    let refusal = '';
    let usage: OpenAI.CompletionUsage | undefined;
    const calls = new Map<number, ModelToolCall>();
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      const delta = chunk.choices[0]?.delta;
      if (!delta) continue;
      if (delta.content) {
        text += delta.content;
        onDelta?.(delta.content);
      }
      if (delta.refusal) refusal += delta.refusal;
      for (const c of delta.tool_calls ?? []) {
        const call = calls.get(c.index) ?? { callId: '', name: '', arguments: '' };
        if (c.id) call.callId = c.id;
        if (c.function?.name) call.name += c.function.name;
        if (c.function?.arguments) call.arguments += c.function.arguments;
        calls.set(c.index, call);
      }
    }
    const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([i, c]) => ({ ...c, callId: c.callId || `call_${i}` }));
    return { text, ...(refusal ? { refusal } : {}), toolCalls, ...usageOf(usage) };
  }
}

function usageOf(u: OpenAI.CompletionUsage | undefined | null): { usage?: ModelUsage } {
  if (!u) return {};
  return { usage: { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens, cachedInputTokens: u.prompt_tokens_details?.cached_tokens ?? 0 } };
}
