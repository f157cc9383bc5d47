/**
 * The per-child watchdog of src/supervisor/process (Linux): a host killed with SIGKILL leaves
 * nothing of its child's tree, not even a grandchild in a session of its own (as Codex starts its
 * commands), nor the watchdog; and a child that ends normally takes its watchdog with it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { liveTreePids, spawnGroup, WATCHDOG_NAME } from '../../../src/supervisor/process';

const MODULE = require.resolve('../../../src/supervisor/process');

/** ppid and argv of a live (non-zombie) process, or undefined (Linux /proc). */
function proc(pid: number): { ppid: number; argv: string[] } | undefined {
  try {
    const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
    if (rest[0] === 'Z' || rest[0] === 'X') return undefined;
    return { ppid: Number(rest[1]), argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean) };
  } catch {
    return undefined;
  }
}

/** Live watchdogs whose parent is `ppid` and which watch `childPid`. */
function watchdogsOf(ppid: number, childPid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((p) => {
      const info = proc(p);
      return info?.ppid === ppid && info.argv.includes(WATCHDOG_NAME) && info.argv.at(-1) === String(childPid);
    });
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

describe('supervised child processes: the watchdog', function () {
  this.timeout(20_000);
  const leftovers: number[] = [];
  afterEach(() => {
    for (const pid of leftovers.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone, as it should be.
      }
    }
  });

  it('ends the child, its group, a grandchild in its own session and itself when the host is SIGKILLed', async function () {
    if (process.platform !== 'linux') this.skip();
    // The host (a separate Node process) starts a child whose tree looks like Codex running a
    // command: the leader, a sleep in its group, and a setsid sleep in a session of its own.
    const host = `
      const { spawnGroup, liveTreePids } = require(${JSON.stringify(MODULE)});
      spawnGroup('/bin/sh', ['-c', 'sleep 30 & setsid sleep 31 & wait'], { env: process.env }).then(async (c) => {
        let tree = [];
        for (let i = 0; i < 200 && tree.length < 3; i++) {
          await new Promise((r) => setTimeout(r, 20));
          tree = await liveTreePids(c.pid);
        }
        process.stdout.write(JSON.stringify({ child: c.pid, tree }) + '\\n');
        setInterval(() => undefined, 1000);
      });`;
    const hostProc = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', host], { stdio: ['ignore', 'pipe', 'inherit'] });
    leftovers.push(hostProc.pid!);
    const { child, tree } = await new Promise<{ child: number; tree: number[] }>((resolve, reject) => {
      let out = '';
      hostProc.stdout.setEncoding('utf8');
      hostProc.stdout.on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as { child: number; tree: number[] });
      });
      hostProc.once('exit', (code) => reject(new Error(`the host exited early (${code})`)));
    });
    leftovers.push(...tree);
    assert.equal(tree.length, 3, `sh and both sleeps: ${tree.join(',')}`);
    const watchdogs = watchdogsOf(hostProc.pid!, child);
    assert.equal(watchdogs.length, 1, 'the child has one watchdog');
    leftovers.push(...watchdogs);

    hostProc.kill('SIGKILL');
    await until('the tree and the watchdog to end', () => [...tree, ...watchdogs].every((p) => proc(p) === undefined), 5000);
  });

  it('goes with its child: after kill(), and after the child ends on its own', async function () {
    if (process.platform !== 'linux') this.skip();
    const killed = await spawnGroup('/bin/sh', ['-c', 'sleep 30'], { env: process.env });
    assert.equal(watchdogsOf(process.pid, killed.pid).length, 1, 'a watchdog while the child runs');
    await killed.kill(200);
    await until('the watchdog of the killed child to end', () => watchdogsOf(process.pid, killed.pid).length === 0, 3000);

    const ended = await spawnGroup('/bin/sh', ['-c', 'sleep 0.2'], { env: process.env });
    assert.equal(watchdogsOf(process.pid, ended.pid).length, 1, 'a watchdog while the child runs');
    await ended.exited;
    await until('the watchdog of the ended child to end', () => watchdogsOf(process.pid, ended.pid).length === 0, 3000);
    assert.deepEqual(await liveTreePids(ended.pid), []);
  });
});
