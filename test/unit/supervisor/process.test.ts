import assert from 'node:assert/strict';
import { liveChildren, liveTreePids, spawnGroup } from '../../../src/supervisor/process';
import { SupervisorStats } from '../../../src/supervisor/stats';

describe('supervised child processes', function () {
  this.timeout(10_000);
  afterEach(async () => {
    for (const c of liveChildren()) await c.kill(0);
  });

  it('kill() ends the leader, its group and a descendant that moved to its own group', async () => {
    // The inner setsid puts one sleep in a new session/group, as a command could.
    const child = await spawnGroup('/bin/sh', ['-c', 'sleep 30 & setsid sleep 31 & wait'], { env: process.env });
    let tree: number[] = [];
    for (let i = 0; i < 100 && tree.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      tree = await liveTreePids(child.pid);
    }
    assert.ok(tree.length >= 3, `sh and both sleeps: ${tree.join(',')}`);
    await child.kill(200);
    assert.equal(child.alive(), false);
    await new Promise((r) => setTimeout(r, 50));
    const left = (await Promise.all(tree.map((p) => liveTreePids(p)))).flat();
    assert.deepEqual(left, []);
  });

  it('exited resolves with the code, stderr is kept, and spawning a missing binary fails with its name', async () => {
    const child = await spawnGroup('/bin/sh', ['-c', 'echo oops >&2; exit 3'], { env: process.env });
    assert.deepEqual(await child.exited, { code: 3, signal: null });
    assert.equal(child.stderrTail(), 'oops\n');
    await assert.rejects(spawnGroup('/nonexistent/codex', [], { env: process.env }), /Could not start \/nonexistent\/codex/);
  });
});

describe('supervisor performance figures', () => {
  it('counts outcomes, nearest-rank percentiles, tokens and ready times', () => {
    const s = new SupervisorStats();
    for (const ms of [10, 20, 30, 40, 100]) s.turn('ok', ms);
    s.turn('deadline', 1000);
    s.usage({ input: 5, cachedInput: 1, output: 2, reasoningOutput: 0, total: 7 });
    s.usage({ input: 5, cachedInput: 0, output: 3, reasoningOutput: 1, total: 8 });
    s.childReady('app-server', 100);
    s.childReady('app-server', 200);
    const snap = s.snapshot() as Record<string, any>;
    assert.equal(snap.turns, 6);
    assert.equal(snap.ok, 5);
    assert.equal(snap.success_rate, 5 / 6);
    assert.deepEqual(snap.outcomes, { ok: 5, deadline: 1 });
    assert.deepEqual(snap.turn_ms, { mean: 200, p50: 30, p95: 1000, window: 6 });
    assert.deepEqual(snap.tokens, { input: 10, cachedInput: 1, output: 5, reasoningOutput: 1, total: 15 });
    assert.deepEqual(snap.child_ready_ms, { 'app-server': 150 });
  });
});
