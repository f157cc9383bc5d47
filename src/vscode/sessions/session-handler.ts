/**
 * The Session panel's host logic, without `vscode`: answers the page's `ready` with the session's
 * header, transcript, streaming text and pending approvals; posts new transcript events as the
 * server reports session changes (GovernanceClient.onDidChange topic `sessions`) and streamed text
 * as it arrives (`onSessionStream`, batched over {@link STREAM_BATCH_MS}; a client without it, the
 * server of another window, is polled every {@link POLL_WHILE_RUNNING_MS} while a turn runs); runs
 * the page's reply, stop-turn and end-session through `codex-reply` / `codex-cleanup`, answers
 * approvals through the same prompter as the Approvals view, and copies or exports the transcript
 * as Markdown. One instance per open panel (one panel per session).
 */
import type { PendingApproval } from '../../approvals/types';
import type { ApprovalAnswer } from '../../approvals/vocabulary';
import type { GovernanceClientSource } from '../../client/select';
import { cancelSession, getSession, replyToSession, stopTurn } from '../../client/sessions';
import { getObservedSession, observedAsSession, observedSessionIdOf } from './observed-model';
import type { SessionDetails, SessionStreamDelta } from '../../client/types';
import { transcriptMarkdown } from '../../webviews/session/export';
import type { LiveDelta, PendingCard, SessionHeader, SessionHostMessage, TranscriptEvent } from '../../webviews/session/protocol';
import { parseSessionPageMessage } from '../../webviews/session/schema';
import { sessionTitle } from './sessions-model';
import { LivePanelHandler } from '../panels/live-panel';

/** Streamed text is posted at most this often (ms): one message per batch, not one per token. */
export const STREAM_BATCH_MS = 8;
/** How often a session of another window's server is read while its turn runs (ms). */
export const POLL_WHILE_RUNNING_MS = 1000;

/** What the page drew last. */
export interface SessionRenderReport {
  sessionId: string;
  /** Transcript events on the page. */
  events: number;
  status: string;
  /** Renders reported by this panel's pages so far, this one included. */
  renders: number;
  /** Delta-to-screen times of the streamed text the page drew (ms). */
  stream?: { deltas: number; p50Ms: number; p95Ms: number; maxMs: number; pageP50Ms: number };
  /** The page's JS heap (bytes; 0 where the browser does not say). */
  heapBytes?: number;
  /** DOM elements in the transcript. */
  nodes?: number;
}

/** The approvals the panel shows and answers (VsCodeApprovalPrompter satisfies it). */
export interface PendingApprovals {
  list(): PendingApproval[];
  /** @returns false when the request is no longer open */
  answer(id: string, answer: ApprovalAnswer): boolean;
  onDidChange(listener: () => void): { dispose(): void };
}

/** One file of a change, as "Open diff" gets it. */
export interface ChangeToOpen {
  path: string;
  kind: string;
  diff: string;
  /** The session's folder (relative paths are in it). */
  cwd: string;
}

export interface SessionHandlerDeps {
  clients: Pick<GovernanceClientSource, 'current' | 'onDidChangeClient'>;
  post: (message: SessionHostMessage) => void;
  /** Called with every header posted (the host titles its tab with it). */
  onHeader?: (header: SessionHeader) => void;
  /** This window's open approval requests; absent: no cards (the server runs elsewhere). */
  approvals?: PendingApprovals;
  copy?: (text: string) => Promise<void>;
  /** Asks where to save `markdown` and writes it; resolves with the path, or undefined when cancelled. */
  saveMarkdown?: (markdown: string, suggestedName: string) => Promise<string | undefined>;
  openDiff?: (change: ChangeToOpen) => Promise<void>;
  /** Shows the session without controls (a session observed, not run, by this server). */
  readOnly?: boolean;
}

export const NO_SERVER = 'The governance server is not running. Run "Codex Governance: Start Server", and this panel loads again.';

/** The reason written when the person denies from the panel. */
export const SESSION_PANEL_DENY_REASON = 'Denied in the Session panel by the person reviewing the request.';

export class SessionPanelHandler extends LivePanelHandler<SessionRenderReport> {
  private shown: TranscriptEvent[] = [];
  /** Every event the page was sent since its last snapshot, in the page's order (its `index`). */
  private sent: TranscriptEvent[] = [];
  private header: SessionHeader | undefined;
  private offStream: (() => void) | undefined;
  private offApprovals: { dispose(): void } | undefined;
  private deltas: LiveDelta[] = [];
  private streamTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly sessionId: string,
    private readonly deps: SessionHandlerDeps,
  ) {
    super(deps.clients, 'sessions', 'Session', NO_SERVER);
  }

  /** Another server may hold another transcript: the next load sends a snapshot. */
  protected override clientReplaced(): void {
    this.header = undefined;
    this.subscribeStream();
  }

  /** Handles one raw message from the page; failures are posted to the page as `error`, never thrown. */
  async handle(raw: unknown): Promise<void> {
    try {
      const message = parseSessionPageMessage(raw);
      switch (message.type) {
        case 'rendered': {
          const { type: _type, ...report } = message;
          return this.rendered((renders) => ({ ...report, renders }));
        }
        case 'ready':
          this.pageReady();
          this.subscribeStream();
          this.offApprovals ??= this.deps.approvals?.onDidChange(() => this.post({ type: 'pending', pending: this.pending() }));
          // A reloaded page shows nothing yet: send everything.
          this.header = undefined;
          return await this.refresh();
        case 'reply':
          return await this.reply(message.prompt);
        case 'stop':
          return await this.stop();
        case 'cancel':
          return await this.cancel();
        case 'approve':
          return this.approve(message.id, message.decision);
        case 'copy':
          await this.deps.copy?.(message.text);
          return this.post({ type: 'action', action: 'copy', busy: false, note: 'Copied.' });
        case 'export':
          return await this.export(message.to);
        case 'open-diff':
          return await this.openDiff(message.index, message.path);
      }
    } catch (err) {
      this.post({ type: 'error', message: messageOf(err) });
    }
  }

  override dispose(): void {
    this.offStream?.();
    this.offApprovals?.dispose();
    clearTimeout(this.streamTimer);
    clearTimeout(this.pollTimer);
    super.dispose();
  }

  /**
   * Loads the session and posts what the page lacks: a `snapshot` the first time (or when the
   * bounded transcript no longer continues what was shown), else an `append` of the new events.
   */
  protected async load(): Promise<void> {
    if (this.disposed) return;
    let session: SessionDetails;
    const client = this.deps.clients.current;
    try {
      const observed = observedSessionIdOf(this.sessionId);
      session = observed ? observedAsSession(await getObservedSession(this.client(), observed)) : await getSession(this.client(), this.sessionId);
    } catch (err) {
      this.post({ type: 'error', message: messageOf(err) });
      return;
    }
    if (this.disposed) return;
    const header = headerOf(session, this.deps.readOnly === true || observedSessionIdOf(this.sessionId) !== undefined);
    const events = session.transcript;
    const added = this.header === undefined ? undefined : appendedEvents(this.shown, events);
    const headerChanged = JSON.stringify(header) !== JSON.stringify(this.header);
    const polled = client?.onSessionStream === undefined;
    this.header = header;
    this.shown = events;
    if (headerChanged) this.deps.onHeader?.(header);
    const live = (session.live ?? []).map((l) => ({ ...l }));
    if (!added) {
      this.sent = [...events];
      this.post({ type: 'snapshot', header, events, live, pending: this.pending() });
    } else if (added.length || headerChanged || (polled && live.length)) {
      this.sent.push(...added);
      this.post({ type: 'append', header, events: added, ...(polled ? { live } : {}) });
    }
    // Without a stream, a running turn's text is read again shortly.
    clearTimeout(this.pollTimer);
    if (polled && (header.status === 'running' || header.status === 'starting')) this.pollTimer = setTimeout(() => void this.refresh(), POLL_WHILE_RUNNING_MS);
  }

  private subscribeStream(): void {
    this.offStream?.();
    this.offStream = this.deps.clients.current?.onSessionStream?.((d) => this.onDelta(d));
  }

  private onDelta(d: SessionStreamDelta): void {
    if (d.sessionId !== this.sessionId || this.disposed) return;
    this.deltas.push({ itemId: d.itemId, kind: d.kind, delta: d.delta, at: d.at, ...(d.offset !== undefined ? { offset: d.offset } : {}) });
    this.streamTimer ??= setTimeout(() => {
      this.streamTimer = undefined;
      const deltas = this.deltas;
      this.deltas = [];
      if (deltas.length) this.post({ type: 'stream', deltas });
    }, STREAM_BATCH_MS);
  }

  private pending(): PendingCard[] {
    return (this.deps.approvals?.list() ?? []).filter((p) => p.sessionId === this.sessionId).map(pendingCardOf);
  }

  private approve(id: string, decision: ApprovalAnswer['decision']): void {
    const approvals = this.deps.approvals;
    const answered = approvals?.answer(id, decision === 'deny' ? { decision, reason: SESSION_PANEL_DENY_REASON } : { decision }) === true;
    if (!answered) this.post({ type: 'action', action: 'approve', busy: false, error: 'This approval is no longer open: it was answered elsewhere, timed out, or its turn ended.' });
    this.post({ type: 'pending', pending: this.pending() });
  }

  private async reply(prompt: string): Promise<void> {
    const client = this.client();
    // The server decides whether the session can take it (a running turn is a conflict); an
    // ended app-server session is resumed in a new process.
    this.post({ type: 'action', action: 'reply', busy: true });
    try {
      const answer = await replyToSession(client, this.sessionId, prompt);
      this.post({ type: 'action', action: 'reply', busy: false, answer: answer.content });
    } catch (err) {
      const message = messageOf(err);
      // A stopped turn is what the person asked for, not a failure.
      if (message.startsWith('The turn was stopped')) this.post({ type: 'action', action: 'reply', busy: false, note: message });
      else this.post({ type: 'action', action: 'reply', busy: false, error: message });
    }
    await this.refresh();
  }

  private async stop(): Promise<void> {
    this.post({ type: 'action', action: 'stop', busy: true });
    try {
      const stopped = await stopTurn(this.client(), this.sessionId);
      this.post({ type: 'action', action: 'stop', busy: false, note: stopped ? 'The turn was stopped; its output so far stays in the transcript.' : 'No turn was running.' });
    } catch (err) {
      this.post({ type: 'action', action: 'stop', busy: false, error: messageOf(err) });
    }
    await this.refresh();
  }

  /** Ends the session (the page asked the person first when a turn runs). */
  private async cancel(): Promise<void> {
    this.post({ type: 'action', action: 'cancel', busy: true });
    try {
      await cancelSession(this.client(), this.sessionId);
      this.post({ type: 'action', action: 'cancel', busy: false });
    } catch (err) {
      this.post({ type: 'action', action: 'cancel', busy: false, error: messageOf(err) });
    }
    await this.refresh();
  }

  private async export(to: 'clipboard' | 'file'): Promise<void> {
    if (!this.header) throw new Error('The session has not loaded yet.');
    const markdown = transcriptMarkdown(this.header, this.shown, new Date().toISOString());
    if (to === 'clipboard') {
      if (!this.deps.copy) throw new Error('Copying is not available here.');
      await this.deps.copy(markdown);
      return this.post({ type: 'action', action: 'export', busy: false, note: `Transcript copied as Markdown (${this.shown.length} events).` });
    }
    if (!this.deps.saveMarkdown) throw new Error('Saving is not available here.');
    const path = await this.deps.saveMarkdown(markdown, `codex-session-${this.sessionId.slice(0, 8)}.md`);
    if (path) this.post({ type: 'action', action: 'export', busy: false, note: `Transcript saved to ${path}.` });
  }

  private async openDiff(index: number, path: string): Promise<void> {
    const change = this.sent[index]?.changes?.find((c) => c.path === path);
    if (!change || !this.header) throw new Error(`No file change of ${path} at event ${index} of this transcript; reload the panel.`);
    if (!this.deps.openDiff) throw new Error('Opening diffs is not available here.');
    await this.deps.openDiff({ ...change, cwd: this.header.cwd });
  }

  private post(message: SessionHostMessage): void {
    if (!this.disposed) this.deps.post(message);
  }
}

/** A pending approval as the page's card shows it. */
export function pendingCardOf(p: PendingApproval): PendingCard {
  return { id: p.id, source: p.source, risk: p.risk, deadline: p.deadline, ...(p.command ? { command: p.command } : {}), ...(p.cwd ? { cwd: p.cwd } : {}), ...(p.reason ? { reason: p.reason } : {}) };
}

/** The header fields of a session as the page shows them, and what the panel can do with it. */
export function headerOf(s: SessionDetails, readOnly = false): SessionHeader {
  // An ended app-server thread is reopened by the next codex-reply (thread/resume in a new process).
  const resumable = (s.status === 'closed' || s.status === 'lost') && s.backend === 'app-server' && s.threadId !== null;
  return {
    sessionId: s.session_id,
    threadId: s.threadId,
    status: s.status,
    title: sessionTitle(s, 120),
    sandbox: s.sandbox,
    approvalPolicy: s.approvalPolicy,
    cwd: s.cwd,
    model: s.model,
    backend: s.backend,
    codexVersion: s.codexVersion,
    turns: s.turns,
    tokens: { input: s.tokens.input, cachedInput: s.tokens.cachedInput, output: s.tokens.output, total: s.tokens.total },
    lastActivityAt: s.lastActivityAt,
    lastError: s.lastError,
    agentId: s.agentId,
    canReply: !readOnly && (s.status === 'idle' || resumable),
    resumable: !readOnly && resumable,
    readOnly,
  };
}

/**
 * The events of `next` after those in `shown`, when `next` continues `shown` (the supervisor drops
 * the oldest events past its bound, so `next` may begin later); undefined when it does not, and the
 * page must be sent everything again.
 */
export function appendedEvents(shown: readonly TranscriptEvent[], next: readonly TranscriptEvent[]): TranscriptEvent[] | undefined {
  const last = shown.at(-1);
  if (!last) return [...next];
  const key = (e: TranscriptEvent) => `${e.at}\u0000${e.type}\u0000${e.summary}`;
  const lastKey = key(last);
  for (let i = next.length - 1; i >= 0; i--) {
    if (key(next[i]!) === lastKey) return next.slice(i + 1);
  }
  return undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
