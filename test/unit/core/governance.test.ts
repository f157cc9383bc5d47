import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { GovernanceService } from '../../../src/core/governance';
import { GovernanceEvents, type GovernanceEventMap } from '../../../src/core/events';
import { NotFoundError, ValidationError } from '../../../src/core/errors';
import { LATEST_SCHEMA_VERSION } from '../../../src/store/migrations';
import { openStore } from '../../../src/store/store';
import type { Store } from '../../../src/store/types';
import { manualClock, useTempDir } from '../store/temp-dir';

describe('core: GovernanceService over a real SQLite file', () => {
  const dir = useTempDir('cg-gov-');
  let store: Store;
  let events: GovernanceEvents;
  let clock: ReturnType<typeof manualClock>;
  let gov: GovernanceService;

  beforeEach(async () => {
    store = await openStore(dir());
    events = new GovernanceEvents();
    clock = manualClock();
    gov = new GovernanceService(store, events, clock.now);
  });
  afterEach(async () => {
    await store.close();
  });

  it('process_agent_update returns a decision and metrics, and the history survives a reopen', async () => {
    const results = [];
    for (const complexity of [0.2, 0.5, 0.9]) {
      clock.advance(30_000);
      results.push(await gov.processUpdate({ agentId: 'codex_refactor_agent', operation: `step ${complexity}`, complexity, confidence: 0.8 }));
    }
    const last = results[2]!;
    assert.equal(last.agent_id, 'codex_refactor_agent');
    assert.ok(['PROCEED', 'PAUSE'].includes(last.governance_decision.action));
    assert.ok(last.governance_decision.reason.length > 0);
    for (const key of ['E', 'I', 'S', 'V', 'coherence', 'risk_score'] as const) assert.equal(typeof last.metrics[key], 'number', key);
    assert.equal(typeof last.metrics.void_active, 'boolean');
    assert.deepEqual(results.map((r) => r.update_count), [1, 2, 3]);

    await store.close();
    store = await openStore(dir());
    gov = new GovernanceService(store, events, clock.now);
    const metrics = await gov.getMetrics('codex_refactor_agent', { historyLimit: 10 });
    assert.equal(metrics.update_count, 3);
    assert.deepEqual(metrics.history.map((h) => h.operation), ['step 0.2', 'step 0.5', 'step 0.9']);
    assert.deepEqual(metrics.history.map((h) => h.complexity), [0.2, 0.5, 0.9]);
    assert.deepEqual(metrics.metrics, last.metrics);
    assert.equal(metrics.last_decision?.action, last.governance_decision.action);
    assert.equal(metrics.history[2]?.risk_score, last.metrics.risk_score);
    assert.deepEqual((await gov.getMetrics('codex_refactor_agent', { historyLimit: 2 })).history.map((h) => h.operation), ['step 0.5', 'step 0.9']);

    // The persisted dynamics carry on: the next update continues from the stored state.
    clock.advance(30_000);
    assert.equal((await gov.processUpdate({ agentId: 'codex_refactor_agent', complexity: 0.3 })).update_count, 4);
  });

  it('simulate_update gives the result the real update would give, and stores nothing', async () => {
    clock.advance(10_000);
    await gov.processUpdate({ agentId: 'a1', operation: 'warm up', complexity: 0.4 });
    clock.advance(60_000);
    const before = await store.agents.counts();
    const sim = await gov.simulateUpdate({ agentId: 'a1', operation: 'refactor auth module', complexity: 0.95, confidence: 0.3 });
    assert.equal(sim.simulated, true);
    assert.equal(sim.update_count, 2);
    assert.deepEqual(await store.agents.counts(), before);
    assert.equal((await gov.getMetrics('a1')).update_count, 1);

    const real = await gov.processUpdate({ agentId: 'a1', operation: 'refactor auth module', complexity: 0.95, confidence: 0.3 });
    assert.deepEqual(real.governance_decision, sim.governance_decision);
    assert.deepEqual(real.metrics, sim.metrics);

    const fresh = await gov.simulateUpdate({ agentId: 'never-seen', complexity: 0.5 });
    assert.equal(fresh.update_count, 1);
    assert.equal(await store.agents.get('never-seen'), undefined);
  });

  it('concurrent updates of one agent are applied one at a time', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gov.processUpdate({ agentId: 'busy', operation: `op ${i}`, complexity: 0.5 })));
    assert.deepEqual(results.map((r) => r.update_count).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1));
    const m = await gov.getMetrics('busy', { historyLimit: 100 });
    assert.equal(m.update_count, 20);
    assert.equal(m.history.length, 20);
    // Each update must start from the state the previous one stored (no lost updates).
    assert.equal((await store.agents.get('busy'))?.dynamics?.updates, 20);
  });

  it('updates of one agent issued together share group commits instead of waiting one commit each, and each is durable when answered', async () => {
    const reader = new DatabaseSync(join(dir(), 'governance.db'), { readOnly: true });
    try {
      let turns = 0;
      let done = false;
      const tick = () => {
        turns++;
        if (!done) setImmediate(tick);
      };
      setImmediate(tick);
      const storedCount = () => (reader.prepare("SELECT update_count AS n FROM agents WHERE id = 'burst'").get() as { n: number } | undefined)?.n ?? 0;
      const seenWhenAnswered: Array<[number, number]> = [];
      await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          gov.processUpdate({ agentId: 'burst', operation: `op ${i}`, complexity: 0.4 }).then((r) => seenWhenAnswered.push([r.update_count, storedCount()])),
        ),
      );
      done = true;
      // One commit per update would take at least 16 event-loop turns (each waits for the previous one's commit).
      assert.ok(turns <= 3, `16 updates of one agent took ${turns} event-loop turns`);
      assert.deepEqual(seenWhenAnswered.map(([n]) => n), Array.from({ length: 16 }, (_, i) => i + 1));
      for (const [n, stored] of seenWhenAnswered) assert.ok(stored >= n, `update ${n} was answered before another connection could read it (stored ${stored})`);
      // Each started from the state the previous one wrote.
      assert.equal((await store.agents.get('burst'))?.dynamics?.updates, 16);
    } finally {
      reader.close();
    }
  });

  it('process_agent_update stores the caller\'s client info with the update (no separate touch), keeping it when a later call has none', async () => {
    const created: Array<string | null> = [];
    events.on('agent-created', (e) => created.push(e.clientName));
    await gov.processUpdate({ agentId: 'cli', complexity: 0.2, clientName: 'codex-mcp-client', clientVersion: '0.171.0' });
    await gov.processUpdate({ agentId: 'cli', complexity: 0.2 });
    const agent = await store.agents.get('cli');
    assert.equal(agent?.clientName, 'codex-mcp-client');
    assert.equal(agent?.clientVersion, '0.171.0');
    assert.equal(agent?.updateCount, 2);
    assert.deepEqual(created, ['codex-mcp-client']);
  });

  it('emits agent-created once and agent-updated for every stored update', async () => {
    const created: string[] = [];
    const updated: GovernanceEventMap['agent-updated'][] = [];
    events.on('agent-created', (e) => created.push(e.agentId));
    events.on('agent-updated', (e) => updated.push(e));
    await gov.ensureAgent('copilot', { clientName: 'copilot', clientVersion: '1.0' });
    await gov.ensureAgent('copilot');
    const r = await gov.processUpdate({ agentId: 'copilot', complexity: 0.3 });
    await gov.processUpdate({ agentId: 'claude', complexity: 0.3 });
    await gov.simulateUpdate({ agentId: 'copilot', complexity: 0.3 });
    assert.deepEqual(created, ['copilot', 'claude']);
    assert.deepEqual(updated.map((u) => [u.agentId, u.updateCount]), [['copilot', 1], ['claude', 1]]);
    assert.equal(updated[0]?.decision.action, r.governance_decision.action);
  });

  it('a throwing listener does not fail the update', async () => {
    events.on('agent-updated', () => {
      throw new Error('view crashed');
    });
    const errors: string[] = [];
    events.on('listener-error', (e) => errors.push(e.event));
    const r = await gov.processUpdate({ agentId: 'x', complexity: 0.1 });
    assert.equal(r.update_count, 1);
    assert.deepEqual(errors, ['agent-updated']);
  });

  it('rejects bad input naming the field, and unknown agents naming the agent_id', async () => {
    const bad: [Parameters<GovernanceService['processUpdate']>[0], string][] = [
      [{ agentId: '', complexity: 0.5 }, 'agent_id'],
      [{ agentId: 'a', complexity: 1.5 }, 'complexity'],
      [{ agentId: 'a', complexity: Number.NaN }, 'complexity'],
      [{ agentId: 'a', complexity: 0.5, confidence: -0.1 }, 'confidence'],
      [{ agentId: 'a', complexity: 0.5, operation: 'x'.repeat(10_001) }, 'operation'],
    ];
    for (const [input, field] of bad) {
      await assert.rejects(gov.processUpdate(input), (err: Error) => err instanceof ValidationError && err.field === field && err.message.includes(field));
      await assert.rejects(gov.simulateUpdate(input), (err: Error) => err instanceof ValidationError && err.field === field);
    }
    assert.deepEqual(await store.agents.counts(), { agents: 0, updates: 0 });
    for (const call of [gov.getMetrics('ghost-agent'), gov.observeAgent('ghost-agent')]) {
      await assert.rejects(call, (err: Error) => err instanceof NotFoundError && /"ghost-agent"/.test(err.message));
    }
  });

  it('list_agents: most recently seen first, with last decision; filters by status', async () => {
    await gov.ensureAgent('idle', { clientName: 'codex-mcp-client' });
    clock.advance(1000);
    await gov.processUpdate({ agentId: 'worker', complexity: 0.4 });
    clock.advance(1000);
    await gov.ensureAgent('newest');
    const { agents, total } = await gov.listAgents();
    assert.equal(total, 3);
    assert.deepEqual(agents.map((a) => a.agent_id), ['newest', 'worker', 'idle']);
    const worker = agents[1]!;
    assert.equal(worker.update_count, 1);
    assert.ok(worker.last_decision && worker.metrics);
    assert.equal(agents[2]?.client_name, 'codex-mcp-client');
    assert.equal(agents[2]?.last_decision, null);
    assert.deepEqual((await gov.listAgents({ limit: 1 })).agents.map((a) => a.agent_id), ['newest']);
    const status = worker.status;
    assert.ok((await gov.listAgents({ status })).agents.some((a) => a.agent_id === 'worker'));
    assert.deepEqual((await gov.listAgents({ status: 'no-such-status' })).agents, []);
    await assert.rejects(gov.listAgents({ limit: 0 }), (err: Error) => err instanceof ValidationError && err.field === 'limit');
  });

  it('observe_agent reports history and a trend consistent with it', async () => {
    await gov.processUpdate({ agentId: 'watched', complexity: 0.1 });
    let seen = await gov.observeAgent('watched');
    assert.equal(seen.trend.risk, 'insufficient_data');
    for (let i = 0; i < 7; i++) {
      clock.advance(20_000);
      await gov.processUpdate({ agentId: 'watched', operation: 'delete production database migration', complexity: 0.2 + i * 0.1, confidence: 0.9 - i * 0.1 });
    }
    seen = await gov.observeAgent('watched', { historyLimit: 8 });
    assert.equal(seen.history.length, 8);
    assert.equal(seen.trend.window, 8);
    const risks = seen.history.map((h) => h.risk_score);
    const expected = (risks.slice(4).reduce((a, b) => a + b) - risks.slice(0, 4).reduce((a, b) => a + b)) / 4;
    assert.ok(Math.abs(seen.trend.risk_delta - expected) < 1e-5);
    assert.equal(seen.trend.risk, expected > 0.02 ? 'rising' : expected < -0.02 ? 'falling' : 'stable');
    assert.equal(seen.trend.pauses, seen.history.filter((h) => h.action === 'PAUSE').length);
  });

  it('health reports counts, database path and schema version', async () => {
    await gov.processUpdate({ agentId: 'a', complexity: 0.2 });
    await gov.processUpdate({ agentId: 'a', complexity: 0.2 });
    await gov.ensureAgent('b');
    const h = await gov.health();
    assert.equal(h.ok, true);
    assert.deepEqual(h.counts, { agents: 2, updates: 2, discoveries: 0, edges: 0 });
    assert.equal(h.database?.path, (await store.info()).path);
    assert.equal(h.database?.schema_version, LATEST_SCHEMA_VERSION);
    await store.close();
    const down = await gov.health();
    assert.equal(down.ok, false);
    assert.ok(down.error);
    store = await openStore(dir());
  });
});
