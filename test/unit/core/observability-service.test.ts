/**
 * ObservabilityService over a real SQLite store: agents written through the real repository
 * (crafted metrics where a test needs exact numbers, real process_agent_update runs otherwise).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { initialDynamics, type GovernanceMetrics } from '../../../src/core/eisv';
import { GovernanceEvents } from '../../../src/core/events';
import { GovernanceService } from '../../../src/core/governance';
import { ObservabilityService } from '../../../src/core/observability-service';
import { snapshotSql } from '../../../src/store/sqlite-agent-reads';
import { openStore, DATABASE_FILE } from '../../../src/store/store';
import type { Store } from '../../../src/store/types';

const T0 = Date.UTC(2026, 0, 1);

describe('observability service (real SQLite)', () => {
  let dir: string;
  let store: Store;
  let obs: ObservabilityService;
  let clock: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cg-obs-'));
    store = await openStore(dir);
    obs = new ObservabilityService(store);
    clock = T0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Stores one update with exactly these metrics (the store's own write path). */
  async function record(agentId: string, m: Partial<GovernanceMetrics> = {}, action: 'PROCEED' | 'PAUSE' = 'PROCEED', operation = 'work'): Promise<void> {
    clock += 1000;
    const metrics: GovernanceMetrics = { E: 0.7, I: 0.8, S: 0.2, V: 0, coherence: 0.5, risk_score: 0.25, void_active: false, phi: 0.1, ...m };
    await store.agents.recordUpdate({ agentId, atMs: clock, operation, complexity: 0.5, dynamics: initialDynamics(), metrics, decision: { action, reason: 'test' } });
  }

  const rejects = (p: Promise<unknown>, code: string, field: RegExp) =>
    assert.rejects(p, (e: Error & { code?: string; field?: string; kind?: string }) => {
      assert.equal(e.code, code);
      assert.match(`${e.field ?? e.kind ?? ''} ${e.message}`, field);
      return true;
    });

  it('serves snapshots from the covering index (the SQL expressions match migration 6)', async () => {
    await record('a');
    const raw = new DatabaseSync(join(dir, DATABASE_FILE));
    try {
      const shapes = [{ statuses: false }, { statuses: true }, { statuses: false, anyOrder: true }, { statuses: true, anyOrder: true, near: true }];
      for (const sql of shapes.map((shape) => snapshotSql({ ids: false, ...shape }))) {
        const plan = raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all().map((r) => String(r.detail)).join(' | ');
        assert.match(plan, /USING COVERING INDEX agents_snapshot/, plan);
      }
    } finally {
      raw.close();
    }
  });

  describe('compare_me_to_similar', () => {
    it('finds the similar active peers, best first, with insights; skips paused agents and agents without state', async () => {
      await record('me', { E: 0.7, I: 0.75, S: 0.25, coherence: 0.5, phi: 0.05 });
      await record('twin', { E: 0.7, I: 0.75, S: 0.25, coherence: 0.5, phi: 0.05 });
      await record('better', { E: 0.75, I: 0.875, S: 0.125, coherence: 0.5, phi: 0.25 });
      await record('far', { E: 0.25, I: 0.75, S: 0.25 });
      await record('paused-twin', { E: 0.7, I: 0.75, S: 0.25 }, 'PAUSE');
      await store.agents.ensure({ id: 'fresh', atMs: clock });
      const r = await obs.compareMeToSimilar('me');
      assert.deepEqual(r.similar_agents.map((a) => [a.agent_id, a.similarity_score]), [['twin', 1], ['better', 1 - (0.05 + 0.125 + 0.125) / 4]]);
      assert.deepEqual(r.insights.map((i) => i.agent_id), ['better']);
      assert.equal(r.insights[0]!.insights.length, 4);
      assert.equal(r.my_metrics.verdict, 'caution');
      assert.equal(r.eisv_labels.V.label, 'Void Integral');
      assert.equal(r.suggestion, undefined);
    });

    it('answers an empty list with a suggestion when none is similar', async () => {
      await record('me');
      await record('far', { E: 0.1 });
      const r = await obs.compareMeToSimilar('me', 0.05);
      assert.deepEqual(r.similar_agents, []);
      assert.deepEqual(r.insights, []);
      assert.match(r.message, /No similar agents/);
      assert.match(r.suggestion!, /similarity_threshold/);
    });

    it('refuses an unknown agent, an agent without state and a threshold outside 0..1, naming them', async () => {
      await store.agents.ensure({ id: 'fresh', atMs: clock });
      await rejects(obs.compareMeToSimilar('ghost'), 'not_found', /ghost/);
      await rejects(obs.compareMeToSimilar('fresh'), 'invalid_arguments', /agent_id "fresh" has no EISV state/);
      await record('me');
      await rejects(obs.compareMeToSimilar('me', 1.5), 'invalid_arguments', /similarity_threshold/);
    });
  });

  describe('compare_agents', () => {
    it('puts metrics side by side with statistics and flags a > 2 sigma outlier among 6', async () => {
      for (const id of ['a', 'b', 'c', 'd', 'e']) await record(id, { risk_score: 0.25 });
      await record('f', { risk_score: 0.875 });
      const r = await obs.compareAgents(['a', 'b', 'c', 'd', 'e', 'f'], ['risk_score', 'E']);
      assert.equal(r.agent_count, 6);
      assert.deepEqual(r.metrics_compared, ['risk_score', 'E']);
      assert.deepEqual(r.comparison.outliers.map((o) => [o.agent_id, o.metric]), [['f', 'risk_score']]);
      assert.equal(r.comparison.statistics.risk_score!.max, 0.875);
      assert.equal(r.comparison.agents.find((a) => a.agent_id === 'f')!.health_status, 'critical');
    });

    it('needs 2 distinct known agents with state', async () => {
      await record('a');
      await store.agents.ensure({ id: 'fresh', atMs: clock });
      await rejects(obs.compareAgents(['a', 'a']), 'invalid_arguments', /agent_ids.*at least 2/);
      await rejects(obs.compareAgents(['a', 'ghost']), 'not_found', /ghost/);
      await rejects(obs.compareAgents(['a', 'fresh']), 'invalid_arguments', /"fresh" has no EISV state/);
      await rejects(obs.compareAgents(['a', 'b'], ['nope']), 'invalid_arguments', /compare_metrics.*nope/);
    });
  });

  describe('detect_anomalies', () => {
    async function spike(id: string, pause = false): Promise<void> {
      for (const r of [0.25, 0.25, 0.25, 0.5625, 0.5625]) await record(id, { risk_score: r });
      await record(id, { risk_score: 0.5625 }, pause ? 'PAUSE' : 'PROCEED');
    }

    it('by default scans active agents only; names in agent_ids are scanned whatever their status', async () => {
      await spike('hot');
      await spike('paused-hot', true);
      await record('calm');
      const auto = await obs.detectAnomalies();
      assert.deepEqual(auto.anomalies.map((a) => [a.agent_id, a.type, a.severity]), [['hot', 'risk_spike', 'high']]);
      assert.equal(auto.agents_scanned, 2);
      assert.deepEqual(auto.filters, { agent_ids: null, anomaly_types: ['risk_spike', 'coherence_drop'], min_severity: 'medium' });
      const named = await obs.detectAnomalies({ agentIds: ['paused-hot'] });
      assert.deepEqual(named.anomalies.map((a) => a.agent_id), ['paused-hot']);
      await rejects(obs.detectAnomalies({ agentIds: ['ghost'] }), 'not_found', /ghost/);
    });

    it('filters by type and minimum severity, sorts high first and counts them', async () => {
      for (const c of [0.5, 0.5, 0.4375, 0.4375]) await record('drop', { coherence: c });
      await record('drop', { coherence: 0.4375 });
      await spike('hot');
      const all = await obs.detectAnomalies({ types: ['coherence_drop', 'risk_spike'], minSeverity: 'low' });
      assert.deepEqual(all.anomalies.map((a) => [a.agent_id, a.severity]), [['hot', 'high'], ['drop', 'medium']]);
      assert.deepEqual(all.summary, { total_anomalies: 2, by_severity: { high: 1, medium: 1, low: 0 }, by_type: { risk_spike: 1, coherence_drop: 1 } });
      assert.deepEqual((await obs.detectAnomalies({ minSeverity: 'high' })).anomalies.map((a) => a.agent_id), ['hot']);
      assert.deepEqual((await obs.detectAnomalies({ types: ['coherence_drop'] })).anomalies.map((a) => a.agent_id), ['drop']);
      await rejects(obs.detectAnomalies({ types: ['meteor'] }), 'invalid_arguments', /anomaly_types.*meteor/);
      await rejects(obs.detectAnomalies({ minSeverity: 'toString' }), 'invalid_arguments', /min_severity/);
    });

    it('reports a void event only when asked, at its onset', async () => {
      await record('v', { V: 0.01 });
      await record('v', { V: 0.3 });
      await record('v', { V: 0.01 });
      assert.deepEqual((await obs.detectAnomalies()).anomalies, []);
      const r = await obs.detectAnomalies({ types: ['void_event'] });
      assert.equal(r.anomalies.length, 1);
      const e = r.anomalies[0]!;
      assert.equal(e.severity, 'high');
      assert.equal(e.timestamp, new Date(T0 + 2000).toISOString());
      assert.equal(e.context.updates_ago, 1);
    });
  });

  it('aggregate_metrics: means and medians over agents with data, counts by status, last decision and health', async () => {
    await record('a', { E: 0.25, risk_score: 0.125 });
    await record('b', { E: 0.5, risk_score: 0.5 });
    await record('c', { E: 0.875, risk_score: 0.75 }, 'PAUSE');
    await store.agents.ensure({ id: 'fresh', atMs: clock });
    const r = await obs.aggregateMetrics();
    assert.equal(r.aggregate.total_agents, 4);
    assert.equal(r.aggregate.agents_with_data, 3);
    assert.equal(r.aggregate.total_updates, 3);
    assert.equal(r.aggregate.means.E, (0.25 + 0.5 + 0.875) / 3);
    assert.equal(r.aggregate.medians.E, 0.5);
    assert.equal(r.aggregate.mean_risk_score, (0.125 + 0.5 + 0.75) / 3);
    assert.deepEqual(r.aggregate.by_status, { active: 3, paused: 1 });
    assert.deepEqual(r.aggregate.by_decision, { PROCEED: 2, PAUSE: 1, none: 1 });
    assert.deepEqual(r.aggregate.health_breakdown, { healthy: 1, moderate: 1, critical: 1, unknown: 1 });
    const some = await obs.aggregateMetrics({ agentIds: ['a', 'b'], includeHealthBreakdown: false });
    assert.equal(some.aggregate.medians.E, 0.375);
    assert.equal(some.aggregate.health_breakdown, undefined);
    assert.deepEqual(some.agent_ids, ['a', 'b']);
    const none = await obs.aggregateMetrics({ agentIds: ['fresh'] });
    assert.equal(none.aggregate.means.E, null);
    assert.equal(none.aggregate.medians.risk_score, null);
  });

  describe('get_system_history', () => {
    it('pages every agent\'s updates newest first without repeats when updates arrive between pages', async () => {
      for (let i = 0; i < 5; i++) await record(i % 2 ? 'b' : 'a', {}, 'PROCEED', `op ${i}`);
      const first = await obs.systemHistory({ limit: 2 });
      assert.deepEqual(first.updates.map((u) => u.operation), ['op 4', 'op 3']);
      await record('a', {}, 'PROCEED', 'op 5');
      const second = await obs.systemHistory({ limit: 2, cursor: first.next_cursor });
      assert.deepEqual(second.updates.map((u) => u.operation), ['op 2', 'op 1']);
      const third = await obs.systemHistory({ limit: 2, cursor: second.next_cursor });
      assert.deepEqual(third.updates.map((u) => u.operation), ['op 0']);
      assert.equal(third.next_cursor, undefined);
      const onlyB = await obs.systemHistory({ agentId: 'b' });
      assert.deepEqual(onlyB.updates.map((u) => u.operation), ['op 3', 'op 1']);
      await rejects(obs.systemHistory({ agentId: 'b', cursor: first.next_cursor }), 'invalid_arguments', /cursor.*different query/);
      await rejects(obs.systemHistory({ agentId: 'ghost' }), 'not_found', /ghost/);
      await rejects(obs.systemHistory({ limit: 501 }), 'invalid_arguments', /limit/);
    });

    it('format csv adds the page as RFC 4180 CSV', async () => {
      await record('a', { E: 0.5 }, 'PAUSE', 'said "hi", then left');
      const r = await obs.systemHistory({ format: 'csv' });
      const lines = r.csv!.split('\r\n');
      assert.equal(lines[0], 'id,timestamp,agent_id,E,I,S,V,coherence,risk_score,decision,complexity,confidence,operation');
      assert.equal(lines[1], `1,${new Date(T0 + 1000).toISOString()},a,0.5,0.8,0.2,0,0.5,0.25,PAUSE,0.5,,"said ""hi"", then left"`);
      assert.equal(r.updates.length, 1);
    });
  });

  it('fleet summary counts every agent matching the filter by status (lifecycle statuses always present) and health', async () => {
    await record('a', { risk_score: 0.125 });
    await record('b', { risk_score: 0.5 }, 'PAUSE');
    await store.agents.ensure({ id: 'fresh', atMs: clock });
    assert.deepEqual(await obs.fleetSummary({ returned: 1 }), {
      total: 3,
      returned: 1,
      by_status: { active: 2, waiting_input: 0, paused: 1, archived: 0, deleted: 0 },
      by_health: { healthy: 1, moderate: 1, critical: 0, unknown: 1 },
    });
    assert.equal((await obs.fleetSummary({ status: 'paused', returned: 1 })).total, 1);
  });

  it('agent patterns from real process_agent_update calls: a burst of hard work after easy work is a degrading trend and a risk spike', async () => {
    const governance = new GovernanceService(store, new GovernanceEvents(), () => clock);
    for (const complexity of [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]) {
      clock += 5;
      await governance.processUpdate({ agentId: 'worker', complexity });
    }
    const r = await obs.agentPatterns('worker');
    assert.equal(r.patterns.risk_trend, 'increasing');
    assert.deepEqual(r.anomalies.map((a) => a.type), ['risk_spike']);
    const series = await store.agentReads.recentSeries('worker', { points: 3, vValues: 5 });
    const history = await store.agents.history('worker', { limit: 5 });
    assert.deepEqual(series.V, history.map((h) => h.V), 'V values end at the last point, oldest first');
    assert.deepEqual(series.points.map((p) => p.id), history.slice(-3).map((h) => h.id));
  });
});
