/**
 * The Codex supervisor: runs Codex turns for the `codex` tools in supervised child processes, one
 * child per session, behind the backend chosen for the installed Codex (see ./locate).
 *
 * Guarantees (DESIGN.md "Codex supervisor", issue 3):
 * - at most `maxSessions` children (default 10). When all are taken, the least recently used idle
 *   session is closed to make room; if every one is running a turn, the call fails at once with
 *   {@link CodexBusyError} (it does not wait), so callers see back-pressure instead of a hang;
 * - every turn has a deadline (`toolTimeoutMs`, default 10 min) and follows the caller's cancel
 *   signal: the turn is interrupted in the child, Codex gets `interruptGraceMs` (default 3 s) to
 *   confirm, then the child's whole process tree is ended (session `closed`). Codex itself waits
 *   forever for an unreachable provider and stays alive after a cancelled turn (keeping its
 *   command running, with `codex mcp-server`); neither survives here. An app-server thread ended
 *   this way continues with `codex-reply` in a new process (`thread/resume`);
 * - idle sessions are closed after `sessionIdleTimeoutMs` (default 5 min), checked every
 *   `cleanupIntervalMs` (default 60 s); `close()` ends every child;
 * - a child that dies on its own marks its session `lost`; the next `codex` call starts a fresh
 *   child, and `codex-reply` on an app-server thread resumes it in a new child from its rollout.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { DenyAllApprovalBroker, type ApprovalBroker } from '../approvals/vocabulary';
import { nullLogger, type Logger } from '../util/log';
import { startAppServerChild } from './app-server-backend';
import type { ChildHooks, CodexChild, CodexEvent, StartChildOptions, ThreadSettings } from './backend';
import { CodexBusyError, CodexSessionNotFoundError, CodexSessionStateError } from './errors';
import { SessionGate } from './gate/session-gate';
import { locateCodex, type CodexBackend, type LocatedCodex } from './locate';
import { startMcpServerChild } from './mcp-server-backend';
import { emptyUsage, isActive, type CodexSessionRecord } from './session';
import { recordSnapshot, userEvent, type SessionEntry } from './session-entry';
import { SessionWriter } from './session-writer';
import { SparePool } from './spare-pool';
import { sessionHooks, type SessionHooksHost } from './session-hooks';
import { SupervisorStats } from './stats';
import { SUPERVISOR_DEFAULTS, type CodexReplyRequest, type CodexRunRequest, type CodexSupervisorOptions, type SupervisorEventMap } from './api';
import { runTurn, type CodexTurnResult, type TurnHost } from './turn';

export class CodexSupervisor {
  readonly events = new EventEmitter<{ [K in keyof SupervisorEventMap]: [SupervisorEventMap[K]] }>();
  private readonly opts: typeof SUPERVISOR_DEFAULTS & CodexSupervisorOptions;
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly logger: Logger;
  private readonly approvals: ApprovalBroker;
  private locating: Promise<LocatedCodex> | undefined;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private readonly perf = new SupervisorStats();
  private readonly spares: SparePool;
  private readonly writer: SessionWriter;
  private readonly gate: SessionGate;
  private readonly turns: TurnHost;
  private readonly hooksHost: SessionHooksHost;
  // Idle sessions give way to new ones (see makeRoom), so only running turns make a spare useless.
  private readonly busy = () => [...this.sessions.values()].filter((e) => e.record.status === 'running' || e.record.status === 'starting').length >= this.opts.maxSessions;

  constructor(options: CodexSupervisorOptions = {}) {
    this.opts = { ...SUPERVISOR_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
    if (!(this.opts.maxSessions >= 1)) throw new RangeError(`maxSessions must be at least 1 (got ${options.maxSessions}).`);
    this.logger = options.logger ?? nullLogger;
    this.approvals = options.approvals ?? new DenyAllApprovalBroker();
    this.spares = new SparePool((located, hooks) => this.startChild(located, hooks, this.opts.defaultCwd ?? process.cwd()), this.opts.warmSpares >= 1, this.logger);
    this.writer = new SessionWriter(options.repository, (id) => this.sessions.get(id)?.record, this.logger);
    this.gate = new SessionGate({
      approvals: this.approvals,
      settings: () => this.opts.gate?.() ?? { workspaceRoots: [this.opts.defaultCwd ?? process.cwd()], askForConfigKeys: [] },
      env: this.opts.env ?? process.env,
      ...(this.opts.systemConfigPath ? { systemConfigPath: this.opts.systemConfigPath } : {}),
    });
    this.turns = {
      toolTimeoutMs: this.opts.toolTimeoutMs,
      spawnChild: (entry, located) => this.spawnChild(entry, located),
      endSession: (entry, reason) => this.endSession(entry, reason),
      changed: (entry) => this.changed(entry),
      addEvent: (entry, event) => this.addEvent(entry, event),
      finished: (e) => this.events.emit('turn-finished', e),
    };
    this.hooksHost = {
      approvals: this.approvals,
      addEvent: (entry, event) => this.addEvent(entry, event),
      changed: (entry) => this.changed(entry),
      usage: (entry, usage) => this.events.emit('usage', { sessionId: entry.record.id, backend: entry.record.backend, usage }),
      delta: (entry, d) => this.events.emit('session-delta', { ...d, sessionId: entry.record.id, at: Date.now() }),
    };
    this.events.setMaxListeners(0);
    this.events.on('turn-finished', (e) => this.perf.turn(e.kind, e.seconds * 1000));
    this.events.on('usage', (e) => this.perf.usage(e.usage));
    this.events.on('child-started', (e) => this.perf.childReady(e.backend, e.readyMs));
    if (options.located) this.locating = Promise.resolve(options.located);
    this.timer = setInterval(() => void this.cleanup({ force: false }).catch((e: unknown) => this.logger.warn(`Codex cleanup failed: ${String(e)}`)), this.opts.cleanupIntervalMs);
    this.timer.unref();
  }

  /** Effective limits, for `codex://config/current`. */
  settings(): { maxSessions: number; toolTimeoutMs: number; sessionIdleTimeoutMs: number; cleanupIntervalMs: number; interruptGraceMs: number; backend: CodexBackend | 'auto'; codexPath: string | null } {
    return {
      maxSessions: this.opts.maxSessions,
      toolTimeoutMs: this.opts.toolTimeoutMs,
      sessionIdleTimeoutMs: this.opts.sessionIdleTimeoutMs,
      cleanupIntervalMs: this.opts.cleanupIntervalMs,
      interruptGraceMs: this.opts.interruptGraceMs,
      backend: this.opts.backend ?? 'auto',
      codexPath: this.opts.codexPath ?? null,
    };
  }

  /**
   * The Codex binary in use (located once; a failure is not cached so a fixed setting applies).
   * @throws CodexLocateError
   */
  locate(): Promise<LocatedCodex> {
    if (!this.locating) {
      const p = locateCodex({ explicitPath: this.opts.codexPath, forcedBackend: this.opts.backend, env: this.opts.env, versionCacheFile: this.opts.versionCacheFile });
      this.locating = p;
      p.catch(() => {
        if (this.locating === p) this.locating = undefined;
      });
    }
    return this.locating;
  }

  /** Loads persisted records; sessions that were active when the host stopped are marked `lost`. */
  async restore(): Promise<number> {
    if (!this.opts.repository) return 0;
    const records = await this.opts.repository.list(this.opts.endedLimit);
    let n = 0;
    for (const r of records) {
      if (this.sessions.has(r.id)) continue;
      if (isActive(r.status)) {
        r.status = 'lost';
        r.pid = null;
        r.lastError ??= 'The host stopped while this session was active.';
        r.endedAt ??= new Date().toISOString();
        this.writer.write(r);
      }
      const settings: ThreadSettings = { cwd: r.cwd };
      if (r.sandbox) settings.sandbox = r.sandbox;
      if (r.approvalPolicy) settings.approvalPolicy = r.approvalPolicy;
      if (r.model) settings.model = r.model;
      this.sessions.set(r.id, { record: r, child: undefined, settings, closing: false, turnUsage: emptyUsage(), turnAbort: undefined });
      n++;
    }
    return n;
  }

  /**
   * Starts a session and runs its first turn.
   * @throws CodexBusyError, CodexLocateError, CodexTurnError (kind codex/deadline/cancelled/lost/closed/start)
   */
  async run(req: CodexRunRequest, signal: AbortSignal = new AbortController().signal): Promise<CodexTurnResult> {
    this.assertOpen();
    const settings: ThreadSettings = { ...req.settings, cwd: req.settings.cwd ?? this.opts.defaultCwd ?? process.cwd() };
    this.spares.warmCwd = settings.cwd;
    const sessionId = randomUUID();
    // The gate judges the configuration Codex will really run with, before any child is asked, so
    // a refusal or a denial leaves nothing running; Codex then gets the sandbox that was judged.
    const approvedReasons = await this.gate.admit(sessionId, settings, { prompt: req.prompt, ...(req.agentId ? { agentId: req.agentId } : {}), ...(req.mode ? { mode: req.mode } : {}) }, signal);
    const located = await this.locate();
    this.makeRoom();
    const now = new Date().toISOString();
    const record: CodexSessionRecord = {
      id: sessionId,
      threadId: null,
      backend: located.backend,
      codexVersion: located.version,
      pid: null,
      cwd: settings.cwd,
      sandbox: settings.sandbox ?? null,
      approvalPolicy: settings.approvalPolicy ?? null,
      model: settings.model ?? null,
      mode: req.mode ?? null,
      agentId: req.agentId ?? null,
      status: 'starting',
      createdAt: now,
      lastActivityAt: now,
      endedAt: null,
      turns: 0,
      tokens: emptyUsage(),
      lastError: null,
      transcript: [],
    };
    const entry: SessionEntry = { record, child: undefined, settings, closing: false, turnUsage: emptyUsage(), turnAbort: undefined, approvedReasons };
    this.sessions.set(record.id, entry);
    this.addEvent(entry, userEvent(req.prompt, req.agentId));
    this.notifyStarted(req, record.id);
    return this.spares.refillAfter(located, runTurn(this.turns, entry, located, signal, (child, s) => child.startThread(settings, req.prompt, s)), this.busy);
  }

  /**
   * Runs another turn on an existing session (by session id or thread id).
   * @throws CodexSessionNotFoundError, CodexSessionStateError (a turn is running, or an
   *   mcp-server thread whose process ended), CodexBusyError, CodexTurnError
   */
  async reply(req: CodexReplyRequest, signal: AbortSignal = new AbortController().signal): Promise<CodexTurnResult> {
    this.assertOpen();
    const entry = this.find(req.sessionId, req.threadId);
    const r = entry.record;
    if (r.status === 'running' || r.status === 'starting') throw new CodexSessionStateError(`Session ${r.id} is still running a turn; wait for it to finish (or cancel it) before codex-reply.`);
    if (!r.threadId) throw new CodexSessionStateError(`Session ${r.id} has no Codex thread (its first turn never started: ${r.lastError ?? 'unknown'}). Start a new session with the codex tool.`);
    const threadId = r.threadId;
    // Codex's own events carry only its answers; the prompt makes the transcript readable.
    this.addEvent(entry, userEvent(req.prompt, req.agentId));
    if (entry.child?.alive()) return runTurn(this.turns, entry, undefined, signal, (child, s) => child.reply(threadId, req.prompt, s));
    if (r.backend !== 'app-server') {
      throw new CodexSessionStateError(
        `Session ${r.id} (thread ${threadId}) is ${r.status}: its codex mcp-server process ended, and codex mcp-server keeps threads only in memory. Start a new session with the codex tool.`,
      );
    }
    const located = await this.locate();
    if (located.backend !== 'app-server') throw new CodexSessionStateError(`Session ${r.id} was an app-server thread, but the supervisor now uses ${located.backend}; start a new session with the codex tool.`);
    // A new process reads Codex's configuration again (a project's .codex/config.toml may have been
    // written since): judge it again and ask for what was not approved when the session started.
    const caller = { prompt: req.prompt, ...(r.agentId ? { agentId: r.agentId } : {}), ...(r.mode ? { mode: r.mode } : {}) };
    entry.approvedReasons = await this.gate.readmit(r.id, entry.settings, caller, entry.approvedReasons, signal);
    this.makeRoom();
    r.status = 'starting';
    r.endedAt = null;
    entry.closing = false;
    this.changed(entry);
    const resumed = runTurn(this.turns, entry, located, signal, async (child, s) => {
      await child.resume(threadId, entry.settings);
      return child.reply(threadId, req.prompt, s);
    });
    return this.spares.refillAfter(located, resumed, this.busy);
  }

  /** A snapshot of one session. @throws CodexSessionNotFoundError */
  info(sessionIdOrThreadId: string): CodexSessionRecord {
    return recordSnapshot(this.find(sessionIdOrThreadId, sessionIdOrThreadId).record);
  }

  /** Snapshots, most recent activity first; `activeOnly` keeps starting/running/idle ones. */
  list(opts: { activeOnly?: boolean } = {}): CodexSessionRecord[] {
    return [...this.sessions.values()]
      .map((e) => e.record)
      .filter((r) => !opts.activeOnly || isActive(r.status))
      .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt))
      .map((r) => recordSnapshot(r));
  }

  /**
   * Closes idle sessions past the idle timeout (and forgets old ended ones); with `force`, ends
   * every session, running turns included (their calls fail with kind `closed`).
   * @returns ids of the sessions closed.
   */
  async cleanup(opts: { force?: boolean; allIdle?: boolean } = {}): Promise<string[]> {
    const now = Date.now();
    const victims = [...this.sessions.values()].filter((e) => {
      if (!isActive(e.record.status) && !e.child?.alive()) return false;
      if (opts.force) return true;
      if (e.record.status !== 'idle') return false;
      return opts.allIdle === true || now - Date.parse(e.record.lastActivityAt) >= this.opts.sessionIdleTimeoutMs;
    });
    const reason = opts.force ? 'Closed by codex-cleanup (force).' : opts.allIdle ? 'Closed by codex-cleanup (idle sessions).' : `Closed after ${this.opts.sessionIdleTimeoutMs / 1000} s idle.`;
    await Promise.all(victims.map((e) => this.endSession(e, reason)));
    await this.spares.sweep(this.opts.sessionIdleTimeoutMs, opts.force === true, now);
    this.forgetOldEnded();
    await this.opts.repository?.prune?.(this.opts.endedLimit + this.opts.maxSessions).catch((e: unknown) => this.logger.warn(`Could not prune stored Codex sessions: ${String(e)}`));
    return victims.map((e) => e.record.id);
  }

  /**
   * Ends one session (by session id or thread id) and its whole process tree; a running turn is
   * interrupted and its call fails with kind `closed`. An ended session is left as it is.
   * @returns the session after the cancel and whether this call ended it
   * @throws CodexSessionNotFoundError
   */
  async cancel(sessionIdOrThreadId: string, reason = 'Cancelled by the user.'): Promise<{ record: CodexSessionRecord; cancelled: boolean }> {
    const entry = this.find(sessionIdOrThreadId, sessionIdOrThreadId);
    const active = isActive(entry.record.status) || entry.child?.alive() === true;
    if (active) await this.endSession(entry, reason);
    return { record: recordSnapshot(entry.record), cancelled: active };
  }

  /** Stops the running turn only; the session stays when Codex confirms (./turn). @returns false if none runs. @throws CodexSessionNotFoundError */
  stopTurn(sessionIdOrThreadId: string): boolean {
    const entry = this.find(sessionIdOrThreadId, sessionIdOrThreadId);
    if (entry.record.status !== 'running' || !entry.turnAbort) return false;
    entry.turnAbort.abort('stopped');
    return true;
  }

  /** Ends every child and stops the sweep; later calls fail. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.spares.close();
    await Promise.all([...this.sessions.values()].filter((e) => e.child || isActive(e.record.status)).map((e) => this.endSession(e, 'The governance server shut down.')));
    await this.writer.flush();
  }

  /** Performance figures since start (see ./stats), plus session counts by status. */
  stats(): Record<string, unknown> {
    const byStatus: Record<string, number> = {};
    for (const e of this.sessions.values()) byStatus[e.record.status] = (byStatus[e.record.status] ?? 0) + 1;
    return { ...this.perf.snapshot(), sessions: byStatus, max_sessions: this.opts.maxSessions };
  }

  /** The most recent transcript events of every known session, newest last, at most `limit`. */
  recentEvents(limit = 100): Array<CodexEvent & { session_id: string }> {
    const all = [...this.sessions.values()].flatMap((e) => e.record.transcript.map((ev) => ({ ...ev, session_id: e.record.id })));
    all.sort((a, b) => a.at.localeCompare(b.at));
    return all.slice(-limit);
  }

  /** Pids of every live session child (for diagnostics and tests); the spare is not included. */
  childPids(): number[] {
    return [...this.sessions.values()].flatMap((e) => (e.child?.alive() ? [e.child.pid] : []));
  }

  /** Pid of the ready spare child, if any. */
  async sparePid(): Promise<number | undefined> {
    return this.spares.pid();
  }

  // ------------------------------------------------------------------ internals

  private assertOpen(): void {
    if (this.closed) throw new CodexSessionStateError('The Codex supervisor is closed (the governance server is shutting down).');
  }

  private find(sessionId: string | undefined, threadId: string | undefined): SessionEntry {
    if (sessionId) {
      const e = this.sessions.get(sessionId);
      if (e) return e;
    }
    if (threadId) {
      for (const e of this.sessions.values()) if (e.record.threadId === threadId) return e;
    }
    const what = [sessionId && `session_id ${sessionId}`, threadId && threadId !== sessionId && `threadId ${threadId}`].filter(Boolean).join(' / ') || 'no id';
    throw new CodexSessionNotFoundError(`No Codex session for ${what}. Use the threadId or session_id returned by the codex tool (codex-session-info with list_active lists them), or start a new session with codex.`);
  }

  /** Frees a slot: closes the least recently used idle session if every slot is taken. */
  private makeRoom(): void {
    const holding = [...this.sessions.values()].filter((e) => e.record.status === 'starting' || e.record.status === 'running' || e.child?.alive());
    if (holding.length < this.opts.maxSessions) return;
    const idle = holding.filter((e) => e.record.status === 'idle').sort((a, b) => a.record.lastActivityAt.localeCompare(b.record.lastActivityAt));
    const victim = idle[0];
    if (!victim) {
      throw new CodexBusyError(
        `Codex is busy: all ${this.opts.maxSessions} sessions are running turns (limit codexGovernance.codex.maxSessions). Retry when one finishes, or end sessions with codex-cleanup.`,
      );
    }
    // The victim is closed at once; waiting for its process to exit would only delay the caller.
    void this.endSession(victim, `Closed to make room for a new session (limit ${this.opts.maxSessions}).`);
  }

  private hooks(entry: SessionEntry): ChildHooks {
    return sessionHooks(this.hooksHost, entry);
  }

  private addEvent(entry: SessionEntry, event: CodexEvent): void {
    const t = entry.record.transcript;
    t.push(event);
    if (t.length > this.opts.transcriptLimit) t.splice(0, t.length - this.opts.transcriptLimit);
    entry.record.lastActivityAt = event.at;
    this.events.emit('session-event', { sessionId: entry.record.id, event });
    this.changed(entry);
  }

  private startChild(located: LocatedCodex, hooks: ChildHooks, cwd: string): Promise<CodexChild> {
    const opts: StartChildOptions = {
      binary: located.path,
      env: this.opts.env ?? process.env,
      cwd,
      hooks,
      interruptGraceMs: this.opts.interruptGraceMs,
      startupTimeoutMs: this.opts.startupTimeoutMs,
      clientInfo: this.opts.clientInfo ?? { name: 'codex-governance', version: '0' },
    };
    return located.backend === 'app-server' ? startAppServerChild(opts) : startMcpServerChild(opts);
  }

  private async spawnChild(entry: SessionEntry, located: LocatedCodex): Promise<CodexChild> {
    const started = performance.now();
    const taken = await this.spares.take(located);
    let child: CodexChild;
    let readyMs: number;
    if (taken) {
      taken.hooks.target = this.hooks(entry);
      child = taken.child;
      readyMs = taken.readyMs;
    } else {
      child = await this.startChild(located, this.hooks(entry), entry.settings.cwd);
      readyMs = performance.now() - started;
    }
    entry.child = child;
    entry.closing = false;
    entry.record.pid = child.pid;
    this.events.emit('child-started', { sessionId: entry.record.id, backend: located.backend, pid: child.pid, readyMs });
    void child.exited.then((exit) => {
      if (entry.child !== child) return;
      entry.record.pid = null;
      if (entry.closing || !isActive(entry.record.status)) return;
      entry.record.status = 'lost';
      entry.record.endedAt = new Date().toISOString();
      entry.record.lastError = `The Codex process ${child.pid} exited on its own (code ${exit.code}, signal ${exit.signal}).`;
      this.logger.warn(`Codex session ${entry.record.id}: ${entry.record.lastError}`);
      // Its group may still hold commands; end them too.
      void child.close(0);
      this.changed(entry);
    });
    return child;
  }

  private async endSession(entry: SessionEntry, reason: string): Promise<void> {
    const r = entry.record;
    entry.closing = true;
    entry.turnAbort?.abort('cancelled');
    if (isActive(r.status)) {
      r.status = 'closed';
      r.endedAt = new Date().toISOString();
      r.lastError ??= reason;
      if (!r.lastError.includes(reason)) r.lastError = reason;
    }
    const child = entry.child;
    if (child) await child.close(Math.min(this.opts.interruptGraceMs, 2000));
    r.pid = null;
    this.changed(entry);
  }

  private forgetOldEnded(): void {
    const ended = [...this.sessions.values()].filter((e) => !isActive(e.record.status) && !e.child?.alive());
    if (ended.length <= this.opts.endedLimit) return;
    ended.sort((a, b) => a.record.lastActivityAt.localeCompare(b.record.lastActivityAt));
    for (const e of ended.slice(0, ended.length - this.opts.endedLimit)) {
      this.sessions.delete(e.record.id);
      this.writer.forget(e.record.id);
    }
  }

  /** Tells the caller the session's id; a listener's failure is not the session's. */
  private notifyStarted(req: CodexRunRequest, id: string): void {
    try {
      req.onStarted?.(id);
    } catch (err) {
      this.logger.warn(`onStarted of session ${id} threw: ${String(err)}`);
    }
  }

  private changed(entry: SessionEntry): void {
    if (this.events.listenerCount('session-changed') > 0) {
      const { transcript: _transcript, ...rest } = entry.record;
      this.events.emit('session-changed', { ...rest, tokens: { ...rest.tokens } });
    }
    this.writer.schedule(entry.record);
  }
}
