/**
 * PostgreSQL agent updates from several servers (pools) on one database: the optimistic write
 * (read without a lock, write only if the agent is still at the version read), the re-read when
 * another server wrote in between, the row-lock fallback, and no lost update under real concurrency.
 */
import assert from 'node:assert/strict';
import { applyUpdate, initialDynamics, type DynamicsState } from '../../../src/core/eisv';
import { GovernanceEvents } from '../../../src/core/events';
import { GovernanceService } from '../../../src/core/governance';
import type { RecordUpdateInput } from '../../../src/core/repository';
import { PgAgentRepository } from '../../../src/store/postgres/agents';
import { PgPool } from '../../../src/store/postgres/pool';
import { openPostgresStore } from '../../../src/store/postgres/store';
import { testDatabase } from '../../helpers/postgres';

const T0 = Date.parse('2026-12-02T06:00:00Z');

/** The update `operation` makes from `current`, as GovernanceService builds it. */
function build(agentId: string, operation: string, current: { dynamics: DynamicsState | null } | undefined, atMs: number): RecordUpdateInput {
  const outcome = applyUpdate(current?.dynamics ?? initialDynamics(), { complexity: 0.5, nowMs: atMs, operation });
  return { agentId, atMs, operation, complexity: 0.5, dynamics: outcome.state, metrics: outcome.metrics, decision: outcome.decision };
}

/** Polls `check` every 10 ms until it holds (10 s at most). */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A DecideUpdate that builds `operation` from whatever state it is given. */
function decide(agentId: string, operation: string, atMs: number) {
  return (current: { dynamics: DynamicsState | null } | undefined) => Promise.resolve(build(agentId, operation, current, atMs));
}

describe('store: PostgreSQL agent updates from several servers', function () {
  this.timeout(180_000);
  let pools: PgPool[] = [];
  let url = '';

  before(async () => {
    url = await testDatabase('agent_race');
    // Migrates the database once; its pool is the first server's.
    const store = await openPostgresStore(url);
    await store.close();
  });
  beforeEach(() => {
    pools = [new PgPool(url), new PgPool(url)];
  });
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  /** Two repositories on two pools; the first one's optimistic attempts as given. */
  function servers(firstAttempts?: number): [PgAgentRepository, PgAgentRepository] {
    return [new PgAgentRepository(pools[0]!, firstAttempts === undefined ? {} : { optimisticAttempts: firstAttempts }), new PgAgentRepository(pools[1]!)];
  }

  it('another server writing between the read and the write: the update reads again and decides on that state', async () => {
    const [a, b] = servers();
    await b.updateAtomically('r1', T0, decide('r1', 'b first', T0));
    const seen: Array<number | undefined> = [];
    const done = await a.updateAtomically('r1', T0 + 1, async (cur) => {
      seen.push(cur?.dynamics?.updates);
      // Another server commits while this decision is being made (the first time only).
      if (seen.length === 1) await b.updateAtomically('r1', T0 + 2, decide('r1', 'b between', T0 + 2));
      return build('r1', 'a', cur, T0 + 3);
    });
    assert.deepEqual(seen, [1, 2], 'decided twice: on the state read, then on the state the other server wrote');
    assert.equal(done.existed, true);
    assert.equal(done.agent.updateCount, 3);
    assert.equal(done.input.dynamics.updates, 3, 'the stored update starts from the other server’s');
    const stored = (await b.get('r1'))!;
    assert.equal(stored.updateCount, 3);
    assert.equal(stored.dynamics!.updates, 3);
    assert.deepEqual((await b.history('r1', { limit: 10 })).map((h) => h.operation), ['b first', 'b between', 'a']);
  });

  it('two servers creating one new agent: the loser updates the winner’s row and does not report it as created', async () => {
    const [a, b] = servers();
    let calls = 0;
    const done = await a.updateAtomically('r2', T0, async (cur) => {
      calls++;
      if (calls === 1) {
        assert.equal(cur, undefined);
        const other = await b.updateAtomically('r2', T0, decide('r2', 'b', T0));
        assert.equal(other.existed, false);
      }
      return build('r2', 'a', cur, T0 + 1);
    });
    assert.equal(calls, 2);
    assert.equal(done.existed, true, 'the other server created it');
    assert.equal(done.agent.updateCount, 2);
    assert.deepEqual((await a.history('r2', { limit: 10 })).map((h) => h.operation), ['b', 'a']);
  });

  it('after the optimistic attempts are lost it takes the row lock: a concurrent writer waits for it', async () => {
    const [a, b] = servers(1);
    await b.updateAtomically('r3', T0, decide('r3', 'b first', T0));
    let other: Promise<unknown> | undefined;
    const seen: Array<number | undefined> = [];
    const done = await a.updateAtomically('r3', T0 + 1, async (cur) => {
      seen.push(cur?.dynamics?.updates);
      if (seen.length === 1) await b.updateAtomically('r3', T0 + 2, decide('r3', 'b between', T0 + 2));
      // Under the lock now: this write cannot land before ours commits.
      else other = b.updateAtomically('r3', T0 + 4, decide('r3', 'b after', T0 + 4));
      return build('r3', 'a', cur, T0 + 3);
    });
    await other;
    assert.deepEqual(seen, [1, 2]);
    assert.equal(done.agent.updateCount, 3);
    const stored = (await a.get('r3'))!;
    assert.equal(stored.updateCount, 4);
    assert.equal(stored.dynamics!.updates, 4);
    assert.deepEqual((await a.history('r3', { limit: 10 })).map((h) => h.operation), ['b first', 'b between', 'a', 'b after']);
  });

  it('server B updates an agent server A has cached, then A updates it: A decides again from B’s state', async () => {
    const [a, b] = servers();
    // A creates the agent (not kept: see the statements test) and updates it once (kept).
    await a.updateAtomically('r5', T0, decide('r5', 'a create', T0));
    const first = await a.updateAtomically('r5', T0 + 1, decide('r5', 'a first', T0 + 1));
    await b.updateAtomically('r5', T0 + 2, decide('r5', 'b', T0 + 2));
    const seen: Array<number | undefined> = [];
    const done = await a.updateAtomically('r5', T0 + 3, (cur) => {
      seen.push(cur?.dynamics?.updates);
      return Promise.resolve(build('r5', 'a second', cur, T0 + 3));
    });
    assert.deepEqual(seen, [2, 3], 'first from the state A wrote (its write matched no row), then from the state B wrote');
    assert.equal(done.existed, true);
    assert.equal(done.agent.updateCount, 4);
    assert.equal(done.input.dynamics.updates, 4);
    const history = await b.history('r5', { limit: 10 });
    assert.deepEqual(history.map((h) => h.operation), ['a create', 'a first', 'b', 'a second']);
    // A's history row holds the metrics decided on B's state, not those of the state A had cached.
    const onCached = build('r5', 'a second', { dynamics: first.input.dynamics }, T0 + 3).metrics;
    const onB = done.input.metrics;
    assert.notEqual(onCached.E, onB.E, 'the two starting states give different metrics');
    assert.deepEqual([history[3]!.E, history[3]!.I, history[3]!.S, history[3]!.V, history[3]!.riskScore], [onB.E, onB.I, onB.S, onB.V, onB.risk_score]);
    assert.equal((await a.get('r5'))!.dynamics!.updates, 4);
  });

  it('the next update of an agent this server wrote skips the read; after another server wrote it, the agent is read first', async () => {
    const statements: string[] = [];
    const pool = pools[0]!.pool;
    const query = pool.query.bind(pool) as (config: unknown, values?: unknown) => Promise<unknown>;
    (pool as { query: unknown }).query = (config: unknown, values?: unknown) => {
      statements.push(typeof config === 'object' && config !== null && 'name' in config ? String(config.name) : 'unnamed');
      return query(config, values);
    };
    const [a, b] = servers();
    await a.updateAtomically('r6', T0, decide('r6', 'a 1', T0));
    assert.deepEqual(statements.splice(0), ['agent_state', 'agent_insert_new']);
    await a.updateAtomically('r6', T0 + 1, decide('r6', 'a 2', T0 + 1));
    assert.deepEqual(statements.splice(0), ['agent_state', 'agent_update_if_unchanged'], 'an agent this server created is read once (conditions stored before its row existed)');
    await a.updateAtomically('r6', T0 + 2, decide('r6', 'a 3', T0 + 2));
    await a.updateAtomically('r6', T0 + 2, decide('r6', 'a 3b', T0 + 2));
    assert.deepEqual(statements.splice(0), ['agent_update_if_unchanged', 'agent_update_if_unchanged'], 'one round trip per update');
    await b.updateAtomically('r6', T0 + 3, decide('r6', 'b', T0 + 3));
    await a.updateAtomically('r6', T0 + 4, decide('r6', 'a 4', T0 + 4));
    assert.deepEqual(statements.splice(0), ['agent_update_if_unchanged', 'agent_state', 'agent_update_if_unchanged'], 'the cached version lost, read, won');
    await a.updateAtomically('r6', T0 + 5, decide('r6', 'a 5', T0 + 5));
    assert.deepEqual(statements.splice(0), ['agent_state', 'agent_update_if_unchanged'], 'an agent another server writes is read first');
    const uncached = new PgAgentRepository(pools[0]!, { stateCache: 0 });
    await uncached.updateAtomically('r6', T0 + 6, decide('r6', 'a 6', T0 + 6));
    await uncached.updateAtomically('r6', T0 + 7, decide('r6', 'a 7', T0 + 7));
    assert.deepEqual(statements.splice(0), ['agent_state', 'agent_update_if_unchanged', 'agent_state', 'agent_update_if_unchanged']);
    assert.deepEqual((await b.history('r6', { limit: 10 })).map((h) => h.operation), ['a 1', 'a 2', 'a 3', 'a 3b', 'b', 'a 4', 'a 5', 'a 6', 'a 7']);
    assert.equal((await b.get('r6'))!.dynamics!.updates, 9);
  });

  /**
   * What a dialectic resolution on another server writes for `agentId` (src/store/postgres/dialectic.ts
   * writeEffects): the session, a complexity condition, and the agent's conditions_version bumped, in
   * one transaction left open (it holds the agent row) until `commit()`.
   */
  async function resolveOnB(agentId: string, cap: number): Promise<{ commit: () => Promise<void> }> {
    const c = await pools[1]!.pool.connect();
    await c.query('BEGIN');
    await c.query(
      `INSERT INTO dialectic_sessions (id, version, requester_id, reviewer_id, phase, created_at, updated_at, deadline_at, record)
       VALUES ($1, 1, $2, 'rev', 'resolved', '2026-12-02T06:00:00Z', '2026-12-02T06:00:00Z', '2026-12-02T07:00:00Z', '{}')`,
      [`d-${agentId}-${cap}`, agentId],
    );
    await c.query(
      `INSERT INTO agent_conditions (agent_id, session_id, action, target, value, unit, original, created_at)
       VALUES ($1, $2, 'limit', 'complexity', $3, NULL, $4, '2026-12-02T06:00:00Z')`,
      [agentId, `d-${agentId}-${cap}`, cap, `Limit complexity to ${cap}`],
    );
    await c.query('UPDATE agents SET conditions_version = conditions_version + 1 WHERE id = $1', [agentId]);
    return {
      commit: async () => {
        await c.query('COMMIT');
        c.release();
      },
    };
  }

  /** Sessions of the test database waiting for a lock. */
  async function waitingForLocks(): Promise<number> {
    const r = await pools[1]!.pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    return (r.rows[0] as { n: number }).n;
  }

  /** A DecideUpdate for `agentId` that records the cap it was given. */
  function capped(agentId: string, caps: Array<number | undefined>, operation: string, atMs: number) {
    return (current: { dynamics: DynamicsState | null } | undefined, cap: number | undefined) => {
      caps.push(cap);
      return Promise.resolve(build(agentId, operation, current, atMs));
    };
  }

  it('a dialectic condition another server stores caps the next update of an agent this server has cached', async () => {
    const [a] = servers();
    const caps: Array<number | undefined> = [];
    for (let i = 1; i <= 3; i++) await a.updateAtomically('r7', T0 + i, capped('r7', caps, `a ${i}`, T0 + i));
    await (await resolveOnB('r7', 0.3)).commit();
    await a.updateAtomically('r7', T0 + 4, capped('r7', caps, 'a 4', T0 + 4));
    await a.updateAtomically('r7', T0 + 5, capped('r7', caps, 'a 5', T0 + 5));
    // a 4: decided from the kept state (no cap), refused by the write, decided again after the read.
    assert.deepEqual(caps, [undefined, undefined, undefined, undefined, 0.3, 0.3]);
    assert.deepEqual((await a.history('r7', { limit: 10 })).map((h) => h.operation), ['a 1', 'a 2', 'a 3', 'a 4', 'a 5']);
  });

  it('a resolution that commits while the cached write waits for the agent row: the write sees it and decides again', async () => {
    const [a] = servers();
    const caps: Array<number | undefined> = [];
    for (let i = 1; i <= 2; i++) await a.updateAtomically('r8', T0 + i, capped('r8', caps, `a ${i}`, T0 + i));
    const held = await resolveOnB('r8', 0.4);
    // A's write starts while B holds the agent row, and waits for it.
    const update = a.updateAtomically('r8', T0 + 3, capped('r8', caps, 'a 3', T0 + 3));
    await waitFor(async () => (await waitingForLocks()) === 1);
    await held.commit();
    const done = await update;
    assert.deepEqual(caps, [undefined, undefined, undefined, 0.4], 'decided without the cap, not written, decided again under it');
    assert.equal(done.input.complexity, 0.5, 'the DecideUpdate here applies no cap itself; GovernanceService does');
    assert.deepEqual((await a.history('r8', { limit: 10 })).map((h) => h.operation), ['a 1', 'a 2', 'a 3']);
  });

  it('16 agents updated through two servers at once, each server’s cache stale in turn: update_count equals the acknowledged updates of each agent', async () => {
    const [s1, s2] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    try {
      const govs = [new GovernanceService(s1, new GovernanceEvents()), new GovernanceService(s2, new GovernanceEvents())];
      const agents = Array.from({ length: 16 }, (_, i) => `pair-${i}`);
      const perServer = 25;
      const settled = await Promise.allSettled(
        govs.flatMap((gov, g) =>
          agents.map(async (agentId) => {
            const counts: number[] = [];
            for (let i = 0; i < perServer; i++) counts.push((await gov.processUpdate({ agentId, operation: `s${g} ${i}`, complexity: 0.5 })).update_count);
            return { agentId, counts };
          }),
        ),
      );
      const failed = settled.find((r) => r.status === 'rejected');
      assert.equal(failed, undefined, `every update acknowledged: ${String(failed?.status === 'rejected' ? failed.reason : '')}`);
      const done = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      for (const agentId of agents) {
        const counts = done.filter((d) => d.agentId === agentId).flatMap((d) => d.counts);
        assert.equal(counts.length, 2 * perServer);
        assert.deepEqual([...counts].sort((x, y) => x - y), Array.from({ length: 2 * perServer }, (_, i) => i + 1), `${agentId}: each update got its own version`);
        const stored = (await s1.agents.get(agentId))!;
        assert.equal(stored.updateCount, 2 * perServer);
        assert.equal(stored.dynamics!.updates, 2 * perServer, `${agentId}: every update started from the previous one`);
        assert.equal((await s2.agents.history(agentId, { limit: 1000 })).length, 2 * perServer);
      }
    } finally {
      await Promise.all([s1.close(), s2.close()]);
    }
  });

  it('a decision that throws stores nothing, not even a new agent', async () => {
    const [a] = servers();
    await assert.rejects(
      a.updateAtomically('r4', T0, () => Promise.reject(new Error('no decision'))),
      /no decision/,
    );
    assert.equal(await a.get('r4'), undefined);
  });

  it('two servers updating one agent at full speed: update_count equals the acknowledged updates, history has no gap', async () => {
    const [s1, s2] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    try {
      const govs = [new GovernanceService(s1, new GovernanceEvents()), new GovernanceService(s2, new GovernanceEvents())];
      const n = 120;
      const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => govs[i % 2]!.processUpdate({ agentId: 'hot', operation: `op ${i}`, complexity: 0.5 })));
      const acknowledged = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      assert.equal(acknowledged.length, n, `every update acknowledged: ${String(settled.find((r) => r.status === 'rejected')?.reason)}`);
      // Each acknowledged update got its own place in the sequence 1..n: none started from a state another one also started from.
      assert.deepEqual(acknowledged.map((r) => r.update_count).sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i + 1));
      const agent = (await s1.agents.get('hot'))!;
      assert.equal(agent.updateCount, n);
      assert.equal(agent.dynamics!.updates, n);
      const history = await s2.agents.history('hot', { limit: 1000 });
      assert.equal(history.length, n);
      assert.deepEqual(history.map((h) => h.operation).sort(), acknowledged.map((_r, i) => `op ${i}`).sort());
    } finally {
      await Promise.all([s1.close(), s2.close()]);
    }
  });
});
