/**
 * Exiting the CLI without losing output. When stdout or stderr is a pipe, Node writes to it
 * asynchronously: what the pipe cannot take at once (64 KiB on Linux) waits in the stream's buffer,
 * and `process.exit()` drops that buffer. So the CLI exits through `exitAfterFlush`, which waits
 * until both streams have handed everything to the OS. `guardStdio` makes a consumer that closes
 * its end early (`| head -1`: EPIPE) end the output quietly instead of with an uncaught stack trace.
 */

/** The part of a stdio stream used here (`process.stdout`, `process.stderr`). */
export interface StdioStream {
  write(chunk: string, cb: (err?: Error | null) => void): boolean;
  on(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  readonly destroyed: boolean;
}

export interface StdioGuard {
  /** True when a stream failed with something other than EPIPE (output was lost, not declined). */
  readonly failed: boolean;
}

/**
 * Handles write errors on the given streams: EPIPE (the reader went away) ends that stream's output
 * silently; any other error marks the run failed and, for stdout, is reported once on stderr.
 * A failed stream is destroyed by Node, so later writes to it are dropped without a further error.
 */
export function guardStdio(streams: { stdout: StdioStream; stderr: StdioStream } = process): StdioGuard {
  const guard = { failed: false };
  for (const stream of [streams.stdout, streams.stderr]) {
    stream.on('error', (err) => {
      if (err.code === 'EPIPE' || guard.failed) return;
      guard.failed = true;
      if (stream === streams.stdout && !streams.stderr.destroyed) streams.stderr.write(`codex-governance: cannot write to stdout: ${err.message}\n`, () => {});
    });
  }
  return guard;
}

/** Resolves once everything written to `stream` so far has been handed to the OS (or the stream is gone). */
export function flushed(stream: StdioStream): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  // Writes complete in order, so the callback of an empty write runs after every earlier write.
  // It gets an error instead when the stream fails or was destroyed meanwhile: done either way.
  return new Promise((resolve) => {
    try {
      stream.write('', () => resolve());
    } catch {
      resolve();
    }
  });
}

/**
 * Exits with `code` once stdout and stderr have drained, writing nothing more. A guarded stream that
 * failed (not EPIPE) turns a 0 into 1, since part of the output was lost.
 */
export async function exitAfterFlush(code: number, guard?: StdioGuard, streams: { stdout: StdioStream; stderr: StdioStream } = process): Promise<never> {
  process.exitCode = code;
  await Promise.all([flushed(streams.stdout), flushed(streams.stderr)]);
  process.exit(code === 0 && guard?.failed ? 1 : code);
}
