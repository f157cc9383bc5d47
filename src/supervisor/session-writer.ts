/**
 * Persists session records through the store's repository, coalesced: a session's first sight and
 * its end are written at once, every other change (turns, transcript, tokens) at most once a second
 * per session. Each write is a durable SQLite commit that blocks the event loop for an fsync, so
 * writing on every Codex event would cost more than the event itself. Writes of one session stay in
 * order; a failing store never fails a Codex call (it is logged).
 */
import type { Logger } from '../util/log';
import { isActive, type CodexSessionRecord, type CodexSessionRepository } from './session';
import { recordSnapshot } from './session-entry';

export class SessionWriter {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly lastKey = new Map<string, string>();

  /**
   * @param current the live record of a session (read when a coalesced write fires), if still known
   * @param delayMs coalescing window (ms), default 1000
   */
  constructor(
    private readonly repository: CodexSessionRepository | undefined,
    private readonly current: (id: string) => CodexSessionRecord | undefined,
    private readonly logger: Logger,
    private readonly delayMs = 1000,
  ) {}

  /** Schedules a write of `record` (now for a new status class, else coalesced). */
  schedule(record: CodexSessionRecord): void {
    if (!this.repository) return;
    const key = isActive(record.status) ? 'active' : record.status;
    if (this.lastKey.get(record.id) === key) {
      if (this.pending.has(record.id)) return;
      const timer = setTimeout(() => {
        this.pending.delete(record.id);
        const live = this.current(record.id);
        if (live) this.write(recordSnapshot(live));
      }, this.delayMs);
      timer.unref();
      this.pending.set(record.id, timer);
      return;
    }
    clearTimeout(this.pending.get(record.id));
    this.pending.delete(record.id);
    this.lastKey.set(record.id, key);
    this.write(recordSnapshot(record));
  }

  /** Writes `record` as it is now, in order after the session's earlier writes. */
  write(record: CodexSessionRecord): void {
    const repo = this.repository;
    if (!repo) return;
    const prev = this.chains.get(record.id) ?? Promise.resolve();
    const next = prev
      .then(() => repo.save(record))
      .catch((e: unknown) => this.logger.warn(`Could not store Codex session ${record.id}: ${String(e)}`))
      .finally(() => {
        if (this.chains.get(record.id) === next) this.chains.delete(record.id);
      });
    this.chains.set(record.id, next);
  }

  /** Forgets a session dropped from memory (its stored record stays). */
  forget(id: string): void {
    this.lastKey.delete(id);
  }

  /** Writes every coalesced record now and waits for all writes (shutdown). */
  async flush(): Promise<void> {
    for (const [id, timer] of this.pending) {
      clearTimeout(timer);
      const live = this.current(id);
      if (live) this.write(recordSnapshot(live));
    }
    this.pending.clear();
    await Promise.all([...this.chains.values()]);
  }
}
