import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { liveTreePids, type ChildHandle } from '../../../src/supervisor/process';

type ProcessModule = typeof import('../../../src/supervisor/process');

const MODULE = require.resolve('../../../src/supervisor/process');
const SLEEPER = ['-e', 'setInterval(() => undefined, 1000)'];

/** Evaluates src/supervisor/process anew, as a host does that loads a fresh copy of the bundle. */
function freshProcessModule(): ProcessModule {
  delete require.cache[MODULE];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(MODULE) as ProcessModule;
}

describe('supervised child processes: the process exit listener', function () {
  // 40 spawns, each with its watchdog: ~6 s on a quiet 2-core machine, more under load.
  this.timeout(30_000);
  // Ended here too, so that a failing assertion leaves no sleeper behind.
  const started: ChildHandle[] = [];
  const orphans: number[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((c) => c.kill(200)));
    for (const pid of orphans.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
  });

  it('is added while a child lives and removed after it, over 20 loads, spawns and stops', async () => {
    const start = process.listenerCount('exit');
    for (let i = 0; i < 20; i++) {
      const { spawnGroup } = freshProcessModule();
      const a = await spawnGroup(process.execPath, SLEEPER, { env: process.env });
      const b = await spawnGroup(process.execPath, i % 2 ? ['-e', ''] : SLEEPER, { env: process.env });
      started.push(a, b);
      assert.equal(process.listenerCount('exit'), start + 1, `round ${i}: one listener while children live`);
      // Odd rounds: the second child ends on its own; even rounds: it is killed.
      if (i % 2) await b.exited;
      else await b.kill(500);
      await a.kill(500);
      assert.equal(process.listenerCount('exit'), start, `round ${i}: no listener left once both children are gone`);
    }
  });

  it('still kills a live child group when the host process exits without stopping it', async () => {
    // The host is a separate Node process (loading the TypeScript through tsx) so that its exit is real.
    const host = `
      const { spawnGroup } = require(${JSON.stringify(MODULE)});
      spawnGroup(process.execPath, ${JSON.stringify(SLEEPER)}, { env: process.env }).then((c) => {
        process.stdout.write(String(c.pid));
        process.exit(0);
      });`;
    const root = join(__dirname, '..', '..', '..');
    const { stdout } = await promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', '-e', host], { cwd: root, timeout: 20_000 });
    const pid = Number(stdout);
    assert.ok(pid > 0, 'the host reported its child');
    orphans.push(pid);
    // SIGKILL is sent as the host exits; the kernel may take a moment to take the child down.
    let left = await liveTreePids(pid);
    for (const deadline = Date.now() + 3000; left.length > 0 && Date.now() < deadline; left = await liveTreePids(pid)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(left, [], 'the child group outlived its host by more than 3 s');
  });
});
