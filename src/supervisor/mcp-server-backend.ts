/**
 * Backend for Codex <= 0.153.x: `codex mcp-server` (MCP over stdio) driven by the SDK `Client`.
 * Wire details observed with 0.153.4 (see the project's Codex notes):
 * - tools `codex` / `codex-reply` return `structuredContent: {threadId, content}`; errors are
 *   `isError` results;
 * - progress arrives as `codex/event` notifications `{_meta:{requestId, threadId}, msg:{type,...}}`;
 * - approvals arrive as `elicitation/create` with extra `codex_*` fields (the SDK's stock schema
 *   strips them, so a passthrough schema is registered) and are answered with a top-level
 *   `decision` Codex reads;
 * - `notifications/cancelled` makes Codex emit `turn_aborted` but never answer the call, and a
 *   running command keeps running, so the supervisor kills the child after a cancel it cannot verify.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { askBrokerless, describeCommand, ProcessBackedChild } from './backend-util';
import { mcpServerDecision } from './approval-wire';
import {
  abortReasonOf,
  clip,
  EVENT_OUTPUT_LIMIT,
  fullText,
  settlesWithin,
  TurnInterruptedError,
  TurnNeverStartedError,
  type ChildHooks,
  type CodexChild,
  type CodexEvent,
  type FileChange,
  type StreamKind,
  type StartChildOptions,
  type ThreadSettings,
  type TokenUsage,
  type TurnOutcome,
} from './backend';
import { spawnGroup, type ChildHandle } from './process';
import type * as StdioTransport from './stdio-transport';

const CodexEventSchema = z.object({ method: z.literal('codex/event'), params: z.looseObject({}) });
const ElicitationSchema = z.object({ method: z.literal('elicitation/create'), params: z.looseObject({}) });

// The SDK's per-request timeout; our own deadline (via the abort signal) is what ends calls.
const NO_SDK_TIMEOUT = 2_147_483_647;

/** A text field of a Codex event or elicitation (a string in Codex's protocol); '' when absent. */
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

// Event types worth a transcript line; deltas and raw items would flood it.
const TRANSCRIPT_TYPES = new Set([
  'session_configured',
  'task_started',
  'agent_message',
  'exec_approval_request',
  'apply_patch_approval_request',
  'exec_command_begin',
  'exec_command_end',
  'patch_apply_begin',
  'patch_apply_end',
  'mcp_tool_call_begin',
  'mcp_tool_call_end',
  'stream_error',
  'error',
  'warning',
  'task_complete',
  'turn_aborted',
]);

function summarize(msg: Record<string, unknown>): string {
  const type = String(msg.type);
  switch (type) {
    case 'agent_message':
      return clip(text(msg.message));
    case 'exec_command_begin':
    case 'exec_approval_request':
      return clip(describeCommand(msg.command) ?? '');
    case 'exec_command_end':
      return `exit ${String(msg.exit_code)}`;
    case 'error':
    case 'stream_error':
    case 'warning':
      return clip(text(msg.message));
    case 'session_configured':
      return clip(`model ${String(msg.model)}, cwd ${String(msg.cwd)}`);
    case 'patch_apply_begin':
      return clip(Object.keys(changesOf(msg)).join(', '));
    case 'patch_apply_end':
      return msg.success === false ? 'failed' : 'applied';
    default:
      return '';
  }
}

const changesOf = (msg: Record<string, unknown>): Record<string, unknown> => (msg.changes && typeof msg.changes === 'object' ? (msg.changes as Record<string, unknown>) : {});

/**
 * What a reader needs beyond the summary: the whole answer, a command's run and output, a patch's
 * files and diffs (field names of Codex 0.153.4's `EventMsg`: `ExecCommandEndEvent`,
 * `PatchApplyBeginEvent` with `changes: {path: {add: {content}} | {delete: {}} | {update: {unified_diff}}}`).
 */
function details(msg: Record<string, unknown>): Partial<CodexEvent> {
  switch (msg.type) {
    case 'agent_message':
      return { text: fullText(text(msg.message)) };
    case 'exec_command_begin':
      return { command: { command: describeCommand(msg.command) ?? '', ...(typeof msg.cwd === 'string' ? { cwd: msg.cwd } : {}) } };
    case 'exec_command_end': {
      const output = text(msg.aggregated_output) || `${text(msg.stdout)}${text(msg.stderr)}`;
      const duration = msg.duration as { secs?: number; nanos?: number } | undefined;
      return {
        command: {
          command: describeCommand(msg.command) ?? '',
          exitCode: typeof msg.exit_code === 'number' ? msg.exit_code : null,
          ...(typeof duration?.secs === 'number' ? { durationMs: Math.round(duration.secs * 1000 + (duration.nanos ?? 0) / 1e6) } : {}),
          ...(output ? { output: fullText(output, EVENT_OUTPUT_LIMIT, 'end') } : {}),
        },
      };
    }
    case 'patch_apply_begin': {
      const changes: FileChange[] = Object.entries(changesOf(msg)).map(([path, c]) => {
        const change = (c ?? {}) as { add?: { content?: string }; delete?: unknown; update?: { unified_diff?: string } };
        if (change.add) return { path, kind: 'add', diff: fullText((change.add.content ?? '').replace(/^/gm, '+')) };
        if (change.delete) return { path, kind: 'delete', diff: '' };
        return { path, kind: 'update', diff: fullText(change.update?.unified_diff ?? '') };
      });
      return { changes };
    }
    default:
      return {};
  }
}

// Streamed text: the event type, the stream it feeds.
const DELTA_KINDS: Record<string, StreamKind> = {
  agent_message_content_delta: 'agent',
  agent_message_delta: 'agent',
  reasoning_content_delta: 'reasoning',
  agent_reasoning_delta: 'reasoning',
  exec_command_output_delta: 'output',
};

/** A delta's text: `delta`, or an output `chunk` (base64 bytes, Codex's `ByteBuf`). */
function deltaText(msg: Record<string, unknown>): string {
  if (typeof msg.delta === 'string') return msg.delta;
  if (typeof msg.chunk === 'string') return Buffer.from(msg.chunk, 'base64').toString('utf8');
  if (Array.isArray(msg.chunk)) return Buffer.from(msg.chunk as number[]).toString('utf8');
  return '';
}

function usageFrom(msg: Record<string, unknown>): TokenUsage | undefined {
  const info = msg.info as { last_token_usage?: Record<string, unknown> } | null | undefined;
  const last = info?.last_token_usage;
  if (!last) return undefined;
  const n = (k: string) => (typeof last[k] === 'number' ? last[k] : 0);
  return { input: n('input_tokens'), cachedInput: n('cached_input_tokens'), output: n('output_tokens'), reasoningOutput: n('reasoning_output_tokens'), total: n('total_tokens') };
}

function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

class McpServerChild extends ProcessBackedChild implements CodexChild {
  readonly backend = 'mcp-server' as const;
  readonly canResume = false;
  private readonly turnEnds = new Set<(type: string) => void>();
  /** Commands begun and not ended: a stop cannot leave them running in a session that stays. */
  private readonly runningCommands = new Set<string>();
  /** The item whose deltas arrived last, per stream kind: `agent_message` itself carries no id. */
  private readonly streaming = new Map<StreamKind, string>();
  private deltaItems = 0;
  /** `codex/event` notifications seen so far: a turn whose count does not move never started. */
  private events = 0;

  constructor(
    proc: ChildHandle,
    private readonly client: Client,
    private readonly opts: StartChildOptions,
  ) {
    super(proc);
  }

  /** Called for every `codex/event`. */
  handleEvent(params: Record<string, unknown>): void {
    this.events++;
    const meta = params._meta as { threadId?: unknown } | undefined;
    if (typeof meta?.threadId === 'string') this.opts.hooks.onThreadId(meta.threadId);
    const msg = params.msg as Record<string, unknown> | undefined;
    if (!msg || typeof msg.type !== 'string') return;
    if (msg.type === 'token_count') {
      const usage = usageFrom(msg);
      if (usage) this.opts.hooks.onUsage(usage);
      return;
    }
    const kind = DELTA_KINDS[msg.type];
    if (kind) return this.delta(kind, msg);
    const callId = typeof msg.call_id === 'string' ? msg.call_id : undefined;
    if (msg.type === 'exec_command_begin' && callId) this.runningCommands.add(callId);
    if (msg.type === 'exec_command_end' && callId) this.runningCommands.delete(callId);
    if (msg.type === 'turn_aborted' || msg.type === 'task_complete') {
      this.runningCommands.clear();
      for (const f of [...this.turnEnds]) f(msg.type);
    }
    if (!TRANSCRIPT_TYPES.has(msg.type)) return;
    // The final event of streamed text names the item its deltas had.
    const itemKind: StreamKind | undefined = msg.type === 'agent_message' ? 'agent' : msg.type === 'exec_command_end' ? 'output' : undefined;
    const itemId = itemKind === 'output' || msg.type === 'exec_command_begin' ? callId : itemKind ? this.streaming.get(itemKind) : undefined;
    if (itemKind) this.streaming.delete(itemKind);
    this.opts.hooks.onEvent({ at: new Date().toISOString(), type: msg.type, summary: summarize(msg), ...details(msg), ...(itemId ? { itemId } : {}) });
  }

  private delta(kind: StreamKind, msg: Record<string, unknown>): void {
    const delta = deltaText(msg);
    if (!delta) return;
    const given = typeof msg.item_id === 'string' ? msg.item_id : typeof msg.call_id === 'string' ? msg.call_id : undefined;
    // Older events carry no item id: one per message, numbered here.
    let itemId = given ?? this.streaming.get(kind);
    if (!itemId) itemId = `${kind}-${++this.deltaItems}`;
    if (kind !== 'output') this.streaming.set(kind, itemId);
    this.opts.hooks.onDelta({ itemId, kind, delta });
  }

  startThread(settings: ThreadSettings, prompt: string, signal: AbortSignal): Promise<TurnOutcome> {
    const args: Record<string, unknown> = { prompt, cwd: settings.cwd };
    if (settings.sandbox) args.sandbox = settings.sandbox;
    if (settings.approvalPolicy) args['approval-policy'] = settings.approvalPolicy;
    if (settings.model) args.model = settings.model;
    if (settings.baseInstructions) args['base-instructions'] = settings.baseInstructions;
    if (settings.developerInstructions) args['developer-instructions'] = settings.developerInstructions;
    if (settings.compactPrompt) args['compact-prompt'] = settings.compactPrompt;
    if (settings.config && Object.keys(settings.config).length) args.config = settings.config;
    return this.call('codex', args, signal);
  }

  reply(threadId: string, prompt: string, signal: AbortSignal): Promise<TurnOutcome> {
    return this.call('codex-reply', { threadId, prompt }, signal);
  }

  resume(): Promise<void> {
    return Promise.reject(new Error('codex mcp-server keeps threads only in its own memory; a thread of an ended process cannot be resumed.'));
  }

  private async call(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<TurnOutcome> {
    if (signal.aborted) throw new TurnInterruptedError(abortReasonOf(signal), true, 'The call was cancelled before it started.');
    let onEnd: ((type: string) => void) | undefined;
    const ended = new Promise<string>((resolve) => {
      onEnd = resolve;
      this.turnEnds.add(resolve);
    });
    // Codex announces a turn at once (`task_started`, before any model request). Codex 0.153.4
    // sometimes takes a `codex-reply` right after an aborted turn and never starts it; without
    // this deadline the call would wait for the tool timeout (10 min by default).
    const seen = this.events;
    const stuck = new AbortController();
    const startDeadline = setTimeout(() => {
      if (this.events === seen) stuck.abort();
    }, this.opts.startupTimeoutMs);
    try {
      const result = (await this.client.callTool({ name, arguments: args }, undefined, { signal: AbortSignal.any([signal, stuck.signal]), timeout: NO_SDK_TIMEOUT })) as CallToolResult;
      const sc = result.structuredContent as { threadId?: unknown; content?: unknown } | undefined;
      const threadId = typeof sc?.threadId === 'string' ? sc.threadId : typeof args.threadId === 'string' ? args.threadId : '';
      if (threadId) this.opts.hooks.onThreadId(threadId);
      const content = typeof sc?.content === 'string' ? sc.content : textOf(result);
      return { threadId, content, isError: result.isError === true };
    } catch (err) {
      if (stuck.signal.aborted && !signal.aborted) {
        throw new TurnNeverStartedError(`Codex (mcp-server) took ${name} but did not start it: no event within ${this.opts.startupTimeoutMs} ms (startupTimeoutMs).`);
      }
      if (!signal.aborted) throw err;
      // The SDK has sent notifications/cancelled; Codex confirms with `turn_aborted`.
      const commandsBefore = this.runningCommands.size;
      const settled = await settlesWithin(ended, this.opts.interruptGraceMs);
      // Codex leaves a running command running after the abort: such a turn counts as unconfirmed,
      // so the session (and the command's process tree) ends.
      const clean = settled && commandsBefore === 0;
      throw new TurnInterruptedError(abortReasonOf(signal), clean, clean ? 'Codex aborted the turn.' : settled ? 'Codex aborted the turn but a command it started was still running.' : 'Codex did not confirm the interrupt in time.');
    } finally {
      clearTimeout(startDeadline);
      if (onEnd) this.turnEnds.delete(onEnd);
    }
  }

  async close(graceMs?: number): Promise<void> {
    await this.proc.kill(graceMs ?? this.opts.interruptGraceMs);
    await this.client.close().catch(() => undefined);
  }
}

/**
 * Spawns `<binary> mcp-server` and completes the MCP handshake.
 * @throws Error with the stderr tail when the child does not initialize within `startupTimeoutMs`.
 */
export async function startMcpServerChild(opts: StartChildOptions): Promise<CodexChild> {
  const proc = await spawnGroup(opts.binary, ['mcp-server'], { env: opts.env, cwd: opts.cwd });
  // Codex sends elicitation/create whether or not the capability is declared; declaring it keeps the SDK happy.
  // The SDK's client and its stdio framing are loaded here, with the first mcp-server session,
  // not with the server: they run the SDK's types module (its zod schemas), which a server start
  // otherwise no longer loads (bench/first-start.ts), and only Codex <= 0.153 uses this backend.
  // `import()` for the SDK (a `require` would bundle its CommonJS build beside the ESM one),
  // `require` for our own module (it also resolves under tsx's CommonJS hook, as in the unit tests).
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ChildStdioTransport } = require('./stdio-transport') as typeof StdioTransport;
  const client = new Client({ name: opts.clientInfo.name, version: opts.clientInfo.version }, { capabilities: { elicitation: {} } });
  const child = new McpServerChild(proc, client, opts);
  client.setNotificationHandler(CodexEventSchema, (n) => child.handleEvent(n.params));
  client.setRequestHandler(ElicitationSchema, async (req, extra) => {
    const p = req.params;
    const kind = text(p.codex_elicitation);
    const source = kind === 'patch-approval' ? 'codex-patch' : kind === 'exec-approval' ? 'codex-exec' : 'codex-mcp-tool';
    const answer = await askBrokerless(opts.hooks, {
      source,
      threadId: typeof p.threadId === 'string' ? p.threadId : undefined,
      command: describeCommand(p.codex_command),
      cwd: typeof p.codex_cwd === 'string' ? p.codex_cwd : undefined,
      reason: typeof p.codex_reason === 'string' ? p.codex_reason : typeof p.message === 'string' ? p.message : undefined,
      details: { elicitation: kind, message: p.message, changes: p.codex_changes },
    }, extra.signal);
    const decision = mcpServerDecision(answer);
    // `action` satisfies the MCP result schema; Codex reads only `decision`.
    return { action: answer.decision === 'deny' ? 'decline' : 'accept', content: {}, decision };
  });
  try {
    await client.connect(new ChildStdioTransport(proc, opts.interruptGraceMs), { timeout: opts.startupTimeoutMs });
  } catch (err) {
    await proc.kill(0);
    throw new Error(`codex mcp-server did not start: ${err instanceof Error ? err.message : String(err)}; stderr: ${clip(proc.stderrTail().slice(-1000), 1000)}`, { cause: err });
  }
  return child;
}

export type { ChildHooks };
