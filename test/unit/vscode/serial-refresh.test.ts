import assert from 'node:assert/strict';
import { SerialRefresh } from '../../../src/vscode/panels/serial-refresh';

describe('panel refresh, one at a time', () => {
  it('merges a burst into one more run after the current one, never two at once', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const r = new SerialRefresh(async () => {
      running++;
      most = Math.max(most, running);
      runs++;
      await new Promise((done) => setTimeout(done, 20));
      running--;
    }, () => false);
    await Promise.all([r.run(), r.run(), r.run(), r.run()]);
    assert.equal(most, 1);
    assert.equal(runs, 2);
  });

  it('stops repeating once the panel is disposed', async () => {
    let runs = 0;
    let disposed = false;
    const r = new SerialRefresh(async () => {
      runs++;
      disposed = true;
      await Promise.resolve();
    }, () => disposed);
    await Promise.all([r.run(), r.run()]);
    assert.equal(runs, 1);
  });
});
