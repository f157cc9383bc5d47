/**
 * The Approvals panel's host logic, without `vscode`: the pending requests of this window's
 * prompter (answered through the same `answer(id, answer)` as the Approvals view), and the answered
 * requests from the audit log read through the governance client (this window's log, or `GET /audit`
 * of the server another window runs), newest first, filtered and paged, with answers written since
 * the page loaded added on top (polled every `pollMs`, and at once after a pending request leaves).
 * One instance per open panel. With another window's server the panel is read-only: that window's
 * requests wait there, and the page says so.
 */
import { gateReasons, promptTitle } from '../../approvals/present';
import type { AuditQuery } from '../../approvals/audit-query';
import type { GovernanceClient } from '../../client/types';
import type { PendingApproval } from '../../approvals/types';
import type { AuditRecord } from '../../store/audit';
import { APPROVAL_LABELS, type ApprovalAnswer } from '../../approvals/vocabulary';
import { HISTORY_PAGE_SIZE, type ApprovalsHostMessage, type HistoryFilters, type HistoryRow, type PendingItem } from '../../webviews/approvals/protocol';
import { parseApprovalsPageMessage, parseHistoryFilters } from '../../webviews/approvals/schema';
import { RenderWaiter } from '../panels/render-waiter';

/** Where the panel reads the audit log: the governance client in use. */
export type AuditReader = Pick<GovernanceClient, 'kind' | 'readAudit'>;

/** The prompter as the panel uses it (VsCodeApprovalPrompter satisfies it). */
export interface PendingSource {
  /** Open requests, oldest first. */
  list(): PendingApproval[];
  /** @returns false when the request is no longer open */
  answer(id: string, answer: ApprovalAnswer): boolean;
  onDidChange(listener: () => void): { dispose(): void };
}

/** What the page drew last. */
export interface ApprovalsRenderReport {
  pending: number;
  history: number;
  filters: HistoryFilters;
  /** Renders reported by this panel's pages so far, this one included. */
  renders: number;
}

export interface ApprovalsPanelHandlerOptions {
  /** How often (ms) the audit log is checked for new answers while the panel is open. Default 2000. */
  pollMs?: number;
  /** History rows per page. Default {@link HISTORY_PAGE_SIZE}. */
  pageSize?: number;
  /** ms since epoch (the countdowns' reference). */
  clock?: () => number;
  /** Shown above an empty pending list when the server runs in another window. */
  remoteNote?: string;
}

/** The reason written when the person denies without typing one. */
export const PANEL_DENY_REASON = 'Denied in the VS Code Approvals panel by the person reviewing the request.';

const NO_AUDIT_MESSAGE = 'The governance server is not running, so there is no audit log to read. Run "Codex Governance: Start Server".';

export class ApprovalsPanelHandler {
  private filters: HistoryFilters = {};
  private tail: string | undefined;
  private generation = 0;
  private ready = false;
  private pendingFilters: HistoryFilters | undefined;
  private subscription: { dispose(): void } | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling: Promise<void> | undefined;
  private readonly renders = new RenderWaiter<ApprovalsRenderReport>();
  private lastReport: ApprovalsRenderReport | undefined;

  /**
   * @param audit the audit source now (undefined while no server answers); asked on every read,
   *   so a server started or moved to another window is picked up
   */
  constructor(
    private readonly pending: PendingSource,
    private readonly audit: () => AuditReader | undefined,
    private readonly post: (message: ApprovalsHostMessage) => void,
    private readonly options: ApprovalsPanelHandlerOptions = {},
  ) {}

  /** Handles one raw message from the page; failures are posted to the page as `error`, never thrown. */
  async handle(raw: unknown): Promise<void> {
    try {
      const message = parseApprovalsPageMessage(raw);
      switch (message.type) {
        case 'rendered':
          this.lastReport = { pending: message.pending, history: message.history, filters: message.filters, renders: (this.lastReport?.renders ?? 0) + 1 };
          return this.renders.resolve(this.lastReport);
        case 'ready': {
          this.ready = true;
          this.subscription ??= this.pending.onDidChange(() => {
            this.postPending();
            // The broker writes the answer's audit line right after the request leaves the list.
            this.pollSoon();
          });
          this.timer ??= setInterval(() => this.pollSoon(), this.options.pollMs ?? 2000);
          this.timer.unref?.();
          this.postPending();
          const filters = this.pendingFilters ?? message.filters ?? {};
          this.pendingFilters = undefined;
          return await this.loadFirst(filters);
        }
        case 'answer': {
          const answer: ApprovalAnswer =
            message.decision === 'deny' ? { decision: 'deny', reason: message.reason?.trim() || PANEL_DENY_REASON } : { decision: message.decision };
          const ok = this.pending.answer(message.id, answer);
          this.post({
            type: 'answered',
            id: message.id,
            ok,
            message: ok ? answerText(answer) : 'This request was already answered or timed out.',
          });
          if (!ok) this.postPending();
          return;
        }
        case 'filter':
          return await this.loadFirst(message.filters);
        case 'more':
          return await this.loadMore(message.cursor);
      }
    } catch (err) {
      this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * Applies history filters chosen outside the page (the show command's argument), through the
   * page so its controls match; before `ready` they replace the restored ones.
   * @throws Error naming the bad field of `raw`
   */
  apply(raw: unknown): void {
    const filters = parseHistoryFilters(raw);
    if (this.ready) this.post({ type: 'apply', filters });
    else this.pendingFilters = filters;
  }

  /** Resolves with the page's next render report; rejects after `timeoutMs` (ms). */
  nextRender(timeoutMs: number): Promise<ApprovalsRenderReport> {
    return this.renders.next('Approvals', timeoutMs);
  }

  lastRender(): ApprovalsRenderReport | undefined {
    return this.lastReport;
  }

  /** Resolves once the running check for new audit lines (if any) is done; for tests. */
  async settled(): Promise<void> {
    while (this.polling) await this.polling;
  }

  dispose(): void {
    this.subscription?.dispose();
    this.subscription = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.generation++;
    this.renders.dispose();
  }

  private postPending(): void {
    const items = this.pending.list().map(toPendingItem);
    const source = this.audit();
    const note = items.length === 0 && source?.kind === 'http' ? this.options.remoteNote : undefined;
    this.post({ type: 'pending', items, now: (this.options.clock ?? Date.now)(), ...(note ? { note } : {}) });
  }

  private source(): AuditReader {
    const source = this.audit();
    if (!source) throw new Error(NO_AUDIT_MESSAGE);
    return source;
  }

  private query(filters: HistoryFilters): AuditQuery {
    return {
      type: 'approval.answered',
      order: 'desc',
      limit: this.options.pageSize ?? HISTORY_PAGE_SIZE,
      ...(filters.outcome ? { outcome: filters.outcome } : {}),
      ...(filters.risk ? { risk: filters.risk } : {}),
      ...(filters.source ? { source: filters.source } : {}),
      ...(filters.agent ? { agent: filters.agent } : {}),
      ...(filters.text ? { q: filters.text } : {}),
    };
  }

  private async loadFirst(filters: HistoryFilters): Promise<void> {
    const generation = ++this.generation;
    const page = await this.source().readAudit(this.query(filters));
    if (generation !== this.generation) return; // newer filters replaced these
    this.filters = filters;
    this.tail = page.tail_cursor;
    this.post({ type: 'history', filters, rows: page.entries.map(toHistoryRow), cursor: page.next_cursor, hasMore: page.has_more, append: false });
  }

  private async loadMore(cursor: string): Promise<void> {
    const generation = this.generation;
    const page = await this.source().readAudit({ ...this.query(this.filters), cursor });
    if (generation !== this.generation) return;
    this.post({ type: 'history', filters: this.filters, rows: page.entries.map(toHistoryRow), cursor: page.next_cursor, hasMore: page.has_more, append: true });
  }

  private pollSoon(): void {
    if (!this.ready || this.polling || this.tail === undefined) return;
    this.polling = this.poll()
      .catch(() => undefined) // the next tick tries again; a server that went away shows on the next load
      .finally(() => (this.polling = undefined));
  }

  /** Adds the answers appended after the loaded page, with the same filters. */
  private async poll(): Promise<void> {
    const generation = this.generation;
    const tail = this.tail;
    if (tail === undefined) return;
    const source = this.audit();
    if (!source) return;
    const rows: HistoryRow[] = [];
    let cursor = tail;
    for (;;) {
      const page = await source.readAudit({ ...this.query(this.filters), order: 'asc', limit: 1000, cursor });
      rows.push(...page.entries.map(toHistoryRow));
      cursor = page.next_cursor;
      if (!page.has_more) break;
    }
    if (generation !== this.generation || this.tail !== tail) return;
    this.tail = cursor;
    if (rows.length) this.post({ type: 'history-new', rows: rows.reverse() });
  }
}

function answerText(answer: ApprovalAnswer): string {
  if (answer.decision === 'deny') return `${APPROVAL_LABELS.done.deny}. The agent was told: ${answer.reason ?? PANEL_DENY_REASON}`;
  return `${APPROVAL_LABELS.done[answer.decision]}.`;
}

/** The panel's view of a pending request (the title the modal and the view show). */
export function toPendingItem(p: PendingApproval): PendingItem {
  const item: PendingItem = { id: p.id, title: promptTitle(p), source: p.source, risk: p.risk, requestedAt: p.requestedAt, deadline: p.deadline };
  for (const key of ['agentId', 'sessionId', 'command', 'cwd', 'sandbox', 'approvalPolicy', 'mode', 'reason'] as const) {
    const value = p[key];
    if (value !== undefined) item[key] = value;
  }
  const why = gateReasons(p);
  if (why.length) item.why = why;
  return item;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** An `approval.answered` audit line as a history row (fields the broker writes, see ../../approvals/broker). */
export function toHistoryRow(r: AuditRecord): HistoryRow {
  return {
    ts: r.ts,
    id: text(r.id) ?? '',
    source: text(r.source) ?? 'unknown',
    agent: text(r.agent),
    session: text(r.session),
    command: text(r.command),
    cwd: text(r.cwd),
    sandbox: text(r.sandbox),
    risk: text(r.risk) ?? 'unknown',
    decision: text(r.decision) ?? 'unknown',
    decidedBy: text(r.decided_by) ?? 'unknown',
    reason: text(r.reason),
    waitMs: typeof r.wait_ms === 'number' ? r.wait_ms : null,
    server: text(r.server),
  };
}
