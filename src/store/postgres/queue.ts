/**
 * Call order per key within one process. The SQLite store runs statements synchronously on one
 * connection, so a read issued after a write sees it; a pool of PostgreSQL connections would run
 * them in parallel. Writes of one key run one after the other, and reads of a key wait for the
 * writes issued before them (reads do not wait for each other).
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier `run` of `key`. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Runs `task` once the writes of `key` issued so far have settled. */
  after<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    return previous ? previous.then(task) : task();
  }
}
