/**
 * `node dist/cli.js serve` in its own process for e2e tests: started with the given arguments and
 * environment, resolved once it prints `serving <url>` (http or https), ended with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const CLI = resolve(__dirname, '../../dist/cli.js');

export interface ServeProcess {
  proc: ChildProcess;
  /** The URL the server printed, e.g. `http://127.0.0.1:43121`. */
  url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
}

/**
 * Starts `serve` with `args` and `env` added to this process's environment.
 * @throws Error with its output when it exits or has not printed its URL within `timeoutMs` (ms)
 */
export async function startServe(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ServeProcess> {
  const proc = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /serving (https?:\/\/\S+:\d+)/.exec(out);
    if (m) return { proc, url: m[1]!, output: () => out };
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`serve did not start (exit ${proc.exitCode}): ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends SIGTERM and waits for the exit; nothing when it has already ended. */
export async function stopServe(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}
