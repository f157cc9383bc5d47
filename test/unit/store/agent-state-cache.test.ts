/** The PostgreSQL store's per-server hint of each agent's last written state (bounded, stale-aware). */
import assert from 'node:assert/strict';
import { AgentStateCache, READS_AFTER_STALE, type KnownState } from '../../../src/store/postgres/agent-state-cache';

const at = (dynamics: string | null, version: number): KnownState => ({ dynamics, version, complexityCap: undefined, conditionsVersion: 0 });

describe('store: PostgreSQL agent state cache', () => {
  it('keeps at most `limit` agents, dropping the least recently written', () => {
    const cache = new AgentStateCache(3);
    for (const id of ['a', 'b', 'c']) cache.remember(id, at(`{"id":"${id}"}`, 1));
    cache.remember('a', at('{"id":"a"}', 2));
    cache.remember('d', at(null, 1));
    assert.equal(cache.size, 3);
    assert.equal(cache.get('b'), undefined, 'b was the least recently written');
    assert.deepEqual(cache.get('a'), at('{"id":"a"}', 2));
    assert.deepEqual(cache.get('d'), at(null, 1));
  });

  it('an agent found stale is not trusted for its next READS_AFTER_STALE writes', () => {
    const cache = new AgentStateCache(10);
    cache.remember('a', at('{}', 1));
    cache.stale('a');
    assert.equal(cache.get('a'), undefined);
    for (let i = 0; i < READS_AFTER_STALE; i++) {
      cache.remember('a', at('{}', 2 + i));
      assert.equal(cache.get('a'), undefined, `write ${i + 1} after the stale one`);
    }
    cache.remember('a', at('{"n":1}', 99));
    assert.deepEqual(cache.get('a'), at('{"n":1}', 99));
  });

  it('forget drops what is known, stale marks included; limit 0 keeps nothing', () => {
    const cache = new AgentStateCache(10);
    cache.stale('a');
    cache.forget('a');
    cache.remember('a', at('{}', 5));
    assert.deepEqual(cache.get('a'), at('{}', 5));
    const off = new AgentStateCache(0);
    off.remember('a', at('{}', 1));
    off.stale('b');
    assert.equal(off.get('a'), undefined);
    assert.equal(off.size, 0);
  });
});
