/**
 * One governed agent run of this window, without `vscode` (unit tested): its events as the runner
 * reports them (src/agent/events.ts), kept so a panel opened, hidden, reloaded or reopened later
 * replays the whole run; the header the panel shows, folded from those events; Stop (aborts the
 * runner's signal: the run ends `aborted` and its task is failed back to the queue by the runner).
 * {@link AgentRuns} holds the runs of this window, by run id and by task.
 */
import type { AgentEvent, RunEndedEvent } from '../../agent/events';
import type { RunHeader } from '../../webviews/agent-run/protocol';

/** What a run is started with, known before its first event. */
export interface RunMeta {
  runId: string;
  agentId: string;
  model: string;
  baseUrl: string;
  api: RunHeader['api'];
  taskId?: string;
  /** The task text given, or the task's description when known; '' for a queue task not yet read. */
  prompt: string;
  maxSteps: number;
}

/** Longest header title (characters). */
const TITLE_CHARS = 120;

export class AgentRunSession {
  private readonly log: AgentEvent[] = [];
  private readonly listeners = new Set<(event: AgentEvent) => void>();
  private readonly abort = new AbortController();
  private headerNow: RunHeader;
  private ended: RunEndedEvent | undefined;

  constructor(readonly meta: RunMeta, startedAt = new Date().toISOString()) {
    this.headerNow = {
      runId: meta.runId,
      agentId: meta.agentId,
      model: meta.model,
      baseUrl: meta.baseUrl,
      api: meta.api,
      ...(meta.taskId ? { taskId: meta.taskId } : {}),
      title: titleOf(meta.prompt, meta.taskId),
      status: 'starting',
      step: 0,
      maxSteps: meta.maxSteps,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      startedAt,
    };
  }

  get runId(): string {
    return this.meta.runId;
  }

  /** Aborted by {@link stop}: the runner's `signal`. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** The `run-ended` event, once the run ended. */
  get end(): RunEndedEvent | undefined {
    return this.ended;
  }

  header(): RunHeader {
    return { ...this.headerNow };
  }

  /**
   * The events so far, in order. Streamed text pieces of one step are kept as one
   * `model-text-delta` (the page draws the same text), so a long answer is not thousands of entries.
   */
  events(): AgentEvent[] {
    return this.log.map((e) => ({ ...e }));
  }

  /** Asks the run to stop; false when it already ended. */
  stop(): boolean {
    if (this.ended || this.abort.signal.aborted) return false;
    this.abort.abort();
    return true;
  }

  /** Records one event of the runner and tells the listeners. Events after `run-ended` are ignored. */
  push(event: AgentEvent): void {
    if (this.ended) return;
    const last = this.log.at(-1);
    if (event.type === 'model-text-delta' && last?.type === 'model-text-delta' && last.step === event.step) {
      this.log[this.log.length - 1] = { ...last, delta: last.delta + event.delta, at: event.at };
    } else {
      this.log.push(event);
    }
    this.headerNow = fold(this.headerNow, event);
    if (event.type === 'run-ended') this.ended = event;
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // One listener's failure is its own.
      }
    }
  }

  /** @returns unsubscribe */
  onEvent(listener: (event: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The header after `event`. */
export function fold(h: RunHeader, event: AgentEvent): RunHeader {
  switch (event.type) {
    case 'run-started':
      return { ...h, status: 'running', agentId: event.agentId, model: event.model, baseUrl: event.baseUrl, api: event.api, maxSteps: event.maxSteps, ...(event.taskId ? { taskId: event.taskId } : {}) };
    case 'governance':
      return { ...h, step: Math.max(h.step, event.step) };
    case 'usage':
      return { ...h, inputTokens: event.totalInputTokens, outputTokens: event.totalOutputTokens, costUsd: event.totalCostUsd };
    case 'run-ended':
      return { ...h, status: event.reason, step: event.steps, endMessage: event.message, ...(event.task ? { task: event.task } : {}) };
    default:
      return h;
  }
}

function titleOf(prompt: string, taskId: string | undefined): string {
  const line = prompt.split('\n').find((l) => l.trim())?.trim() ?? '';
  const title = line || (taskId ? `Task ${taskId}` : 'Agent run');
  return title.length > TITLE_CHARS ? `${title.slice(0, TITLE_CHARS - 1)}…` : title;
}

/** The runs of this window (they end with the window: a run lives in its extension host). */
export class AgentRuns {
  private readonly runs = new Map<string, AgentRunSession>();
  private readonly listeners = new Set<() => void>();

  add(run: AgentRunSession): void {
    this.runs.set(run.runId, run);
    run.onEvent((e) => {
      if (e.type === 'run-started' || e.type === 'run-ended') this.changed();
    });
    this.changed();
  }

  get(runId: string): AgentRunSession | undefined {
    return this.runs.get(runId);
  }

  /** The latest run of `taskId` in this window, if any. */
  ofTask(taskId: string): AgentRunSession | undefined {
    let found: AgentRunSession | undefined;
    for (const r of this.runs.values()) if (r.meta.taskId === taskId) found = r;
    return found;
  }

  /** Runs not ended yet. */
  active(): AgentRunSession[] {
    return [...this.runs.values()].filter((r) => !r.end);
  }

  /** Called when a run is added, starts or ends. @returns unsubscribe */
  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops every run that has not ended (the window closes). */
  dispose(): void {
    for (const r of this.runs.values()) r.stop();
    this.listeners.clear();
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}
