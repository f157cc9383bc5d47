/**
 * Child processes that cannot outlive the supervisor: each Codex child leads its own process group
 * (`detached: true`, no shell), and ending it signals the whole group (`kill(-pid)`) plus every
 * descendant seen before the kill, because Codex may start commands in their own groups and a
 * killed leader re-parents them to PID 1 (observed once after cancel + SIGTERM with 0.153.4).
 *
 * Linux process table: `/proc/<pid>/stat` fields 3 (state), 4 (ppid), 5 (pgrp), see proc(5).
 * Elsewhere only the group is signalled and `kill(-pgid, 0)` tells whether it still exists.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildHandle {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** Resolves once the leader has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** True until the leader has exited. */
  alive(): boolean;
  /** The last 64 KiB the child wrote to stderr (Codex logs there; stdout is the protocol). */
  stderrTail(): string;
  /**
   * Ends the child: SIGTERM to its group, SIGKILL to the group after `graceMs` (default 2000 ms)
   * if the leader is still alive, then SIGKILL to every descendant recorded before the kill.
   * Idempotent; resolves when the leader has exited.
   */
  kill(graceMs?: number): Promise<void>;
}

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
}

async function readProcTable(): Promise<ProcStat[]> {
  if (process.platform !== 'linux') return [];
  const out: ProcStat[] = [];
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return out;
  }
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (e) => {
        try {
          const stat = await readFile(`/proc/${e}/stat`, 'utf8');
          // Field 2 (comm) is parenthesised and may contain spaces or ')'; the rest is plain.
          const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          out.push({ pid: Number(e), state: rest[0] ?? '', ppid: Number(rest[1]), pgrp: Number(rest[2]) });
        } catch {
          // The process ended while we read the table.
        }
      }),
  );
  return out;
}

const isLive = (p: ProcStat) => p.state !== 'Z' && p.state !== 'X';

/**
 * Running (non-zombie) processes that belong to `pid`'s tree: its group, its descendants, and the
 * groups those descendants lead. Linux only; elsewhere `[pid]` while the group exists, else `[]`.
 */
export async function liveTreePids(pid: number): Promise<number[]> {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pid, 0);
      return [pid];
    } catch {
      return [];
    }
  }
  const table = await readProcTable();
  const children = new Map<number, number[]>();
  for (const p of table) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const tree = new Set<number>();
  const stack = [pid];
  while (stack.length) {
    const next = stack.pop()!;
    if (tree.has(next)) continue;
    tree.add(next);
    stack.push(...(children.get(next) ?? []));
  }
  const groups = new Set<number>([pid]);
  for (const p of table) if (tree.has(p.pid)) groups.add(p.pgrp);
  return table.filter((p) => isLive(p) && (tree.has(p.pid) || groups.has(p.pgrp))).map((p) => p.pid);
}

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // ESRCH: already gone.
  }
}

const live = new Set<ChildHandle>();

// Last resort if the host exits without closing the supervisor: only synchronous calls work here.
function killLiveOnExit(): void {
  for (const c of live) signal(-c.pid, 'SIGKILL');
}

// The exit listener exists only while a child does. A module-level `process.on('exit')` stayed
// forever and was added again each time a host evaluated this code anew (a reloaded extension
// bundle), until Node printed MaxListenersExceededWarning.
function track(handle: ChildHandle): void {
  if (live.size === 0) process.on('exit', killLiveOnExit);
  live.add(handle);
}

function untrack(handle: ChildHandle): void {
  if (live.delete(handle) && live.size === 0) process.off('exit', killLiveOnExit);
}

/** Every child spawned by {@link spawnGroup} in this process that has not been killed yet. */
export function liveChildren(): ChildHandle[] {
  return [...live];
}

/**
 * Spawns `command args` as the leader of a new process group with piped stdio and no shell.
 * @throws Error naming the command when the OS refuses to start it (ENOENT, EACCES).
 */
export async function spawnGroup(command: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<ChildHandle> {
  const child = spawn(command, args, { env: opts.env, cwd: opts.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new Error(`Could not start ${command}: ${err.message}`, { cause: err })));
  });
  const pid = child.pid!;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr = (stderr + d).slice(-65_536);
  });
  // A child that dies mid-write must not crash the host with EPIPE.
  child.stdin.on('error', () => undefined);
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, sig) => {
      exitInfo = { code, signal: sig };
      resolve(exitInfo);
    });
  });
  let killing: Promise<void> | undefined;
  const handle: ChildHandle = {
    child,
    pid,
    exited,
    alive: () => exitInfo === undefined,
    stderrTail: () => stderr,
    kill: (graceMs = 2000) =>
      (killing ??= (async () => {
        const tree = await liveTreePids(pid);
        child.stdin.destroy();
        if (process.platform === 'win32' && exitInfo === undefined) {
          await new Promise<void>((r) => execFile('taskkill', ['/pid', String(pid), '/T', '/F'], { windowsHide: true }, () => r()));
        }
        if (exitInfo === undefined) {
          signal(-pid, 'SIGTERM');
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
          const raced = await Promise.race([exited, timeout]);
          clearTimeout(timer);
          if (raced === 'timeout') signal(-pid, 'SIGKILL');
        }
        signal(-pid, 'SIGKILL');
        for (const p of tree) if (p !== pid) signal(p, 'SIGKILL');
        await exited;
        untrack(handle);
      })()),
  };
  track(handle);
  void exited.then(() => {
    // A leader that died on its own may leave its group behind; sweep it.
    signal(-pid, 'SIGKILL');
    untrack(handle);
  });
  return handle;
}
