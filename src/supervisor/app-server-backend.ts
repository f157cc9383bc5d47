/**
 * Backend for current Codex: `codex app-server` (JSON-RPC lines over stdio), protocol subset in
 * ./app-server-protocol. Flow (openai/codex `codex-rs/app-server/README.md`): `initialize` +
 * `initialized`, `thread/start` -> thread id, `turn/start` -> turn id, notifications until
 * `turn/completed` (whose `turn.items` hold the agent messages), `turn/interrupt` to cancel.
 * Threads are persisted by Codex as rollout files under CODEX_HOME, so `thread/resume` reopens a
 * thread in a fresh process after the old one died.
 */
import { askBrokerless, describeCommand, ProcessBackedChild } from './backend-util';
import { appServerDecision, appServerLegacyDecision } from './approval-wire';
import type { ApprovalSource } from '../approvals/vocabulary';
import type { ItemDelta, ThreadItem, TokenUsageBreakdown, Turn } from './app-server-protocol';
import {
  abortReasonOf,
  clip,
  EVENT_OUTPUT_LIMIT,
  fullText,
  settlesWithin,
  TurnInterruptedError,
  type CodexChild,
  type CodexEvent,
  type CommandRun,
  type FileChange,
  type StreamKind,
  type StartChildOptions,
  type ThreadSettings,
  type TurnOutcome,
} from './backend';
import { JsonRpcLineClient, type JsonRpcNotification, type JsonRpcServerRequest } from './jsonrpc-lines';
import { spawnGroup, type ChildHandle } from './process';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

interface TurnWaiter {
  threadId: string;
  turnId?: string;
  messages: string[];
  resolve(turn: Turn): void;
}

// Item types worth a transcript entry, with what a reader needs of each (the whole answer, a
// command's output, a change's diff); item fields from `codex app-server generate-ts` (v2/ThreadItem).
function itemEvent(item: ThreadItem): Omit<CodexEvent, 'at' | 'type'> | undefined {
  const itemId = item.id ? { itemId: item.id } : {};
  switch (item.type) {
    case 'agentMessage':
      return { summary: clip(item.text ?? ''), text: fullText(item.text ?? ''), ...itemId };
    case 'reasoning': {
      const text = (item.summary ?? []).join('\n\n');
      return text ? { summary: clip(text), text: fullText(text), ...itemId } : undefined;
    }
    case 'commandExecution': {
      const command: CommandRun = { command: item.command ?? '' };
      if (item.cwd) command.cwd = item.cwd;
      if (item.exitCode !== undefined) command.exitCode = item.exitCode;
      if (typeof item.durationMs === 'number') command.durationMs = item.durationMs;
      if (item.aggregatedOutput) command.output = fullText(item.aggregatedOutput, EVENT_OUTPUT_LIMIT, 'end');
      return { summary: clip(`${item.command ?? ''}${item.exitCode !== undefined && item.exitCode !== null ? ` (exit ${item.exitCode})` : ''}`), command, ...itemId };
    }
    case 'fileChange': {
      const changes: FileChange[] = (item.changes ?? []).map((c) => ({ path: c.path, kind: c.kind.type, diff: fullText(c.diff) }));
      return { summary: clip(`${item.status ?? ''}: ${changes.map((c) => c.path).join(', ')}`), changes, ...itemId };
    }
    case 'mcpToolCall':
      return { summary: clip(`${item.server ?? '?'}.${item.tool ?? '?'} ${item.status ?? ''}`), ...itemId };
    default:
      return undefined;
  }
}

// Which stream each delta notification feeds.
const DELTA_KINDS: Record<string, StreamKind> = {
  'item/agentMessage/delta': 'agent',
  'item/reasoning/summaryTextDelta': 'reasoning',
  'item/commandExecution/outputDelta': 'output',
};

class AppServerChild extends ProcessBackedChild implements CodexChild {
  readonly backend = 'app-server' as const;
  readonly canResume = true;
  private readonly waiters = new Set<TurnWaiter>();
  private readonly requestTimeoutMs: number;

  constructor(
    proc: ChildHandle,
    private readonly rpc: JsonRpcLineClient,
    private readonly opts: StartChildOptions,
  ) {
    super(proc);
    this.requestTimeoutMs = Math.max(opts.startupTimeoutMs, 5_000);
    rpc.onNotification = (n) => this.handleNotification(n);
    rpc.onServerRequest = (req) => this.handleServerRequest(req);
  }

  private event(type: string, summary: string): void {
    this.opts.hooks.onEvent({ at: new Date().toISOString(), type, summary });
  }

  private handleNotification(n: JsonRpcNotification): void {
    const p = (n.params ?? {}) as Record<string, unknown>;
    const streamKind = DELTA_KINDS[n.method];
    if (streamKind) {
      const d = p as Partial<ItemDelta>;
      if (typeof d.itemId === 'string' && typeof d.delta === 'string' && d.delta) this.opts.hooks.onDelta({ itemId: d.itemId, kind: streamKind, delta: d.delta });
      return;
    }
    switch (n.method) {
      case 'thread/tokenUsage/updated': {
        const last = (p.tokenUsage as { last?: TokenUsageBreakdown } | undefined)?.last;
        if (last) this.opts.hooks.onUsage({ input: last.inputTokens ?? 0, cachedInput: last.cachedInputTokens ?? 0, output: last.outputTokens ?? 0, reasoningOutput: last.reasoningOutputTokens ?? 0, total: last.totalTokens ?? 0 });
        return;
      }
      case 'turn/started': {
        const turn = p.turn as Turn | undefined;
        for (const w of this.waiters) if (w.threadId === p.threadId && w.turnId === undefined && turn) w.turnId = turn.id;
        this.event(n.method, '');
        return;
      }
      case 'item/started': {
        const item = p.item as ThreadItem | undefined;
        if (item?.type === 'commandExecution') this.opts.hooks.onEvent({ at: new Date().toISOString(), type: 'item/started', summary: clip(item.command ?? ''), ...(item.id ? { itemId: item.id } : {}), command: { command: item.command ?? '', ...(item.cwd ? { cwd: item.cwd } : {}) } });
        return;
      }
      case 'item/completed': {
        const item = p.item as ThreadItem | undefined;
        if (!item) return;
        if (item.type === 'agentMessage' && typeof item.text === 'string') {
          for (const w of this.waiters) if (w.threadId === p.threadId) w.messages.push(item.text);
        }
        const entry = itemEvent(item);
        if (entry !== undefined) this.opts.hooks.onEvent({ at: new Date().toISOString(), type: `item/completed:${item.type}`, ...entry });
        return;
      }
      case 'turn/completed': {
        const turn = p.turn as Turn | undefined;
        if (!turn) return;
        this.event(n.method, turn.status + (turn.error?.message ? `: ${clip(turn.error.message)}` : ''));
        for (const w of [...this.waiters]) {
          if (w.threadId === p.threadId && (w.turnId === undefined || w.turnId === turn.id)) w.resolve(turn);
        }
        return;
      }
      case 'error': {
        const err = p.error as { message?: string } | undefined;
        this.event('error', clip(`${err?.message ?? 'error'}${p.willRetry ? ' (retrying)' : ''}`));
        return;
      }
      case 'warning':
        this.event('warning', clip(str(p.message) ?? ''));
        return;
      default:
        return;
    }
  }

  private async handleServerRequest(req: JsonRpcServerRequest): Promise<unknown> {
    const p = (req.params ?? {}) as Record<string, unknown>;
    const signal = this.turnSignal ?? AbortSignal.abort();
    const ask = (source: ApprovalSource, extra: { command?: string; cwd?: string; reason?: string; details?: Record<string, unknown> }) =>
      askBrokerless(this.opts.hooks, { source, threadId: str(p.threadId) ?? str(p.conversationId), ...extra }, signal);
    switch (req.method) {
      case 'item/commandExecution/requestApproval': {
        const a = await ask('codex-exec', { command: describeCommand(p.command), cwd: str(p.cwd), reason: str(p.reason), details: { itemId: p.itemId, turnId: p.turnId } });
        return { decision: appServerDecision(a) };
      }
      case 'item/fileChange/requestApproval': {
        const a = await ask('codex-patch', { reason: str(p.reason), details: { itemId: p.itemId, grantRoot: p.grantRoot } });
        return { decision: appServerDecision(a) };
      }
      case 'execCommandApproval': {
        const a = await ask('codex-exec', { command: describeCommand(p.command), cwd: str(p.cwd), reason: str(p.reason) });
        return { decision: appServerLegacyDecision(a) };
      }
      case 'applyPatchApproval': {
        const a = await ask('codex-patch', { reason: str(p.reason), details: { grantRoot: p.grantRoot } });
        return { decision: appServerLegacyDecision(a) };
      }
      case 'item/permissions/requestApproval': {
        const a = await ask('codex-permissions', { reason: str(p.reason), details: { permissions: p.permissions } });
        // Granting nothing is the protocol's denial; an approval grants what was asked.
        return a.decision === 'deny' ? { permissions: {}, scope: 'turn' } : { permissions: p.permissions ?? {}, scope: a.decision === 'allow_session' ? 'session' : 'turn' };
      }
      case 'mcpServer/elicitation/request': {
        const meta = (p._meta ?? {}) as Record<string, unknown>;
        const a = await ask('codex-mcp-tool', { reason: str(p.message), details: { serverName: p.serverName, tool: meta.tool_name, arguments: meta.tool_params } });
        return a.decision === 'deny' ? { action: 'decline' } : { action: 'accept', content: {} };
      }
      default:
        // item/tool/requestUserInput and anything newer: nobody here can answer, so refuse.
        throw new Error(`Codex Governance cannot answer ${req.method} for a supervised session`);
    }
  }

  private turnSignal: AbortSignal | undefined;

  async startThread(settings: ThreadSettings, prompt: string, signal: AbortSignal): Promise<TurnOutcome> {
    if (signal.aborted) throw new TurnInterruptedError(abortReasonOf(signal), true, 'The call was cancelled before it started.');
    const { thread } = await this.withAbort(this.rpc.request<{ thread: { id: string } }>('thread/start', threadParams(settings), this.requestTimeoutMs), signal);
    this.opts.hooks.onThreadId(thread.id);
    return this.runTurn(thread.id, prompt, signal);
  }

  reply(threadId: string, prompt: string, signal: AbortSignal): Promise<TurnOutcome> {
    return this.runTurn(threadId, prompt, signal);
  }

  /**
   * `skills/list` for `cwd`: a fresh app-server scans the skill folders on its first
   * `thread/start` (about 60 of its 100-130 ms there, bench/codex-supervisor.ts) and caches them;
   * listing them ahead does that scan while the spare is idle. Side-effect free, unlike a warm-up
   * thread, which would start the configured MCP servers and fire session hooks before the gate
   * has judged them. An older Codex without `skills/list` answers an error: ignored.
   */
  async warm(cwd: string, timeoutMs: number): Promise<void> {
    await this.rpc.request('skills/list', { cwds: [cwd] }, timeoutMs).catch(() => undefined);
  }

  async resume(threadId: string, settings: ThreadSettings): Promise<void> {
    await this.rpc.request('thread/resume', { ...threadParams(settings), threadId }, this.requestTimeoutMs);
  }

  // Requests other than the turn itself are short; an abort just stops waiting for them.
  private async withAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new TurnInterruptedError(abortReasonOf(signal), false, 'Aborted while Codex was starting the thread.'));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([p, aborted]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  private async runTurn(threadId: string, prompt: string, signal: AbortSignal): Promise<TurnOutcome> {
    if (signal.aborted) throw new TurnInterruptedError(abortReasonOf(signal), true, 'The call was cancelled before it started.');
    let resolveTurn!: (t: Turn) => void;
    const completed = new Promise<Turn>((r) => (resolveTurn = r));
    const waiter: TurnWaiter = { threadId, messages: [], resolve: resolveTurn };
    this.waiters.add(waiter);
    this.turnSignal = signal;
    const exited = this.proc.exited.then((e) => {
      throw new Error(`Codex app-server exited during the turn (code ${e.code}, signal ${e.signal}); stderr: ${clip(this.proc.stderrTail().slice(-800), 800)}`);
    });
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const started = this.rpc.request<{ turn: Turn }>('turn/start', { threadId, input: [{ type: 'text', text: prompt }] }, this.requestTimeoutMs).then((r) => {
        waiter.turnId ??= r.turn.id;
        return r;
      });
      started.catch(() => undefined);
      const first = await Promise.race([started.then(() => 'started' as const), aborted, exited]);
      if (first === 'aborted') return await this.interrupt(waiter, completed, signal);
      const outcome = await Promise.race([completed, aborted, exited]);
      if (outcome === 'aborted') return await this.interrupt(waiter, completed, signal);
      return outcomeOf(threadId, outcome, waiter.messages);
    } finally {
      this.waiters.delete(waiter);
      if (this.turnSignal === signal) this.turnSignal = undefined;
      if (onAbort) signal.removeEventListener('abort', onAbort);
      exited.catch(() => undefined);
    }
  }

  private async interrupt(waiter: TurnWaiter, completed: Promise<Turn>, signal: AbortSignal): Promise<never> {
    const reason = abortReasonOf(signal);
    const grace = this.opts.interruptGraceMs;
    const deadline = Date.now() + grace;
    // The turn id arrives with the turn/start answer or turn/started; wait briefly for it.
    while (waiter.turnId === undefined && Date.now() < deadline && this.proc.alive()) await new Promise((r) => setTimeout(r, 20));
    if (waiter.turnId !== undefined && this.proc.alive()) {
      this.rpc.request('turn/interrupt', { threadId: waiter.threadId, turnId: waiter.turnId }, Math.max(1, deadline - Date.now())).catch(() => undefined);
    }
    const settled = waiter.turnId !== undefined && (await settlesWithin(completed, Math.max(1, deadline - Date.now())));
    throw new TurnInterruptedError(reason, settled, settled ? 'Codex interrupted the turn.' : 'Codex did not confirm the interrupt in time.');
  }

  async close(graceMs?: number): Promise<void> {
    await this.proc.kill(graceMs ?? this.opts.interruptGraceMs);
  }
}

function threadParams(s: ThreadSettings): Record<string, unknown> {
  const params: Record<string, unknown> = { cwd: s.cwd };
  if (s.sandbox) params.sandbox = s.sandbox;
  if (s.approvalPolicy) params.approvalPolicy = s.approvalPolicy;
  if (s.model) params.model = s.model;
  if (s.baseInstructions) params.baseInstructions = s.baseInstructions;
  if (s.developerInstructions) params.developerInstructions = s.developerInstructions;
  // thread/start has no compact-prompt field; the config key of the same meaning does it.
  const config = { ...(s.config ?? {}), ...(s.compactPrompt ? { compact_prompt: s.compactPrompt } : {}) };
  if (Object.keys(config).length) params.config = config;
  return params;
}

function outcomeOf(threadId: string, turn: Turn, seen: string[]): TurnOutcome {
  const fromItems = (turn.items ?? []).filter((i) => i.type === 'agentMessage' && typeof i.text === 'string').map((i) => i.text as string);
  const last = fromItems.at(-1) ?? seen.at(-1) ?? '';
  if (turn.status === 'completed') return { threadId, content: last, isError: false };
  const why = turn.error?.message ?? `turn ${turn.status}`;
  return { threadId, content: last ? `${last}\n\n${why}` : why, isError: true };
}

/**
 * Spawns `<binary> app-server` and completes `initialize` + `initialized`.
 * @throws Error with the stderr tail when it does not initialize within `startupTimeoutMs`.
 */
export async function startAppServerChild(opts: StartChildOptions): Promise<CodexChild> {
  const proc = await spawnGroup(opts.binary, ['app-server'], { env: opts.env, cwd: opts.cwd });
  const rpc = new JsonRpcLineClient(proc);
  try {
    await rpc.request('initialize', { clientInfo: { name: opts.clientInfo.name, title: 'Codex Governance', version: opts.clientInfo.version }, capabilities: null }, opts.startupTimeoutMs);
  } catch (err) {
    await proc.kill(0);
    throw new Error(`codex app-server did not start: ${err instanceof Error ? err.message : String(err)}; stderr: ${clip(proc.stderrTail().slice(-1000), 1000)}`, { cause: err });
  }
  const child = new AppServerChild(proc, rpc, opts);
  rpc.notify('initialized');
  return child;
}
