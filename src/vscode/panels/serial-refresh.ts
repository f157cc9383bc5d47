/**
 * Runs a panel's load one at a time: a refresh asked for while one runs is merged into one more run
 * after it (a burst of change events reloads twice at most, never in parallel, and never after the
 * panel is disposed).
 */
export class SerialRefresh {
  private running: Promise<void> | undefined;
  private again = false;

  /**
   * @param load reads and posts what the panel shows
   * @param stopped true once the panel is disposed (no more runs)
   */
  constructor(
    private readonly load: () => Promise<void>,
    private readonly stopped: () => boolean,
  ) {}

  /** Resolves when the run that covers this call has finished. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const loop = async (): Promise<void> => {
      do {
        this.again = false;
        await this.load();
      } while (this.again && !this.stopped());
    };
    this.running = loop().finally(() => (this.running = undefined));
    return this.running;
  }
}
