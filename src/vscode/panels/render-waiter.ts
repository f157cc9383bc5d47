/** Resolves callers waiting for a panel page's next `rendered` report. */
export class RenderWaiter<T> {
  private readonly waiters = new Set<(report: T) => void>();

  /**
   * @param timeoutMs how long (ms) to wait for the page
   * @throws Error (rejection) naming the panel when no report arrives in time
   */
  next(panel: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        reject(new Error(`The ${panel} panel did not finish drawing within ${timeoutMs} ms.`));
      }, timeoutMs);
      const done = (report: T) => {
        clearTimeout(timer);
        resolve(report);
      };
      this.waiters.add(done);
    });
  }

  resolve(report: T): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const done of waiting) done(report);
  }
}
