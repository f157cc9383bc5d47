/**
 * Spawning Codex (or any child) for tests so that nothing outlives the test run: each child leads its
 * own process group (`detached: true`), and `kill()` signals the whole group (`kill(-pid)`), which
 * also reaches the shells and commands Codex started. Every child is tracked, so an `after` hook can
 * call {@link killAllSpawned} as a safety net.
 *
 * {@link ChildStdioTransport} lets the SDK's MCP `Client` talk to such a child over stdio (the SDK's
 * own `StdioClientTransport` spawns without a process group).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface SpawnedChild {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** Resolves once the leader process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the child wrote to stderr so far (Codex logs there; stdout is the protocol). */
  stderrText(): string;
  /** SIGTERM to the process group, SIGKILL after `graceMs` (default 2000 ms) if the leader is still alive, then SIGKILL to the group again for stragglers. Idempotent. */
  kill(graceMs?: number): Promise<void>;
}

const live = new Set<SpawnedChild>();

// Last resort when the test process exits without running `after` hooks (mocha --exit, a crash):
// detached groups would otherwise outlive it. Only synchronous calls are possible here.
process.on('exit', () => {
  for (const c of live) {
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Spawns `command args` in its own process group, stdio piped, no shell. */
export function spawnDetached(command: string, args: string[], opts: { env: Record<string, string>; cwd?: string }): SpawnedChild {
  const child = spawn(command, args, { env: opts.env, cwd: opts.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  const pid = child.pid;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    // Bounded, so a chatty child cannot grow the test process without limit.
    stderr = (stderr + d).slice(-200_000);
  });
  let exitState: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitState = { code, signal };
      resolve(exitState);
    });
    child.once('error', () => {
      exitState = { code: null, signal: null };
      resolve(exitState);
    });
  });
  let killing: Promise<void> | undefined;
  const handle: SpawnedChild = {
    child,
    pid,
    exited,
    stderrText: () => stderr,
    kill: (graceMs = 2000) => {
      killing ??= (async () => {
        child.stdin.destroy();
        if (!exitState) {
          signalGroup(pid, 'SIGTERM');
          const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
          if ((await Promise.race([exited, timer])) === 'timeout') {
            signalGroup(pid, 'SIGKILL');
            await exited;
          }
        }
        signalGroup(pid, 'SIGKILL');
        live.delete(handle);
      })();
      return killing;
    },
  };
  live.add(handle);
  return handle;
}

/** Kills every child spawned by {@link spawnDetached} that has not been killed yet. */
export async function killAllSpawned(): Promise<void> {
  await Promise.all([...live].map((c) => c.kill()));
}

/**
 * Processes of group `pgid` that are still running (zombies, which are already dead and only wait
 * to be reaped by their new parent, do not count). Reads `/proc/<pid>/stat` (fields 3 = state,
 * 5 = pgrp, see proc(5)) on Linux; elsewhere falls back to `kill(-pgid, 0)` and returns `[pgid]`
 * while the group exists.
 */
export function livePidsInGroup(pgid: number): number[] {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name (field 2) is in parentheses and may contain spaces; fields after it are plain.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    const pgrp = Number(rest[2]);
    if (pgrp === pgid && state !== 'Z' && state !== 'X') pids.push(Number(entry));
  }
  return pids;
}

/** An MCP client transport over a spawned child's stdin/stdout (newline-delimited JSON-RPC, as MCP's stdio transport specifies). */
export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();
  private closed = false;

  constructor(private readonly proc: SpawnedChild) {}

  async start(): Promise<void> {
    const { child } = this.proc;
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (;;) {
        let msg: JSONRPCMessage | null;
        try {
          msg = this.buffer.readMessage();
        } catch (err) {
          this.onerror?.(err as Error);
          continue;
        }
        if (msg === null) break;
        this.onmessage?.(msg);
      }
    });
    child.stdin.on('error', (err) => this.onerror?.(err));
    void this.proc.exited.then(() => this.fireClose());
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('transport closed');
    const { stdin } = this.proc.child;
    await new Promise<void>((resolve, reject) => {
      stdin.write(serializeMessage(message), (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    await this.proc.kill();
    this.fireClose();
  }

  private fireClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.clear();
    this.onclose?.();
  }
}
