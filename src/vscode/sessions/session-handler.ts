/**
 * The Session panel's host logic, without `vscode`: answers the page's `ready` with the session's
 * header and transcript, streams new transcript events as the server reports session changes
 * (GovernanceClient.onDidChange topic `sessions`), and runs the page's reply and cancel through
 * the `codex-reply` / `codex-cleanup` tools. One instance per open panel (one panel per session).
 */
import type { GovernanceClientSource } from '../../client/select';
import { cancelSession, getSession, replyToSession } from '../../client/sessions';
import type { SessionDetails } from '../../client/types';
import { type SessionHeader, type SessionHostMessage, type TranscriptEvent } from '../../webviews/session/protocol';
import { parseSessionPageMessage } from '../../webviews/session/schema';
import { sessionTitle } from './sessions-model';
import { LivePanelHandler } from '../panels/live-panel';

/** What the page drew last. */
export interface SessionRenderReport {
  sessionId: string;
  /** Transcript events on the page. */
  events: number;
  status: string;
  /** Renders reported by this panel's pages so far, this one included. */
  renders: number;
}

export interface SessionHandlerDeps {
  clients: Pick<GovernanceClientSource, 'current' | 'onDidChangeClient'>;
  post: (message: SessionHostMessage) => void;
  /** Asked before cancelling a session that is running a turn; true = go ahead. */
  confirmCancel: (header: SessionHeader) => Promise<boolean>;
  /** Called with every header posted (the host titles its tab with it). */
  onHeader?: (header: SessionHeader) => void;
}

export const NO_SERVER = 'The governance server is not running. Run "Codex Governance: Start Server", and this panel loads again.';

export class SessionPanelHandler extends LivePanelHandler<SessionRenderReport> {
  private shown: TranscriptEvent[] = [];
  private header: SessionHeader | undefined;

  constructor(
    readonly sessionId: string,
    private readonly deps: SessionHandlerDeps,
  ) {
    super(deps.clients, 'sessions', 'Session', NO_SERVER);
  }

  /** Another server may hold another transcript: the next load sends a snapshot. */
  protected override clientReplaced(): void {
    this.header = undefined;
  }

  /** Handles one raw message from the page; failures are posted to the page as `error`, never thrown. */
  async handle(raw: unknown): Promise<void> {
    try {
      const message = parseSessionPageMessage(raw);
      switch (message.type) {
        case 'rendered':
          return this.rendered((renders) => ({ sessionId: message.sessionId, events: message.events, status: message.status, renders }));
        case 'ready':
          this.pageReady();
          // A reloaded page shows nothing yet: send everything.
          this.header = undefined;
          return await this.refresh();
        case 'reply':
          return await this.reply(message.prompt);
        case 'cancel':
          return await this.cancel();
      }
    } catch (err) {
      this.post({ type: 'error', message: messageOf(err) });
    }
  }

  /**
   * Loads the session and posts what the page lacks: a `snapshot` the first time (or when the
   * bounded transcript no longer continues what was shown), else an `append` of the new events.
   */
  protected async load(): Promise<void> {
    if (this.disposed) return;
    let session: SessionDetails;
    try {
      session = await getSession(this.client(), this.sessionId);
    } catch (err) {
      this.post({ type: 'error', message: messageOf(err) });
      return;
    }
    if (this.disposed) return;
    const header = headerOf(session);
    const events = session.transcript;
    const added = this.header === undefined ? undefined : appendedEvents(this.shown, events);
    const headerChanged = JSON.stringify(header) !== JSON.stringify(this.header);
    this.header = header;
    this.shown = events;
    if (headerChanged) this.deps.onHeader?.(header);
    if (!added) this.post({ type: 'snapshot', header, events });
    else if (added.length || headerChanged) this.post({ type: 'append', header, events: added });
  }

  private async reply(prompt: string): Promise<void> {
    const client = this.client();
    // The server decides whether the session can take it (a running turn is a conflict).
    this.post({ type: 'action', action: 'reply', busy: true });
    try {
      const answer = await replyToSession(client, this.sessionId, prompt);
      this.post({ type: 'action', action: 'reply', busy: false, answer: answer.content });
    } catch (err) {
      this.post({ type: 'action', action: 'reply', busy: false, error: messageOf(err) });
    }
    await this.refresh();
  }

  private async cancel(): Promise<void> {
    const client = this.client();
    const header = headerOf(await getSession(client, this.sessionId));
    if (header.status === 'running' || header.status === 'starting') {
      if (!(await this.deps.confirmCancel(header))) {
        this.post({ type: 'action', action: 'cancel', busy: false });
        return;
      }
    }
    this.post({ type: 'action', action: 'cancel', busy: true });
    try {
      await cancelSession(client, this.sessionId);
      this.post({ type: 'action', action: 'cancel', busy: false });
    } catch (err) {
      this.post({ type: 'action', action: 'cancel', busy: false, error: messageOf(err) });
    }
    await this.refresh();
  }

  private post(message: SessionHostMessage): void {
    if (!this.disposed) this.deps.post(message);
  }
}

/** The header fields of a session as the page shows them. */
export function headerOf(s: SessionDetails): SessionHeader {
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
