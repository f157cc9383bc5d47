/**
 * Spawning Codex (or any child) for tests so that nothing outlives the test run. The children are
 * the supervisor's own ({@link spawnGroup}: own process group, the whole tree ended on kill, a
 * last-resort SIGKILL when the test process exits); this file only remembers which ones a test
 * started, so an `after` hook can call {@link killAllSpawned} as a safety net without touching the
 * children of a supervisor another hook still owns.
 */
import { readFile } from 'node:fs/promises';
import { spawnGroup, type ChildHandle } from '../../src/supervisor/process';

const spawned = new Set<ChildHandle>();

/**
 * Spawns `command args` in its own process group, stdio piped, no shell.
 * @throws Error naming the command when the OS refuses to start it (ENOENT, EACCES).
 */
export async function spawnDetached(command: string, args: string[], opts: { env: Record<string, string>; cwd?: string }): Promise<ChildHandle> {
  const child = await spawnGroup(command, args, opts);
  spawned.add(child);
  return child;
}

/** Kills every child started by {@link spawnDetached} that has not been killed by this call yet. */
export async function killAllSpawned(): Promise<void> {
  const all = [...spawned];
  spawned.clear();
  await Promise.all(all.map((c) => c.kill()));
}

/** True while `pid` exists and is neither a zombie nor dead (Linux /proc/<pid>/stat state field). */
export async function processAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
