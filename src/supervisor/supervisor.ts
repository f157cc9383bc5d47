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
import { nullLogger, type Logger } from '../util/log';
import { startAppServerChild } from './app-server-backend';
import { askBroker, DenyAllApprovalBroker, type ApprovalBroker } from '../approvals/vocabulary';
import { ConfigOverrideRefusedError, judgeSession, programsText, type GateVerdict } from './gate/gate';
import { CodexConfigFileError } from './gate/effective-config';
import {
  TurnInterruptedError,
  type ChildHooks,
  type CodexChild,
  type CodexEvent,
  type StartChildOptions,
  type ThreadSettings,
  type TokenUsage,
  type TurnOutcome,
} from './backend';
import { locateCodex, type CodexBackend, type LocatedCodex } from './locate';
import { startMcpServerChild } from './mcp-server-backend';
import { emptyUsage, isActive, type CodexSessionRecord } from './session';
import { SupervisorStats } from './stats';

export interface CodexSupervisorOptions {
  /** Explicit Codex binary or npm wrapper (setting `codexGovernance.codex.path`, `--codex-path`). */
  codexPath?: string;
  /** Backend override (setting `codexGovernance.codex.backend`, `--codex-backend`). Default `auto`. */
  backend?: CodexBackend | 'auto';
  /** Skip locating: use this binary/version/backend (tests, hosts that located it already). */
  located?: LocatedCodex;
  /** Environment of the children (and of the PATH lookup). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Working directory when a call gives none. Default `process.cwd()`. */
  defaultCwd?: string;
  /** Max children at once. Default 10. */
  maxSessions?: number;
  /** Deadline of one turn in ms. Default 600 000. */
  toolTimeoutMs?: number;
  /** Idle sessions older than this (ms) are closed. Default 300 000. */
  sessionIdleTimeoutMs?: number;
  /** Period of the idle sweep in ms. Default 60 000. */
  cleanupIntervalMs?: number;
  /** How long Codex gets to confirm an interrupt before its process tree is killed (ms). Default 3000. */
  interruptGraceMs?: number;
  /** Deadline of a child's handshake in ms. Default 30 000. */
  startupTimeoutMs?: number;
  /** Answers Codex's approval requests. Default {@link DenyAllApprovalBroker}. */
  approvals?: ApprovalBroker;
  /**
   * What the session gate reads on every new session (see ./gate/gate): the folders the person
   * works in (default: `defaultCwd`) and the policy's `askForConfigKeys` (default none).
   */
  gate?: () => { workspaceRoots: readonly string[]; askForConfigKeys: readonly string[] };
  /** Codex's system config layer; default `/etc/codex/config.toml` (tests point it elsewhere). */
  systemConfigPath?: string;
  /** Spare children kept ready once Codex has been used (0 or 1). Default 1. */
  warmSpares?: number;
  /** Events kept per session. Default 200. */
  transcriptLimit?: number;
  /** Ended sessions kept in memory for `codex-session-info`. Default 200. */
  endedLimit?: number;
  /** Persists records (the store); optional. */
  repository?: CodexSessionRepository;
  logger?: Logger;
  /** Client name/version sent to Codex. */
  clientInfo?: { name: string; version: string };
}

/** Where session records are persisted so views survive a restart. */
export interface CodexSessionRepository {
  /** Inserts or replaces the record by `id`. */
  save(record: CodexSessionRecord): Promise<void>;
  /** Every stored record, most recent activity first, at most `limit`. */
  list(limit: number): Promise<CodexSessionRecord[]>;
  /** Deletes all but the `keep` most recently active records. */
  prune?(keep: number): Promise<number>;
}

/** Arguments of a new session, already normalised (see ./arguments). */
export interface CodexRunRequest {
  prompt: string;
  settings: Omit<ThreadSettings, 'cwd'> & { cwd?: string };
  mode?: string;
  agentId?: string;
}

export interface CodexReplyRequest {
  prompt: string;
  /** Our session id, or Codex's thread id; one is required. */
  sessionId?: string;
  threadId?: string;
}

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

/** All `maxSessions` children are running turns. */
export class CodexBusyError extends Error {
  readonly code = 'busy';
  constructor(message: string) {
    super(message);
    this.name = 'CodexBusyError';
  }
}

/** The session or thread is unknown (mapped to the tools' `not_found`). */
export class CodexSessionNotFoundError extends Error {
  readonly code = 'not_found';
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** The session cannot take this call now (a turn runs, or its thread is gone). */
export class CodexSessionStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/**
 * The approval broker did not allow a `codex` call's `danger-full-access`: nothing was started.
 * `message` is the broker's reason (shown to the agent).
 */
export class CodexApprovalDeniedError extends Error {
  readonly code = 'forbidden';
  constructor(message: string) {
    super(message);
    this.name = 'CodexApprovalDeniedError';
  }
}

/** A turn ended without an answer: Codex reported an error, the deadline passed, it was cancelled, or the child died. */
export class CodexTurnError extends Error {
  readonly code = 'codex_error';
  constructor(
    message: string,
    readonly kind: 'codex' | 'deadline' | 'cancelled' | 'lost' | 'closed' | 'start',
    readonly sessionId: string,
    readonly threadId: string | null,
  ) {
    super(message);
    this.name = 'CodexTurnError';
  }
}

export interface SupervisorEventMap {
  /** A session was created or changed (status, tokens, transcript). The payload is a snapshot. */
  'session-changed': CodexSessionRecord;
  /** Usage of one model response. */
  usage: { sessionId: string; backend: CodexBackend; usage: TokenUsage };
  /** A call finished; `ok` false for errors, deadlines, cancels. */
  'turn-finished': { sessionId: string; backend: CodexBackend; ok: boolean; seconds: number; kind: string };
  /** A child became ready: spawn-to-ready time in ms. */
  'child-started': { sessionId: string; backend: CodexBackend; pid: number; readyMs: number };
}

interface Entry {
  record: CodexSessionRecord;
  child: CodexChild | undefined;
  settings: ThreadSettings;
  /** The gate's reasons a person (or the policy) already said yes to; a resume asks only for new ones. */
  approvedReasons?: readonly string[];
  /** Set while we end the child on purpose (so its exit is not `lost`). */
  closing: boolean;
  turnUsage: TokenUsage;
  /** Aborts the running turn (cleanup, shutdown). */
  turnAbort: AbortController | undefined;
}

/** Hooks of a spare child, pointed at its session once one adopts it. */
class SwitchHooks implements ChildHooks {
  target: ChildHooks | undefined;
  onEvent(event: CodexEvent): void {
    this.target?.onEvent(event);
  }
  onUsage(usage: TokenUsage): void {
    this.target?.onUsage(usage);
  }
  onThreadId(threadId: string): void {
    this.target?.onThreadId(threadId);
  }
  approve(req: Parameters<ChildHooks['approve']>[0], signal: AbortSignal): ReturnType<ChildHooks['approve']> {
    // Nothing runs in a spare; should Codex still ask, nobody answered for it: deny.
    return this.target ? this.target.approve(req, signal) : Promise.resolve({ decision: 'deny', reason: 'No session owns this Codex process.' });
  }
}

interface Spare {
  path: string;
  backend: CodexBackend;
  hooks: SwitchHooks;
  child: Promise<CodexChild>;
  readyMs: number | undefined;
  lastUsedAt: number;
}

const DEFAULTS = {
  warmSpares: 1,
  maxSessions: 10,
  toolTimeoutMs: 600_000,
  sessionIdleTimeoutMs: 300_000,
  cleanupIntervalMs: 60_000,
  interruptGraceMs: 3_000,
  startupTimeoutMs: 30_000,
  transcriptLimit: 200,
  endedLimit: 200,
};

/** The transcript entry of a prompt sent to Codex (type `user_message`, like Codex's own event name). */
function userEvent(prompt: string): CodexEvent {
  return { at: new Date().toISOString(), type: 'user_message', summary: prompt.length > 500 ? `${prompt.slice(0, 499)}…` : prompt };
}

function addUsage(a: TokenUsage, b: TokenUsage): void {
  a.input += b.input;
  a.cachedInput += b.cachedInput;
  a.output += b.output;
  a.reasoningOutput += b.reasoningOutput;
  a.total += b.total;
}

export class CodexSupervisor {
  readonly events = new EventEmitter<{ [K in keyof SupervisorEventMap]: [SupervisorEventMap[K]] }>();
  private readonly opts: typeof DEFAULTS & CodexSupervisorOptions;
  private readonly sessions = new Map<string, Entry>();
  private readonly logger: Logger;
  private readonly approvals: ApprovalBroker;
  private locating: Promise<LocatedCodex> | undefined;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private readonly saveChains = new Map<string, Promise<void>>();
  private readonly perf = new SupervisorStats();
  private spare: Spare | undefined;
  private readonly pendingSaves = new Map<string, NodeJS.Timeout>();
  private readonly lastSavedKey = new Map<string, string>();

  constructor(options: CodexSupervisorOptions = {}) {
    this.opts = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & CodexSupervisorOptions;
    if (!(this.opts.maxSessions >= 1)) throw new RangeError(`maxSessions must be at least 1 (got ${options.maxSessions}).`);
    this.logger = options.logger ?? nullLogger;
    this.approvals = options.approvals ?? new DenyAllApprovalBroker();
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
      const p = locateCodex({ explicitPath: this.opts.codexPath, forcedBackend: this.opts.backend, env: this.opts.env });
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
        this.persist(r);
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
    const sessionId = randomUUID();
    // The gate judges the configuration Codex will really run with, before any child is asked, so
    // a refusal or a denial leaves nothing running.
    const verdict = await this.judge(sessionId, settings, req);
    // Codex gets the sandbox that was judged, whatever its config layers would pick.
    settings.sandbox = verdict.effective.sandbox;
    if (verdict.effective.sandbox === 'danger-full-access' || verdict.reasons.length) await this.gateSession(sessionId, settings, req, verdict, signal);
    const approvedReasons = verdict.reasons;
    const located = await this.locate();
    await this.makeRoom();
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
    const entry: Entry = { record, child: undefined, settings, closing: false, turnUsage: emptyUsage(), turnAbort: undefined, approvedReasons };
    this.sessions.set(record.id, entry);
    this.addEvent(entry, userEvent(req.prompt));
    return this.turn(entry, located, signal, (child, s) => child.startThread(settings, req.prompt, s));
  }

  /**
   * The gate's verdict for a new session (./gate/gate).
   * @throws CodexApprovalDeniedError (refused config keys: audited as one denial; an unreadable config file)
   */
  private async judge(sessionId: string, settings: ThreadSettings, req: CodexRunRequest): Promise<GateVerdict> {
    const gate = this.opts.gate?.() ?? { workspaceRoots: [this.opts.defaultCwd ?? process.cwd()], askForConfigKeys: [] };
    try {
      return await judgeSession({
        cwd: settings.cwd,
        ...(settings.sandbox ? { sandbox: settings.sandbox } : {}),
        ...(settings.approvalPolicy ? { approvalPolicy: settings.approvalPolicy } : {}),
        ...(settings.config ? { overrides: settings.config } : {}),
        env: this.opts.env ?? process.env,
        workspaceRoots: gate.workspaceRoots,
        askForConfigKeys: gate.askForConfigKeys,
        ...(this.opts.systemConfigPath ? { systemConfigPath: this.opts.systemConfigPath } : {}),
      });
    } catch (err) {
      if (!(err instanceof ConfigOverrideRefusedError) && !(err instanceof CodexConfigFileError)) throw err;
      await this.approvals.refused?.({
        source: 'codex-session',
        sessionId,
        cwd: settings.cwd,
        ...(settings.sandbox ? { sandbox: settings.sandbox } : {}),
        ...(settings.approvalPolicy ? { approvalPolicy: settings.approvalPolicy } : {}),
        ...(req.agentId ? { agentId: req.agentId } : {}),
        ...(req.mode ? { mode: req.mode } : {}),
        ...(err instanceof ConfigOverrideRefusedError ? { details: { refused_keys: err.keys.map((k) => k.key) } } : { details: { file: err.file } }),
        reason: err.message,
        signal: new AbortController().signal,
      });
      throw new CodexApprovalDeniedError(err.message);
    }
  }

  /** @throws CodexApprovalDeniedError when the configuration changed since the start and the new reasons are not approved */
  private async gateResume(entry: Entry, prompt: string, signal: AbortSignal): Promise<void> {
    const r = entry.record;
    const req: CodexRunRequest = { prompt, settings: entry.settings, ...(r.mode ? { mode: r.mode } : {}), ...(r.agentId ? { agentId: r.agentId } : {}) };
    const verdict = await this.judge(r.id, entry.settings, req);
    const approved = new Set(entry.approvedReasons ?? []);
    const fresh = verdict.reasons.filter((why) => !approved.has(why));
    if (!fresh.length) return;
    await this.gateSession(r.id, entry.settings, req, { ...verdict, reasons: fresh }, signal);
    entry.approvedReasons = verdict.reasons;
  }

  /** @throws CodexApprovalDeniedError unless the broker allows this session (full access, or the gate's reasons). */
  private async gateSession(sessionId: string, settings: ThreadSettings, req: CodexRunRequest, verdict: GateVerdict, signal: AbortSignal): Promise<void> {
    const e = verdict.effective;
    const full = e.sandbox === 'danger-full-access';
    const programs = programsText(verdict.programs);
    const answer = await askBroker(this.approvals, {
      source: full && verdict.reasons.length === 0 ? 'codex-full-access' : 'codex-session',
      sessionId,
      cwd: e.cwd,
      sandbox: e.sandbox,
      approvalPolicy: e.approvalPolicy,
      ...(programs ? { command: programs } : {}),
      ...(req.agentId ? { agentId: req.agentId } : {}),
      ...(req.mode ? { mode: req.mode } : {}),
      reason: req.prompt.slice(0, 2000),
      details: {
        why: verdict.reasons,
        sandbox_from: e.sandboxFrom.source,
        approval_policy_from: e.approvalPolicyFrom.source,
        writable_roots: e.writableRoots.map((w) => w.path),
        network_access: e.networkAccess,
        would_run: verdict.programs.map((p) => ({ key: p.key, run: p.run, from: p.from.source })),
        layers: e.layers.map((l) => ({ kind: l.kind, source: l.source, applied: l.applied })),
      },
      signal,
    });
    if (answer.decision === 'deny') {
      const what = full ? 'danger-full-access' : `This Codex session (${verdict.reasons.join('; ')})`;
      throw new CodexApprovalDeniedError(`${what} was not approved: ${answer.reason ?? 'denied'}`);
    }
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
    this.addEvent(entry, userEvent(req.prompt));
    if (entry.child?.alive()) return this.turn(entry, undefined, signal, (child, s) => child.reply(threadId, req.prompt, s));
    if (r.backend !== 'app-server') {
      throw new CodexSessionStateError(
        `Session ${r.id} (thread ${threadId}) is ${r.status}: its codex mcp-server process ended, and codex mcp-server keeps threads only in memory. Start a new session with the codex tool.`,
      );
    }
    const located = await this.locate();
    if (located.backend !== 'app-server') throw new CodexSessionStateError(`Session ${r.id} was an app-server thread, but the supervisor now uses ${located.backend}; start a new session with the codex tool.`);
    // A new process reads Codex's configuration again (a project's .codex/config.toml may have been
    // written since): judge it again and ask for what was not approved when the session started.
    await this.gateResume(entry, req.prompt, signal);
    await this.makeRoom();
    r.status = 'starting';
    r.endedAt = null;
    entry.closing = false;
    this.changed(entry);
    return this.turn(entry, located, signal, async (child, s) => {
      await child.resume(threadId, entry.settings);
      return child.reply(threadId, req.prompt, s);
    });
  }

  /** A snapshot of one session. @throws CodexSessionNotFoundError */
  info(sessionIdOrThreadId: string): CodexSessionRecord {
    return structuredClone(this.find(sessionIdOrThreadId, sessionIdOrThreadId).record);
  }

  /** Snapshots, most recent activity first; `activeOnly` keeps starting/running/idle ones. */
  list(opts: { activeOnly?: boolean } = {}): CodexSessionRecord[] {
    return [...this.sessions.values()]
      .map((e) => e.record)
      .filter((r) => !opts.activeOnly || isActive(r.status))
      .sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt))
      .map((r) => structuredClone(r));
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
    if (this.spare && (opts.force || now - this.spare.lastUsedAt >= this.opts.sessionIdleTimeoutMs)) await this.dropSpare();
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
    return { record: structuredClone(entry.record), cancelled: active };
  }

  /** Ends every child and stops the sweep; later calls fail. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.dropSpare();
    await Promise.all([...this.sessions.values()].filter((e) => e.child || isActive(e.record.status)).map((e) => this.endSession(e, 'The governance server shut down.')));
    await this.flushPersist();
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
    const child = await this.spare?.child.catch(() => undefined);
    return child?.alive() ? child.pid : undefined;
  }

  // ------------------------------------------------------------------ internals

  private assertOpen(): void {
    if (this.closed) throw new CodexSessionStateError('The Codex supervisor is closed (the governance server is shutting down).');
  }

  private find(sessionId: string | undefined, threadId: string | undefined): Entry {
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
  private async makeRoom(): Promise<void> {
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

  private hooks(entry: Entry): ChildHooks {
    return {
      onEvent: (event) => this.addEvent(entry, event),
      onUsage: (usage) => {
        addUsage(entry.record.tokens, usage);
        addUsage(entry.turnUsage, usage);
        this.events.emit('usage', { sessionId: entry.record.id, backend: entry.record.backend, usage });
        this.changed(entry);
      },
      onThreadId: (threadId) => {
        if (entry.record.threadId === threadId) return;
        entry.record.threadId = threadId;
        this.changed(entry);
      },
      approve: (req, signal) =>
        askBroker(this.approvals, {
          ...req,
          sessionId: entry.record.id,
          threadId: req.threadId ?? entry.record.threadId ?? undefined,
          sandbox: entry.record.sandbox ?? undefined,
          approvalPolicy: entry.record.approvalPolicy ?? undefined,
          agentId: entry.record.agentId ?? undefined,
          mode: entry.record.mode ?? undefined,
          signal,
        }).then((answer) => {
          this.addEvent(entry, { at: new Date().toISOString(), type: 'approval', summary: `${req.source} ${answer.decision}${req.command ? `: ${req.command}` : ''}`.slice(0, 500) });
          return answer;
        }),
    };
  }

  private addEvent(entry: Entry, event: CodexEvent): void {
    const t = entry.record.transcript;
    t.push(event);
    if (t.length > this.opts.transcriptLimit) t.splice(0, t.length - this.opts.transcriptLimit);
    entry.record.lastActivityAt = event.at;
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

  /** A ready spare child of `located`'s binary and backend, if one is (being) started. */
  private async takeSpare(located: LocatedCodex): Promise<{ child: CodexChild; hooks: SwitchHooks; readyMs: number } | undefined> {
    const spare = this.spare;
    if (!spare || spare.path !== located.path || spare.backend !== located.backend) return undefined;
    this.spare = undefined;
    const child = await spare.child.catch(() => undefined);
    if (!child?.alive()) return undefined;
    return { child, hooks: spare.hooks, readyMs: spare.readyMs ?? 0 };
  }

  /**
   * Starts one spare child in the background so the next session skips the spawn and handshake
   * (~80 ms plus a slower first turn, see bench/codex-supervisor.ts). Only after Codex has been
   * used, not while every slot runs a turn, and dropped by the idle sweep: at most
   * `maxSessions` + 1 processes.
   */
  private refillSpare(located: LocatedCodex): void {
    if (this.closed || this.opts.warmSpares < 1 || this.spare) return;
    // Idle sessions give way to new ones (see makeRoom), so only running turns make a spare useless.
    const busy = [...this.sessions.values()].filter((e) => e.record.status === 'running' || e.record.status === 'starting').length;
    if (busy >= this.opts.maxSessions) return;
    const hooks = new SwitchHooks();
    const started = performance.now();
    const spare: Spare = { path: located.path, backend: located.backend, hooks, child: this.startChild(located, hooks, this.opts.defaultCwd ?? process.cwd()), readyMs: undefined, lastUsedAt: Date.now() };
    this.spare = spare;
    spare.child.then(
      (child) => {
        spare.readyMs = performance.now() - started;
        // A spare that dies (or arrives after close) must not linger.
        void child.exited.then(() => {
          if (this.spare === spare) this.spare = undefined;
        });
        if (this.closed || this.spare !== spare) {
          if (this.spare === spare) this.spare = undefined;
          if (this.closed) void child.close(0);
        }
      },
      (err: unknown) => {
        if (this.spare === spare) this.spare = undefined;
        this.logger.warn(`Could not start a spare Codex process: ${String(err)}`);
      },
    );
  }

  private async dropSpare(): Promise<void> {
    const spare = this.spare;
    this.spare = undefined;
    const child = await spare?.child.catch(() => undefined);
    await child?.close(0);
  }

  private async spawnChild(entry: Entry, located: LocatedCodex): Promise<CodexChild> {
    const started = performance.now();
    const taken = await this.takeSpare(located);
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
    this.refillSpare(located);
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

  private async turn(entry: Entry, located: LocatedCodex | undefined, callerSignal: AbortSignal, body: (child: CodexChild, signal: AbortSignal) => Promise<TurnOutcome>): Promise<CodexTurnResult> {
    const r = entry.record;
    const t0 = performance.now();
    const ac = new AbortController();
    entry.turnAbort = ac;
    entry.turnUsage = emptyUsage();
    const onCancel = () => ac.abort('cancelled');
    if (callerSignal.aborted) ac.abort('cancelled');
    else callerSignal.addEventListener('abort', onCancel, { once: true });
    const deadline = setTimeout(() => ac.abort('deadline'), this.opts.toolTimeoutMs);
    let child = entry.child;
    try {
      if (located) {
        try {
          child = await this.spawnChild(entry, located);
        } catch (err) {
          throw new CodexTurnError(`Could not start Codex ${located.version} (${located.backend}) at ${located.path}: ${err instanceof Error ? err.message : String(err)}`, 'start', r.id, r.threadId);
        }
      }
      if (!child) throw new CodexTurnError(`Session ${r.id} has no Codex process.`, 'lost', r.id, r.threadId);
      r.status = 'running';
      r.lastActivityAt = new Date().toISOString();
      this.changed(entry);
      const outcome = await body(child, ac.signal);
      r.turns++;
      r.lastActivityAt = new Date().toISOString();
      if (outcome.threadId) r.threadId = outcome.threadId;
      if (entry.closing || !child.alive()) throw this.endedError(entry);
      r.status = 'idle';
      if (outcome.isError) {
        r.lastError = outcome.content;
        this.changed(entry);
        throw new CodexTurnError(outcome.content || 'Codex reported an error without a message.', 'codex', r.id, r.threadId);
      }
      r.lastError = null;
      this.changed(entry);
      this.events.emit('turn-finished', { sessionId: r.id, backend: r.backend, ok: true, seconds: (performance.now() - t0) / 1000, kind: 'ok' });
      return { sessionId: r.id, threadId: r.threadId ?? outcome.threadId, content: outcome.content, backend: r.backend, durationMs: performance.now() - t0, usage: { ...entry.turnUsage } };
    } catch (err) {
      const e = await this.turnFailure(entry, child, err);
      this.events.emit('turn-finished', { sessionId: r.id, backend: r.backend, ok: false, seconds: (performance.now() - t0) / 1000, kind: e.kind });
      throw e;
    } finally {
      clearTimeout(deadline);
      callerSignal.removeEventListener('abort', onCancel);
      if (entry.turnAbort === ac) entry.turnAbort = undefined;
    }
  }

  private endedError(entry: Entry): CodexTurnError {
    const r = entry.record;
    if (entry.closing || r.status === 'closed') return new CodexTurnError(`Session ${r.id} was closed during the turn: ${r.lastError ?? 'closed'}`, 'closed', r.id, r.threadId);
    return new CodexTurnError(`${r.lastError ?? 'The Codex process ended during the turn.'} The session is lost; start a new one with the codex tool${r.backend === 'app-server' ? ' or continue the thread with codex-reply (it is resumed in a new process)' : ''}.`, 'lost', r.id, r.threadId);
  }

  private async turnFailure(entry: Entry, child: CodexChild | undefined, err: unknown): Promise<CodexTurnError> {
    const r = entry.record;
    if (err instanceof CodexTurnError) {
      if (err.kind === 'start') {
        r.status = 'closed';
        r.endedAt = new Date().toISOString();
        r.lastError = err.message;
        this.changed(entry);
      }
      return err;
    }
    if (err instanceof TurnInterruptedError) {
      // Codex stays alive after a cancelled turn and may keep its command running (mcp-server);
      // the interrupt only gives it the chance to stop cleanly before its process tree is ended.
      const why =
        err.reason === 'deadline'
          ? `Codex did not finish within ${this.opts.toolTimeoutMs} ms (tool timeout)${this.lastProblem(entry)}.`
          : 'The call was cancelled.';
      const next = r.backend === 'app-server' ? ' codex-reply resumes the thread in a new process.' : ' Start a new session with the codex tool.';
      if (!entry.closing) {
        r.lastError = `${why} The turn was interrupted${err.settled ? '' : ' (Codex did not confirm in time)'} and its Codex process ended.${next}`;
        await this.endSession(entry, r.lastError);
      }
      return new CodexTurnError(r.lastError ?? why, err.reason, r.id, r.threadId);
    }
    if (entry.closing || r.status === 'closed' || r.status === 'lost' || (child && !child.alive())) {
      if (child && !child.alive() && isActive(r.status) && !entry.closing) {
        r.status = 'lost';
        r.pid = null;
        r.endedAt = new Date().toISOString();
        r.lastError ??= 'The Codex process ended during the turn.';
        this.changed(entry);
      }
      return this.endedError(entry);
    }
    const message = err instanceof Error ? err.message : String(err);
    r.lastError = message;
    if (child?.alive()) r.status = 'idle';
    this.changed(entry);
    return new CodexTurnError(`Codex call failed: ${message}`, 'codex', r.id, r.threadId);
  }

  /** `; last Codex error: ...` from the transcript, so a deadline says what Codex was stuck on. */
  private lastProblem(entry: Entry): string {
    const last = [...entry.record.transcript].reverse().find((e) => e.type === 'stream_error' || e.type === 'error');
    return last ? `; last Codex error: ${last.summary} (is the model provider reachable?)` : '';
  }

  private async endSession(entry: Entry, reason: string): Promise<void> {
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
      this.lastSavedKey.delete(e.record.id);
    }
  }

  private changed(entry: Entry): void {
    const snapshot = structuredClone(entry.record);
    this.events.emit('session-changed', snapshot);
    this.schedulePersist(entry.record);
  }

  /**
   * A new session and a session's end are stored at once; other changes (turns, transcript,
   * tokens) are coalesced to one write per second per session.
   */
  private schedulePersist(record: CodexSessionRecord): void {
    if (!this.opts.repository) return;
    // Writing is a durable SQLite commit that blocks the event loop for an fsync, so only a
    // session's first sight and its end are written at once; everything else, once a second.
    const key = isActive(record.status) ? 'active' : record.status;
    if (this.lastSavedKey.get(record.id) === key) {
      if (this.pendingSaves.has(record.id)) return;
      const timer = setTimeout(() => {
        this.pendingSaves.delete(record.id);
        const e = this.sessions.get(record.id);
        if (e) this.persist(structuredClone(e.record));
      }, 1000);
      timer.unref();
      this.pendingSaves.set(record.id, timer);
      return;
    }
    clearTimeout(this.pendingSaves.get(record.id));
    this.pendingSaves.delete(record.id);
    this.lastSavedKey.set(record.id, key);
    this.persist(structuredClone(record));
  }

  private persist(record: CodexSessionRecord): void {
    const repo = this.opts.repository;
    if (!repo) return;
    // Writes of one session stay in order; a failing store never fails a Codex call.
    const prev = this.saveChains.get(record.id) ?? Promise.resolve();
    const next = prev
      .then(() => repo.save(record))
      .catch((e: unknown) => this.logger.warn(`Could not store Codex session ${record.id}: ${String(e)}`))
      .finally(() => {
        if (this.saveChains.get(record.id) === next) this.saveChains.delete(record.id);
      });
    this.saveChains.set(record.id, next);
  }

  /** Writes every coalesced record now (shutdown). */
  private async flushPersist(): Promise<void> {
    for (const [id, timer] of this.pendingSaves) {
      clearTimeout(timer);
      const e = this.sessions.get(id);
      if (e) this.persist(structuredClone(e.record));
    }
    this.pendingSaves.clear();
    await Promise.all([...this.saveChains.values()]);
  }
}
