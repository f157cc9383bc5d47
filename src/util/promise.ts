/**
 * Runs `fn` now and hands its value over as a promise; a throw becomes a rejection, as it would in
 * an `async` function. For synchronous implementations of interfaces that return promises (the
 * node:sqlite repositories, VS Code's serializer), without an `async` that awaits nothing.
 */
export function runAsPromise<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(fn()));
}
