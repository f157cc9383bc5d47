/**
 * Child processes that cannot outlive the supervisor: each Codex child leads its own process group
 * (`detached: true`, no shell), and ending it signals the whole group (`kill(-pid)`) plus every
 * descendant seen before the kill, because Codex may start commands in their own groups and a
 * killed leader re-parents them to PID 1 (observed once after cancel + SIGTERM with 0.153.4).
 *
 * Linux process table: `/proc/<pid>/stat` fields 3 (state), 4 (ppid), 5 (pgrp), see proc(5).
 * Elsewhere only the group is signalled and `kill(-pgid, 0)` tells whether it still exists.
 *
 * Even when the host dies without running any code of ours (SIGKILL, OOM killer, crash), every
 * child has a watchdog (see {@link WATCHDOG_SCRIPT}): a `/bin/sh` that blocks reading a pipe whose
 * only writer is the host. The kernel closes that pipe however the host dies; the watchdog then
 * freezes and kills the child's tree. `setpriv --pdeathsig` would reach only the direct child,
 * not the commands Codex starts in sessions of their own.
 */
import { execFile, spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
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

/** The watchdog's `$0`, so `ps` and tests can tell it apart from other shells. */
export const WATCHDOG_NAME = 'codex-governance-watchdog';

/**
 * The watchdog, fixed POSIX sh text; its only input is argv: `$1` = the child's PID (= its process
 * group). Uses builtins only, so it forks nothing and starts in about a millisecond.
 *
 * 1. `read` blocks on stdin, a pipe only the host can write to; it returns at EOF, i.e. when the
 *    host process has ended, however. (When the host ends the child itself, or the child ends on
 *    its own, the host SIGKILLs the watchdog instead, so it never walks a finished tree.)
 * 2. SIGSTOP the child's group, so nothing in it can fork or react while the tree is walked.
 * 3. If the child's PID is still its own group leader (not reaped and reused), collect its
 *    descendants from /proc/<pid>/stat (fields after the last ") ": state ppid pgrp), stopping each
 *    one found, until a pass finds none; Codex starts commands in sessions of their own, which the
 *    group kill alone would miss.
 * 4. SIGKILL the child's group (a group ID cannot be reused while a member lives), every group a
 *    descendant is in (all inside sessions this tree created), and every descendant; exit.
 *    The walk reads ~300 bytes per process, about 0.1-0.2 s on a machine with a few hundred.
 *
 * The child cannot notice the host's death before step 2: the watchdog also holds the host's ends of
 * the child's stdio (fds 3-5), so the child sees neither EOF on stdin nor EPIPE on stdout/stderr.
 * Without /proc (macOS) the glob matches nothing and only the group is killed.
 */
export const WATCHDOG_SCRIPT = `leader=$1
read -r _
kill -STOP -"$leader" 2>/dev/null
tree=" $leader "
groups=" $leader "
more=
{ read -r s < "/proc/$leader/stat"; } 2>/dev/null && set -- \${s##*") "} && [ "$3" = "$leader" ] && more=1
while [ -n "$more" ]; do
  more=
  for f in /proc/[0-9]*/stat; do
    { read -r s < "$f"; } 2>/dev/null || continue
    set -- \${s##*") "}
    case $tree in *" $2 "*) ;; *) continue ;; esac
    p=\${f#/proc/}
    p=\${p%/stat}
    case $tree in *" $p "*) continue ;; esac
    kill -STOP "$p" 2>/dev/null
    tree="$tree$p "
    case $groups in *" $3 "*) ;; *) groups="$groups$3 " ;; esac
    more=1
  done
done
for g in $groups; do kill -KILL -"$g" 2>/dev/null; done
for p in $tree; do [ "$p" = "$leader" ] || kill -KILL "$p" 2>/dev/null; done
exit 0
`;

/** The OS file descriptor behind a child's stdio stream (Node keeps it on the libuv pipe handle). */
function fdOf(stream: unknown): number | undefined {
  const fd = (stream as { _handle?: { fd?: unknown } } | null)?._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Starts the watchdog of `child` (leader `pid`), or returns undefined where there is no `/bin/sh`
 * (Windows) or it cannot start: the watchdog is a safety net, never a reason to fail a spawn.
 * It runs detached (own session: a Ctrl-C at the host's terminal must not end it before the host)
 * and unreferenced (it never keeps the host's event loop alive). Cost: one synchronous fork/exec of
 * dash, about 1-2 ms, not awaited.
 */
function startWatchdog(child: ChildProcess, pid: number): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined;
  // The host's ends of the child's pipes, passed as raw fds: passing the streams themselves would
  // make Node stop reading the child's stdout in this process.
  const held = [child.stdin, child.stdout, child.stderr].map((s) => fdOf(s) ?? 'ignore');
  let watchdog: ChildProcess;
  try {
    watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, WATCHDOG_NAME, String(pid)], { stdio: ['pipe', 'ignore', 'ignore', ...held], detached: true, env: {} });
  } catch {
    return undefined; // EBADF and the like: the child's pipes are gone already.
  }
  watchdog.on('error', () => undefined);
  watchdog.stdin?.on('error', () => undefined);
  watchdog.unref();
  (watchdog.stdin as { unref?: () => void } | null)?.unref?.();
  return watchdog;
}

/** Ends a watchdog whose child is gone or being killed by us (SIGKILL: it must not walk the tree). */
function dismissWatchdog(watchdog: ChildProcess | undefined): void {
  if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
}

const live = new Set<ChildHandle>();
/** Children whose watchdog is running: at the host's exit that watchdog does the whole job. */
const watched = new WeakSet<ChildHandle>();

// Last resort if the host exits without closing the supervisor: only synchronous calls work here.
// A watched child is left to its watchdog, which wakes as this process ends and, unlike a plain
// group kill from here, also ends commands in sessions of their own while their parent still lives.
function killLiveOnExit(): void {
  for (const c of live) if (!watched.has(c)) signal(-c.pid, 'SIGKILL');
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
  // Between the spawn above and this line the child has no watchdog; a host killed in that window
  // (a few ms) leaves it to notice EOF on its stdin by itself.
  const watchdog = startWatchdog(child, pid);
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
        dismissWatchdog(watchdog);
        untrack(handle);
      })()),
  };
  track(handle);
  if (watchdog) {
    watched.add(handle);
    watchdog.once('exit', () => watched.delete(handle));
  }
  void exited.then(() => {
    // A leader that died on its own may leave its group behind; sweep it.
    signal(-pid, 'SIGKILL');
    dismissWatchdog(watchdog);
    untrack(handle);
  });
  return handle;
}
