/** Resolves callers waiting for a panel page's next `rendered` report. */
export class RenderWaiter<T> {
  private readonly waiters = new Set<{ done(report: T): void; closed(): void }>();

  /**
   * @param timeoutMs how long (ms) to wait for the page
   * @throws Error (rejection) naming the panel when no report arrives in time, or when the panel
   *   closes first (see {@link dispose})
   */
  next(panel: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        done: (report: T) => {
          clearTimeout(timer);
          resolve(report);
        },
        closed: () => {
          clearTimeout(timer);
          reject(new Error(`The ${panel} panel was closed before it finished drawing.`));
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`The ${panel} panel did not finish drawing within ${timeoutMs} ms.`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  resolve(report: T): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w.done(report);
  }

  /** The panel closed: whoever still waits is told so now, and no deadline timer outlives the panel. */
  dispose(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w.closed();
  }
}
