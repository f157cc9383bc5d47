/**
 * The Agent run panel's host logic, without `vscode` (unit tested): answers the page's `ready` with
 * the whole run so far (header, events, pending approvals of this run), then posts the run's events
 * as they come, batched over {@link EVENT_BATCH_MS}; Stop aborts the run (its task goes back to the
 * queue); approvals of this run (source `openai-agent`, `details.run_id`) are answered through the
 * same prompter as the Approvals view, whose modal or notification shows as well. One instance per
 * open panel (one panel per run).
 */
import type { PendingApproval } from '../../approvals/types';
import type { ApprovalAnswer } from '../../approvals/vocabulary';
import type { AgentEvent } from '../../agent/events';
import type { AgentRunHostMessage, ApprovalCard } from '../../webviews/agent-run/protocol';
import { parseAgentRunPageMessage } from '../../webviews/agent-run/schema';
import { RenderWaiter } from '../panels/render-waiter';
import type { AgentRunSession, AgentRuns } from './run-session';

/** Events are posted at most this often (ms): one message per batch, not one per streamed token. */
export const EVENT_BATCH_MS = 16;

/** The reason written when the person denies from the panel. */
export const AGENT_PANEL_DENY_REASON = 'Denied in the Agent run panel by the person reviewing the request.';

/** What the page drew last. */
export interface AgentRunRenderReport {
  runId: string;
  events: number;
  status: string;
  textChars: number;
  toolCalls: number;
  pending: number;
  /** Renders reported by this panel's pages so far, this one included. */
  renders: number;
}

/** This window's open approval requests (VsCodeApprovalPrompter satisfies it). */
export interface RunApprovalsSource {
  list(): PendingApproval[];
  /** @returns false when the request is no longer open */
  answer(id: string, answer: ApprovalAnswer): boolean;
  onDidChange(listener: () => void): { dispose(): void };
}

export interface AgentRunHandlerDeps {
  runs: Pick<AgentRuns, 'get'>;
  post: (message: AgentRunHostMessage) => void;
  approvals?: RunApprovalsSource;
  /** Called with the header's title and status whenever they change (the host titles its tab). */
  onTitle?: (title: string) => void;
}

export class AgentRunPanelHandler {
  private disposed = false;
  private offRun: (() => void) | undefined;
  private offApprovals: { dispose(): void } | undefined;
  private queue: AgentEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly renders = new RenderWaiter<AgentRunRenderReport>();
  private lastReport: AgentRunRenderReport | undefined;
  private lastTitle = '';

  constructor(
    readonly runId: string,
    private readonly deps: AgentRunHandlerDeps,
  ) {}

  /** Handles one raw page message; failures are posted to the page as `error`, never thrown. */
  async handle(raw: unknown): Promise<void> {
    try {
      const m = parseAgentRunPageMessage(raw);
      switch (m.type) {
        case 'ready':
          return this.ready();
        case 'stop':
          return this.stop();
        case 'approve':
          return this.approve(m.id, m.decision);
        case 'rendered': {
          const { type: _type, ...report } = m;
          this.lastReport = { ...report, renders: (this.lastReport?.renders ?? 0) + 1 };
          this.renders.resolve(this.lastReport);
          return;
        }
      }
    } catch (err) {
      this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
    return Promise.resolve();
  }

  /** Resolves with the page's next render report; rejects after `timeoutMs` (ms). */
  nextRender(timeoutMs: number): Promise<AgentRunRenderReport> {
    return this.renders.next('Agent run', timeoutMs);
  }

  lastRender(): AgentRunRenderReport | undefined {
    return this.lastReport;
  }

  dispose(): void {
    this.disposed = true;
    this.offRun?.();
    this.offApprovals?.dispose();
    clearTimeout(this.timer);
    this.renders.dispose();
  }

  private run(): AgentRunSession | undefined {
    return this.deps.runs.get(this.runId);
  }

  private ready(): void {
    const run = this.run();
    this.offRun?.();
    this.queue = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!run) {
      this.post({ type: 'error', message: `Agent run ${this.runId} is not in this window: runs live in the window that started them and end with it. Start a new run with "Codex Governance: Run Governed Agent...".` });
      return;
    }
    this.offApprovals ??= this.deps.approvals?.onDidChange(() => this.post({ type: 'pending', pending: this.pending() }));
    const header = run.header();
    this.title(header.title, header.status);
    this.post({ type: 'snapshot', header, events: run.events(), pending: this.pending() });
    this.offRun = run.onEvent((e) => this.queueEvent(e));
  }

  private queueEvent(e: AgentEvent): void {
    this.queue.push(e);
    this.timer ??= setTimeout(() => this.flush(), EVENT_BATCH_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const run = this.run();
    const events = this.queue;
    this.queue = [];
    if (!run || !events.length) return;
    const header = run.header();
    this.title(header.title, header.status);
    this.post({ type: 'events', header, events });
  }

  private stop(): void {
    const run = this.run();
    const stopping = run?.stop() === true;
    this.post({ type: 'action', action: 'stop', busy: false, ...(stopping ? { note: 'Stopping: the run ends after the current request, and its task (if any) goes back to the queue.' } : { error: 'This run has already ended.' }) });
  }

  private approve(id: string, decision: ApprovalAnswer['decision']): void {
    const open = this.pending().some((p) => p.id === id);
    const answered = open && this.deps.approvals?.answer(id, decision === 'deny' ? { decision, reason: AGENT_PANEL_DENY_REASON } : { decision }) === true;
    if (!answered) this.post({ type: 'action', action: 'approve', busy: false, error: 'This approval is no longer open: it was answered elsewhere, timed out, or its run ended.' });
    this.post({ type: 'pending', pending: this.pending() });
  }

  private pending(): ApprovalCard[] {
    return (this.deps.approvals?.list() ?? []).filter((p) => p.source === 'openai-agent' && p.details?.run_id === this.runId).map(approvalCardOf);
  }

  private title(title: string, status: string): void {
    const t = `${status === 'running' || status === 'starting' ? 'Agent' : `Agent (${status})`}: ${title.length > 40 ? `${title.slice(0, 39)}…` : title}`;
    if (t === this.lastTitle) return;
    this.lastTitle = t;
    this.deps.onTitle?.(t);
  }

  private post(message: AgentRunHostMessage): void {
    if (!this.disposed) this.deps.post(message);
  }
}

/** A pending `openai-agent` approval as the page's card shows it. */
export function approvalCardOf(p: PendingApproval): ApprovalCard {
  const args = p.details?.arguments;
  return {
    id: p.id,
    tool: p.command ?? 'a tool',
    risk: p.risk,
    deadline: p.deadline,
    ...(typeof args === 'string' ? { arguments: args } : {}),
    ...(p.reason ? { reason: p.reason } : {}),
  };
}
