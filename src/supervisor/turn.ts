/**
 * One turn's lifecycle: the child is started (or a spare adopted), the turn runs under a deadline
 * (`toolTimeoutMs`) and the caller's cancel signal, and every way it can end maps to one
 * {@link CodexTurnError} kind with the session's record updated: `codex` (Codex reported an error),
 * `deadline`, `cancelled` (the turn was interrupted and, since Codex keeps commands running after
 * an interrupt with `codex mcp-server`, the session's process tree ended), `stopped` ("stop this
 * turn": Codex confirmed the interrupt and the session stays open for the next prompt; when it did
 * not confirm in time the session ends as for `cancelled`), `lost` (the process died), `closed`
 * (we ended the session), `start` (no child could be started). Text Codex was still streaming when
 * the turn ended is kept in the transcript as `agent_message_partial` / `reasoning_partial` events.
 */
import { clip, fullText, TurnInterruptedError, TurnNeverStartedError, type CodexChild, type CodexEvent, type TokenUsage, type TurnOutcome } from './backend';
import { CodexTurnError } from './errors';
import type { CodexBackend, LocatedCodex } from './locate';
import { emptyUsage, isActive } from './session';
import type { SessionEntry } from './session-entry';

/** A finished turn, as the tools return it. */
export interface CodexTurnResult {
  sessionId: string;
  threadId: string;
  content: string;
  backend: CodexBackend;
  /** Wall time of the call in ms. */
  durationMs: number;
  /** Tokens of this turn. */
  usage: TokenUsage;
}

/** What a turn needs from the supervisor. */
export interface TurnHost {
  /** Deadline of one turn (ms). */
  readonly toolTimeoutMs: number;
  /** Starts (or adopts a spare as) the session's child. */
  spawnChild(entry: SessionEntry, located: LocatedCodex): Promise<CodexChild>;
  /** Ends the session and its process tree. */
  endSession(entry: SessionEntry, reason: string): Promise<void>;
  /** The record changed (events, persistence). */
  changed(entry: SessionEntry): void;
  /** Appends to the session's transcript. */
  addEvent(entry: SessionEntry, event: CodexEvent): void;
  /** A call finished; `kind` is `ok` or the error kind. */
  finished(e: { sessionId: string; backend: CodexBackend; ok: boolean; seconds: number; kind: string }): void;
}

/**
 * Runs `body` as the session's turn; with `located`, in a new child first.
 * @throws CodexTurnError
 */
export async function runTurn(
  host: TurnHost,
  entry: SessionEntry,
  located: LocatedCodex | undefined,
  callerSignal: AbortSignal,
  body: (child: CodexChild, signal: AbortSignal) => Promise<TurnOutcome>,
): Promise<CodexTurnResult> {
  const r = entry.record;
  const t0 = performance.now();
  const ac = new AbortController();
  entry.turnAbort = ac;
  entry.turnUsage = emptyUsage();
  const onCancel = () => ac.abort('cancelled');
  if (callerSignal.aborted) ac.abort('cancelled');
  else callerSignal.addEventListener('abort', onCancel, { once: true });
  const deadline = setTimeout(() => ac.abort('deadline'), host.toolTimeoutMs);
  let child = entry.child;
  try {
    if (located) {
      try {
        child = await host.spawnChild(entry, located);
      } catch (err) {
        throw new CodexTurnError(`Could not start Codex ${located.version} (${located.backend}) at ${located.path}: ${err instanceof Error ? err.message : String(err)}`, 'start', r.id, r.threadId);
      }
    }
    if (!child) throw new CodexTurnError(`Session ${r.id} has no Codex process.`, 'lost', r.id, r.threadId);
    r.status = 'running';
    r.lastActivityAt = new Date().toISOString();
    host.changed(entry);
    const outcome = await body(child, ac.signal);
    keepPartial(host, entry);
    r.turns++;
    r.lastActivityAt = new Date().toISOString();
    if (outcome.threadId) r.threadId = outcome.threadId;
    if (entry.closing || !child.alive()) throw endedError(entry);
    r.status = 'idle';
    if (outcome.isError) {
      r.lastError = outcome.content;
      host.changed(entry);
      throw new CodexTurnError(outcome.content || 'Codex reported an error without a message.', 'codex', r.id, r.threadId);
    }
    r.lastError = null;
    host.changed(entry);
    host.finished({ sessionId: r.id, backend: r.backend, ok: true, seconds: (performance.now() - t0) / 1000, kind: 'ok' });
    return { sessionId: r.id, threadId: r.threadId ?? outcome.threadId, content: outcome.content, backend: r.backend, durationMs: performance.now() - t0, usage: { ...entry.turnUsage } };
  } catch (err) {
    keepPartial(host, entry);
    const e = await turnFailure(host, entry, child, err);
    host.finished({ sessionId: r.id, backend: r.backend, ok: false, seconds: (performance.now() - t0) / 1000, kind: e.kind });
    throw e;
  } finally {
    clearTimeout(deadline);
    callerSignal.removeEventListener('abort', onCancel);
    if (entry.turnAbort === ac) entry.turnAbort = undefined;
  }
}

function endedError(entry: SessionEntry): CodexTurnError {
  const r = entry.record;
  if (entry.closing || r.status === 'closed') return new CodexTurnError(`Session ${r.id} was closed during the turn: ${r.lastError ?? 'closed'}`, 'closed', r.id, r.threadId);
  return new CodexTurnError(
    `${r.lastError ?? 'The Codex process ended during the turn.'} The session is lost; start a new one with the codex tool${r.backend === 'app-server' ? ' or continue the thread with codex-reply (it is resumed in a new process)' : ''}.`,
    'lost',
    r.id,
    r.threadId,
  );
}

async function turnFailure(host: TurnHost, entry: SessionEntry, child: CodexChild | undefined, err: unknown): Promise<CodexTurnError> {
  const r = entry.record;
  if (err instanceof CodexTurnError) {
    if (err.kind === 'start') {
      r.status = 'closed';
      r.endedAt = new Date().toISOString();
      r.lastError = err.message;
      host.changed(entry);
    }
    return err;
  }
  if (err instanceof TurnNeverStartedError) {
    // The process took the request and went silent: nothing more will come from it.
    const message = `${err.message} Its Codex process was ended with the session; start a new session with the codex tool.`;
    if (!entry.closing) await host.endSession(entry, message);
    return new CodexTurnError(message, 'lost', r.id, r.threadId);
  }
  if (err instanceof TurnInterruptedError && err.reason === 'stopped' && err.settled && child?.alive() && !entry.closing) {
    r.turns++;
    r.status = 'idle';
    r.lastError = null;
    r.lastActivityAt = new Date().toISOString();
    host.changed(entry);
    return new CodexTurnError('The turn was stopped; its output so far is in the transcript and the session takes the next prompt.', 'stopped', r.id, r.threadId);
  }
  if (err instanceof TurnInterruptedError) {
    // Codex stays alive after a cancelled turn and may keep its command running (mcp-server);
    // the interrupt only gives it the chance to stop cleanly before its process tree is ended.
    const why =
      err.reason === 'deadline' ? `Codex did not finish within ${host.toolTimeoutMs} ms (tool timeout)${lastProblem(entry)}.` : err.reason === 'stopped' ? 'The turn was stopped.' : 'The call was cancelled.';
    const next = r.backend === 'app-server' ? ' codex-reply resumes the thread in a new process.' : ' Start a new session with the codex tool.';
    if (!entry.closing) {
      r.lastError = `${why} The turn was interrupted${err.settled ? '' : ' (Codex did not confirm in time)'} and its Codex process ended.${next}`;
      await host.endSession(entry, r.lastError);
    }
    return new CodexTurnError(r.lastError ?? why, err.reason, r.id, r.threadId);
  }
  if (entry.closing || r.status === 'closed' || r.status === 'lost' || (child && !child.alive())) {
    if (child && !child.alive() && isActive(r.status) && !entry.closing) {
      r.status = 'lost';
      r.pid = null;
      r.endedAt = new Date().toISOString();
      r.lastError ??= 'The Codex process ended during the turn.';
      host.changed(entry);
    }
    return endedError(entry);
  }
  const message = err instanceof Error ? err.message : String(err);
  r.lastError = message;
  if (child?.alive()) r.status = 'idle';
  host.changed(entry);
  return new CodexTurnError(`Codex call failed: ${message}`, 'codex', r.id, r.threadId);
}

/** `; last Codex error: ...` from the transcript, so a deadline says what Codex was stuck on. */
function lastProblem(entry: SessionEntry): string {
  const t = entry.record.transcript;
  for (let i = t.length - 1; i >= 0; i--) {
    const e = t[i];
    if (e && (e.type === 'stream_error' || e.type === 'error')) return `; last Codex error: ${e.summary} (is the model provider reachable?)`;
  }
  return '';
}

/** Turns what Codex was still streaming into transcript events, so an interrupted answer is not lost. */
function keepPartial(host: TurnHost, entry: SessionEntry): void {
  const live = entry.record.live;
  if (!live?.length) return;
  entry.record.live = [];
  for (const item of live) {
    if (item.kind === 'output' || !item.text) continue;
    host.addEvent(entry, { at: new Date().toISOString(), type: item.kind === 'agent' ? 'agent_message_partial' : 'reasoning_partial', summary: clip(item.text), text: fullText(item.text), itemId: item.itemId });
  }
}
