/**
 * The governed agent loop: an OpenAI-compatible model (Chat Completions or Responses, through the
 * `openai` SDK) with the governance tools and the Codex config's MCP tools, every step governed
 * through a {@link GovernanceClient} (HTTP from the CLI, in process inside VS Code):
 *
 * 1. each model turn is checked with `process_agent_update` (PAUSE ends the run `paused` with the
 *    reason and the peer review the server opened, if any; an unreachable server ends it `error`:
 *    fail closed). The model request is sent while the check is in flight, so the server's durable
 *    commit overlaps the model's latency; its answer is used only after a PROCEED (after a PAUSE
 *    it is aborted or discarded, so a paused run may have made one more model request);
 * 2. the turn, streamed or not; its tokens go to `record_model_usage` (metrics and cost);
 * 3. each tool call: an invented tool or arguments that are not JSON or fail the tool's schema come
 *    back to the model as an error naming the cause (the step goes on); otherwise ./approvals
 *    decides, and an allowed call runs; the result goes back to the model;
 * 4. the run ends when the model answers without tool calls (`done`), refuses, reaches `maxSteps`
 *    model turns, passes its deadline, is aborted, or fails.
 * Events (./events) report every part; `run` resolves with the `run-ended` event and never rejects.
 */
import { randomUUID } from 'node:crypto';
import type OpenAI from 'openai';
import { GovernanceClientError, type GovernanceClient } from '../client/types';
import { RunApprovals } from './approvals';
import type { AgentApi, AgentEvent, OfferedTool, RunEndedEvent, RunEndReason } from './events';
import { governanceTools } from './governance-source';
import { McpSourceError, openMcpSources, type McpSources } from './mcp-sources';
import { defaultInstructions, type ModelSession, type ModelSessionOptions, type ModelTurn } from './model';
import { explainModelError, type ModelErrorContext } from './model-errors';
import { ChatSession } from './model-chat';
import { ResponseFailedError, ResponsesSession } from './model-responses';
import { CLI_OPTION_NAMES, type OptionNames } from './option-names';
import { TaskClaimError, TaskLease } from './task-lease';
import { ToolSet, type AgentTool } from './tool-set';

/** Longest output text in a `tool-result` event (the model gets up to 20000). */
const EVENT_OUTPUT = 4000;
/** Deadline of one governance check or usage report (ms). */
const GOVERNANCE_CALL_MS = 15_000;

/** An `Omit` over each member of a union, so the event variants keep their own fields. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type EventBody = DistributiveOmit<AgentEvent, 'runId' | 'at'>;

export interface AgentRunOptions {
  client: GovernanceClient;
  /** The `openai` SDK client (base URL, key, per-request timeout and retries set by the caller). */
  openai: OpenAI;
  api: AgentApi;
  model: string;
  stream: boolean;
  /** The task; optional with `taskId` (the task's description is used). */
  prompt?: string;
  /** A queue task to claim, work on, and complete or release (./task-lease). */
  taskId?: string;
  agentId: string;
  runId?: string;
  /** Most model turns, >= 1. */
  maxSteps: number;
  /** The run's deadline from now, ms. */
  timeoutMs: number;
  /** MCP servers from a Codex config; absent: governance tools only. */
  mcp?: { configFile: string; env: NodeJS.ProcessEnv };
  /** More tools (tests, the benchmark). */
  extraTools?: AgentTool[];
  /**
   * false: no governance at all (no checks, approvals, usage reports or governance tools). Only the
   * benchmark uses it, to measure what governance adds per step.
   */
  governance?: boolean;
  /** Aborting it stops the run (`aborted`). */
  signal?: AbortSignal;
  onEvent?: (event: AgentEvent) => void;
  /** What model error messages name (URL, model, timeouts); the API is this run's. */
  errorContext: Omit<ModelErrorContext, 'api' | 'timedOut'>;
  /** How messages name the options that fix a failure; default {@link CLI_OPTION_NAMES}. */
  names?: OptionNames;
  instructions?: string;
}

/** Ends the loop with a reason. */
class RunEnd extends Error {
  constructor(readonly reason: RunEndReason, message: string, readonly finalText?: string) {
    super(message);
  }
}

export async function runAgent(options: AgentRunOptions): Promise<RunEndedEvent> {
  return new AgentRun(options).run();
}

class AgentRun {
  private readonly runId: string;
  private readonly governed: boolean;
  private readonly deadlineAt: number;
  private readonly deadline = new AbortController();
  private readonly signal: AbortSignal;
  private readonly names: OptionNames;
  private steps = 0;
  private totals = { input: 0, output: 0, cost: 0 as number | null };

  constructor(private readonly o: AgentRunOptions) {
    this.runId = o.runId ?? randomUUID();
    this.governed = o.governance !== false;
    this.names = o.names ?? CLI_OPTION_NAMES;
    this.deadlineAt = Date.now() + o.timeoutMs;
    this.signal = o.signal ? AbortSignal.any([o.signal, this.deadline.signal]) : this.deadline.signal;
  }

  async run(): Promise<RunEndedEvent> {
    const timer = setTimeout(() => this.deadline.abort(), this.o.timeoutMs);
    let sources: McpSources | undefined;
    let task: TaskLease | undefined;
    let end: Pick<RunEndedEvent, 'reason' | 'message' | 'finalText'>;
    try {
      let prompt = this.o.prompt ?? '';
      if (this.o.taskId && this.governed) {
        task = await TaskLease.claim(this.o.client, this.o.taskId, this.o.agentId, this.o.timeoutMs / 1000, this.names);
        prompt = prompt ? `${prompt}\n\nTask ${this.o.taskId}: ${task.description}` : task.description;
      }
      if (!prompt.trim()) throw new RunEnd('error', `No task to work on: give the task text, or ${this.names.queuedTask}.`);
      const govTools = this.governed ? await governanceTools(this.o.client, this.o.agentId, GOVERNANCE_CALL_MS) : [];
      if (this.o.mcp) sources = await openMcpSources({ ...this.o.mcp, governanceUrl: this.o.client.url, takenNames: new Set(govTools.map((t) => t.name)), names: this.names });
      const tools = new ToolSet([...govTools, ...(sources?.tools ?? []), ...(this.o.extraTools ?? [])]);
      this.emit({
        type: 'run-started',
        agentId: this.o.agentId,
        model: this.o.model,
        api: this.o.api,
        stream: this.o.stream,
        baseUrl: this.o.errorContext.baseUrl,
        server: this.o.client.url,
        tools: tools.list().map((t): OfferedTool => ({ name: t.name, server: t.server, unasked: ToolSet.unasked(t) })),
        skippedServers: sources?.skipped ?? [],
        maxSteps: this.o.maxSteps,
        deadline: new Date(this.deadlineAt).toISOString(),
        ...(this.o.taskId ? { taskId: this.o.taskId } : {}),
      });
      end = await this.loop(prompt, tools);
    } catch (err) {
      end = this.endOf(err);
    } finally {
      clearTimeout(timer);
    }
    await sources?.close();
    const taskOutcome = task ? await task.finish(end) : undefined;
    const ended: RunEndedEvent = { type: 'run-ended', runId: this.runId, at: new Date().toISOString(), ...end, steps: this.steps, ...(taskOutcome ? { task: taskOutcome } : {}) };
    this.deliver(ended);
    return ended;
  }

  private async loop(prompt: string, tools: ToolSet): Promise<Pick<RunEndedEvent, 'reason' | 'message' | 'finalText'>> {
    const sessionOptions: ModelSessionOptions = { client: this.o.openai, model: this.o.model, stream: this.o.stream, instructions: this.o.instructions ?? defaultInstructions(this.o.agentId), prompt, tools: tools.list() };
    const session: ModelSession = this.o.api === 'responses' ? new ResponsesSession(sessionOptions) : new ChatSession(sessionOptions);
    const approvals = new RunApprovals(this.o.client, { runId: this.runId, agentId: this.o.agentId }, this.names);
    let operation = `start: ${prompt.slice(0, 500)}`;
    let complexity = 0.3;
    for (;;) {
      if (this.steps >= this.o.maxSteps) throw new RunEnd('max_steps', `Stopped after ${this.steps} model turns (${this.names.maxSteps} ${this.o.maxSteps}) with the work unfinished; raise ${this.names.maxSteps} to let it go on.`);
      const step = ++this.steps;
      const turn = await this.turn(session, step, this.governed ? { operation, complexity } : undefined);
      if (turn.refusal) throw new RunEnd('refused', `The model refused: ${turn.refusal}`, turn.text || turn.refusal);
      if (!turn.toolCalls.length) return { reason: 'done', message: turn.text || '(the model answered with no text)', finalText: turn.text };
      const done: string[] = [];
      let asked = false;
      for (const call of turn.toolCalls) {
        this.throwIfStopped();
        const r = await this.callTool(step, call, tools, approvals, turn.text);
        asked ||= r.asked;
        done.push(r.summary);
        session.addToolResult(call.callId, r.output);
      }
      operation = `step ${step}: ${done.join(', ')}`.slice(0, 2000);
      complexity = Math.min(1, 0.3 + 0.1 * turn.toolCalls.length + (asked ? 0.2 : 0));
    }
  }

  /** The governance check before a model turn. @throws RunEnd paused / error */
  private async check(step: number, operation: string, complexity: number): Promise<void> {
    let r;
    try {
      r = await this.o.client.callTool('process_agent_update', { agent_id: this.o.agentId, operation, complexity }, { timeoutMs: GOVERNANCE_CALL_MS });
    } catch (err) {
      const why = err instanceof GovernanceClientError ? `${err.code}: ${err.message}` : String(err);
      throw new RunEnd('error', `The governance check before step ${step} failed (${why}); the run stops (fail closed). The governance server is at ${this.o.client.url}. ${this.names.fixServer}`);
    }
    const d = r.governance_decision;
    if (d.action === 'PAUSE') {
      const review = await this.reviewOf();
      this.emit({ type: 'governance', step, action: 'PAUSE', reason: d.reason, ...(review ? { reviewSessionId: review } : {}) });
      throw new RunEnd('paused', `Governance paused ${this.o.agentId} before step ${step}: ${d.reason}${review ? ` A peer review is open: ${review} (get_dialectic_session).` : ''}`);
    }
    this.emit({ type: 'governance', step, action: 'PROCEED', reason: d.reason });
  }

  /** The peer review the server opened for this agent after a PAUSE (automatic review), if any. */
  private async reviewOf(): Promise<string | undefined> {
    try {
      const s = await this.o.client.callTool('get_dialectic_session', { agent_id: this.o.agentId }, { timeoutMs: GOVERNANCE_CALL_MS });
      return s.session_id;
    } catch {
      return undefined;
    }
  }

  /**
   * One model turn. Governed, the request goes out while `process_agent_update` is in flight (its
   * durable commit is then off the step's critical path) and the answer is acted on only after the
   * decision: the `governance` event comes first, streamed deltas are held until it, and a PAUSE or
   * an unreachable server aborts the request and discards its answer before any tool runs.
   * @throws RunEnd paused / error (from the check), the model's errors
   */
  private async turn(session: ModelSession, step: number, check?: { operation: string; complexity: number }): Promise<ModelTurn> {
    const t0 = performance.now();
    const discard = new AbortController();
    let held: string[] | undefined = check ? [] : undefined;
    const onDelta = (delta: string): void => {
      if (held) held.push(delta);
      else this.emit({ type: 'model-text-delta', step, delta });
    };
    const answer = session.next({ signal: check ? AbortSignal.any([this.signal, discard.signal]) : this.signal, ...(this.o.stream ? { onDelta } : {}) });
    if (check) {
      // Settled below, or abandoned after a PAUSE: never an unhandled rejection.
      answer.catch(() => undefined);
      try {
        // Let the request reach the socket first: an in-process server's durable commit blocks
        // this thread, and started before the request is written it delays it (measured +2.5 ms a
        // step on a disk, bench/agent-runner.ts); after, it overlaps the model's latency.
        await new Promise((r) => setImmediate(r));
        await this.check(step, check.operation, check.complexity);
      } catch (err) {
        discard.abort();
        throw err;
      }
      const deltas = held ?? [];
      held = undefined;
      for (const delta of deltas) this.emit({ type: 'model-text-delta', step, delta });
    }
    const turn = await answer;
    this.emit({ type: 'model-turn', step, text: turn.text, ...(turn.refusal ? { refusal: turn.refusal } : {}), toolCalls: turn.toolCalls.map((c) => ({ callId: c.callId, name: c.name })), durationMs: Math.round(performance.now() - t0) });
    if (turn.usage) await this.usage(step, turn.usage);
    return turn;
  }

  private async usage(step: number, u: NonNullable<ModelTurn['usage']>): Promise<void> {
    let cost: number | null = null;
    if (this.governed) {
      try {
        const r = await this.o.client.callTool('record_model_usage', { agent_id: this.o.agentId, model: this.o.model, input_tokens: u.inputTokens, output_tokens: u.outputTokens, cached_input_tokens: u.cachedInputTokens }, { timeoutMs: GOVERNANCE_CALL_MS });
        cost = r.cost_usd;
      } catch {
        // Not counted on the server: the run goes on (usage is bookkeeping, not a safety check).
      }
    }
    this.totals.input += u.inputTokens;
    this.totals.output += u.outputTokens;
    this.totals.cost = cost === null || this.totals.cost === null ? null : this.totals.cost + cost;
    this.emit({ type: 'usage', step, model: this.o.model, inputTokens: u.inputTokens, outputTokens: u.outputTokens, cachedInputTokens: u.cachedInputTokens, costUsd: cost, totalInputTokens: this.totals.input, totalOutputTokens: this.totals.output, totalCostUsd: this.totals.cost });
  }

  /** One tool call of a turn: what the model gets back and a few words for the next governance check. */
  private async callTool(step: number, call: ModelTurn['toolCalls'][number], tools: ToolSet, approvals: RunApprovals, said: string): Promise<{ output: string; summary: string; asked: boolean }> {
    const tool = tools.get(call.name);
    const base = { step, callId: call.callId, name: call.name };
    const parsed = tool ? tools.parse(tool, call.arguments) : undefined;
    this.emit({ type: 'tool-call', ...base, server: tool?.server ?? null, arguments: parsed?.ok ? parsed.args : call.arguments });
    const fail = (output: string, summary: string) => {
      this.emit({ type: 'tool-result', ...base, ok: false, output: output.slice(0, EVENT_OUTPUT), durationMs: 0 });
      return { output: `Error: ${output}`, summary, asked: false };
    };
    if (!tool) {
      const names = tools.list().map((t) => t.name);
      return fail(`There is no tool ${call.name} in this run. Call one of: ${names.slice(0, 40).join(', ')}${names.length > 40 ? ', ...' : ''}.`, `${call.name} (no such tool)`);
    }
    if (!parsed?.ok) return fail(parsed?.error ?? 'invalid arguments', `${call.name} (bad arguments)`);
    const verdict = this.governed ? await approvals.decide(tool, parsed.args, this.deadlineAt - Date.now(), said) : { decision: 'allow_once' as const, decidedBy: 'governance' as const };
    this.emit({ type: 'tool-decision', ...base, decision: verdict.decision, decidedBy: verdict.decidedBy, ...('risk' in verdict && verdict.risk ? { risk: verdict.risk } : {}), ...('reason' in verdict && verdict.reason ? { reason: verdict.reason } : {}) });
    const asked = !ToolSet.unasked(tool);
    if (verdict.decision === 'deny') {
      const why = 'reason' in verdict && verdict.reason ? verdict.reason : 'denied';
      return { output: `Error: the call of ${call.name} was denied and did not run: ${why}`, summary: `${call.name} (denied)`, asked };
    }
    this.throwIfStopped();
    const t0 = performance.now();
    const outcome = await tool.call(parsed.args, this.signal);
    this.throwIfStopped();
    this.emit({ type: 'tool-result', ...base, ok: outcome.ok, output: outcome.text.slice(0, EVENT_OUTPUT), durationMs: Math.round(performance.now() - t0) });
    return { output: outcome.ok ? outcome.text : `Error: ${outcome.text}`, summary: `${call.name}${outcome.ok ? '' : ' (failed)'}`, asked };
  }

  private throwIfStopped(): void {
    if (this.deadline.signal.aborted || this.o.signal?.aborted) throw this.stopped();
  }

  private stopped(): RunEnd {
    if (this.o.signal?.aborted) return new RunEnd('aborted', `Stopped by the caller after ${this.steps} model turn(s).`);
    return new RunEnd('deadline', `The run passed its deadline of ${Math.round(this.o.timeoutMs / 1000)} s (${this.names.runTimeout}) after ${this.steps} model turn(s); raise ${this.names.runTimeout} for longer work.`);
  }

  private endOf(err: unknown): Pick<RunEndedEvent, 'reason' | 'message' | 'finalText'> {
    if (err instanceof RunEnd) return { reason: err.reason, message: err.message, ...(err.finalText !== undefined ? { finalText: err.finalText } : {}) };
    if (this.deadline.signal.aborted || this.o.signal?.aborted) return this.endOf(this.stopped());
    if (err instanceof McpSourceError || err instanceof TaskClaimError) return { reason: 'error', message: err.message };
    if (err instanceof ResponseFailedError) return { reason: 'error', message: `The model at ${this.o.errorContext.baseUrl} answered with an error: ${err.message}` };
    if (err instanceof GovernanceClientError) return { reason: 'error', message: `The governance server at ${this.o.client.url} failed (${err.code}): ${err.message.replace(/\.?$/, '.')} ${this.names.fixServer}` };
    return { reason: 'error', message: explainModelError(err, { ...this.o.errorContext, api: this.o.api }, this.names).message };
  }

  private emit(body: EventBody): void {
    this.deliver({ ...body, runId: this.runId, at: new Date().toISOString() });
  }

  private deliver(event: AgentEvent): void {
    try {
      this.o.onEvent?.(event);
    } catch {
      // A listener's failure is its own; the run goes on.
    }
  }
}
