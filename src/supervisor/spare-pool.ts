/**
 * One spare Codex child kept ready so the next session skips the spawn and handshake (~80 ms plus
 * a slower first turn, see bench/codex-supervisor.ts), and has done what it can of its first
 * thread's preparation (CodexChild.warm, in the latest session's cwd). Started after a session's first turn has
 * answered (not during it), not while every slot runs a turn, and dropped after `idleMs` unused: at
 * most `maxSessions` + 1 processes. A spare runs nothing: should Codex still ask it for an approval, it is denied.
 */
import type { ChildHooks, CodexChild, CodexEvent, StreamDelta, TokenUsage } from './backend';
import type { LocatedCodex } from './locate';
import type { Logger } from '../util/log';

/** Hooks of a spare child, pointed at its session once one adopts it. */
export class SwitchHooks implements ChildHooks {
  target: ChildHooks | undefined;
  onEvent(event: CodexEvent): void {
    this.target?.onEvent(event);
  }
  onDelta(delta: StreamDelta): void {
    this.target?.onDelta(delta);
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
  backend: LocatedCodex['backend'];
  hooks: SwitchHooks;
  child: Promise<CodexChild>;
  readyMs: number | undefined;
  lastUsedAt: number;
}

/** A spare handed to a session: its hooks must be pointed at the session (`hooks.target`). */
export interface TakenSpare {
  child: CodexChild;
  hooks: SwitchHooks;
  /** Spawn-to-ready time of the spare (ms). */
  readyMs: number;
}

/** How long a spare may spend preparing for its first thread (ms, CodexChild.warm). */
const WARM_TIMEOUT_MS = 5_000;

export class SparePool {
  /** Where a new spare prepares for its first thread (the latest session's cwd: the next most likely works there). */
  warmCwd: string | undefined;
  private spare: Spare | undefined;
  private closed = false;
  /** A refill scheduled by {@link refillAfter} that has not run yet. */
  private refilling: Promise<void> | undefined;

  /**
   * @param start spawns a child of `located` with `hooks` in the default cwd
   * @param enabled false when `warmSpares` is 0
   */
  constructor(
    private readonly start: (located: LocatedCodex, hooks: ChildHooks) => Promise<CodexChild>,
    private readonly enabled: boolean,
    private readonly logger: Logger,
  ) {}

  /** A ready spare of `located`'s binary and backend, if one is (being) started. */
  async take(located: LocatedCodex): Promise<TakenSpare | undefined> {
    await this.refilling;
    const spare = this.spare;
    if (!spare || spare.path !== located.path || spare.backend !== located.backend) return undefined;
    this.spare = undefined;
    const child = await spare.child.catch(() => undefined);
    if (!child?.alive()) return undefined;
    return { child, hooks: spare.hooks, readyMs: spare.readyMs ?? 0 };
  }

  /** Starts a spare in the background unless one exists or `busy` says every slot runs a turn. */
  refill(located: LocatedCodex, busy: boolean): void {
    if (this.closed || !this.enabled || this.spare || busy) return;
    const hooks = new SwitchHooks();
    const started = performance.now();
    const warmCwd = this.warmCwd;
    const child = this.start(located, hooks).then(async (c) => {
      if (warmCwd !== undefined) await c.warm?.(warmCwd, WARM_TIMEOUT_MS);
      return c;
    });
    const spare: Spare = { path: located.path, backend: located.backend, hooks, child, readyMs: undefined, lastUsedAt: Date.now() };
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

  /**
   * Waits for `turn` (a turn in a newly started or adopted child), then starts the next spare unless
   * `busy()`. Not during the turn: spawning Codex is CPU-heavy (it probes the OS and runs a login
   * shell), and on a small machine a spare started alongside a session's first turn slowed that very
   * turn. The spawn waits one more turn of the event loop, so the answer is written first.
   */
  async refillAfter<T>(located: LocatedCodex, turn: Promise<T>, busy: () => boolean): Promise<T> {
    try {
      return await turn;
    } finally {
      const scheduled: Promise<void> = new Promise((resolve) =>
        setImmediate(() => {
          if (this.refilling === scheduled) this.refilling = undefined;
          this.refill(located, busy());
          resolve();
        }),
      );
      this.refilling = scheduled;
    }
  }

  /** Drops the spare when `force`, or when it has been unused for `idleMs`. */
  async sweep(idleMs: number, force: boolean, now = Date.now()): Promise<void> {
    if (this.spare && (force || now - this.spare.lastUsedAt >= idleMs)) await this.drop();
  }

  /** Ends the spare's process, if any. */
  async drop(): Promise<void> {
    const spare = this.spare;
    this.spare = undefined;
    const child = await spare?.child.catch(() => undefined);
    await child?.close(0);
  }

  /** Drops the spare and starts no more. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drop();
  }

  /** Pid of the ready spare, if any. */
  async pid(): Promise<number | undefined> {
    await this.refilling;
    const child = await this.spare?.child.catch(() => undefined);
    return child?.alive() ? child.pid : undefined;
  }
}
