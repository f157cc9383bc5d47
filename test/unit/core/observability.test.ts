/**
 * The observability formulas (src/core/observability.ts) on hand-computed cases. Values are chosen
 * exact in binary (0.25, 0.5625...) so that "> threshold" boundaries are tested, not rounding.
 */
import assert from 'node:assert/strict';
import { applyUpdate, initialDynamics } from '../../../src/core/eisv';
import {
  coherenceDrop,
  compareMetric,
  healthOf,
  insightsFor,
  median,
  patternsOf,
  riskSpike,
  similarAgents,
  statisticsOf,
  summarizeAnomalies,
  trendOf,
  verdictOf,
  voidEvent,
  voidThreshold,
  type ComparableMetrics,
} from '../../../src/core/observability';
import type { AgentPoint, AgentSnapshot } from '../../../src/core/repository';

const close = (actual: number, expected: number, eps = 1e-9) => assert.ok(Math.abs(actual - expected) <= eps, `${actual} != ${expected}`);

function points(values: Array<Partial<AgentPoint>>): AgentPoint[] {
  return values.map((v, i) => ({ id: i + 1, at: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`, E: 0.7, I: 0.8, S: 0.2, V: 0, coherence: 0.5, riskScore: 0.3, action: 'PROCEED', ...v }));
}
const risks = (...r: number[]) => points(r.map((riskScore) => ({ riskScore })));
const coherences = (...c: number[]) => points(c.map((coherence) => ({ coherence })));

function me(over: Partial<ComparableMetrics> = {}): ComparableMetrics {
  return { E: 0.7, I: 0.8, S: 0.2, V: 0, coherence: 0.5, risk_score: 0.3, phi: 0.1, verdict: 'caution', ...over };
}

function snapshot(id: string, m: { E: number; I: number; S: number; coherence?: number; phi?: number | null } | null, status = 'active', updateCount = 5): AgentSnapshot {
  return {
    id,
    status,
    updateCount,
    lastSeenAt: '2026-01-01T00:00:00.000Z',
    lastAction: m ? 'PROCEED' : null,
    metrics: m ? { E: m.E, I: m.I, S: m.S, V: 0, coherence: m.coherence ?? 0.5, riskScore: 0.3, phi: m.phi === undefined ? 0.1 : m.phi, voidActive: false } : null,
  };
}

describe('observability formulas', () => {
  describe('verdict and health', () => {
    it('verdict from Phi: safe at 0.15 and above, caution from 0, high-risk below, null unknown', () => {
      assert.equal(verdictOf(0.15), 'safe');
      assert.equal(verdictOf(0.149), 'caution');
      assert.equal(verdictOf(0), 'caution');
      assert.equal(verdictOf(-0.01), 'high-risk');
      assert.equal(verdictOf(null), null);
    });

    it('health: void active is critical; risk < 0.35 healthy, < 0.60 moderate, else critical; no state unknown', () => {
      assert.equal(healthOf(null), 'unknown');
      assert.equal(healthOf({ riskScore: 0.1, voidActive: true }), 'critical');
      assert.equal(healthOf({ riskScore: 0.3499, voidActive: false }), 'healthy');
      assert.equal(healthOf({ riskScore: 0.35, voidActive: false }), 'moderate');
      assert.equal(healthOf({ riskScore: 0.5999, voidActive: false }), 'moderate');
      assert.equal(healthOf({ riskScore: 0.6, voidActive: false }), 'critical');
    });
  });

  describe('compare_me_to_similar', () => {
    it('scores 1 - mean |difference| of E, I, S and coherence, and reports peer-minus-me differences', () => {
      const [s] = similarAgents('me', me(), [snapshot('b', { E: 0.75, I: 0.75, S: 0.25, coherence: 0.625 })], 0.15);
      // |dE| 0.05 + |dI| 0.05 + |dS| 0.05 + |dC| 0.125 = 0.275; 1 - 0.275 / 4 = 0.93125
      close(s!.similarity_score, 0.93125);
      close(s!.differences.E, 0.05);
      close(s!.differences.I, -0.05);
      close(s!.differences.coherence, 0.125);
      assert.equal(s!.total_updates, 5);
      assert.equal(s!.status, 'active');
    });

    it('a peer exactly at the threshold is similar; a coherence difference alone never excludes', () => {
      const at = similarAgents('me', me({ E: 0.5, I: 0.5, S: 0.5 }), [snapshot('edge', { E: 0.75, I: 0.25, S: 0.75, coherence: 1 })], 0.25);
      assert.deepEqual(at.map((a) => a.agent_id), ['edge']);
      assert.deepEqual(similarAgents('me', me({ E: 0.5, I: 0.5, S: 0.5 }), [snapshot('out', { E: 0.8125, I: 0.5, S: 0.5 })], 0.25), []);
    });

    it('skips itself, paused agents and agents without state; compares waiting_input ones', () => {
      const peers = [snapshot('me', { E: 0.7, I: 0.8, S: 0.2 }), snapshot('p', { E: 0.7, I: 0.8, S: 0.2 }, 'paused'), snapshot('n', null), snapshot('w', { E: 0.7, I: 0.8, S: 0.2 }, 'waiting_input')];
      assert.deepEqual(similarAgents('me', me(), peers, 0.15).map((a) => a.agent_id), ['w']);
    });

    it('keeps the 3 most similar, ties in agent id order; none similar is an empty list', () => {
      const peers = ['d', 'c', 'b', 'a'].map((id) => snapshot(id, { E: 0.75, I: 0.8, S: 0.2 })).concat(snapshot('best', { E: 0.7, I: 0.8, S: 0.2 }));
      assert.deepEqual(similarAgents('me', me(), peers, 0.15).map((a) => a.agent_id), ['best', 'a', 'b']);
      assert.deepEqual(similarAgents('me', me(), [snapshot('far', { E: 0.1, I: 0.1, S: 0.9 })], 0.15), []);
    });

    it('insights: I higher by > 0.05, S lower by > 0.05, phi higher by > 0.05, a safe verdict; missing phi counts as 0', () => {
      const mine = me({ I: 0.5, S: 0.5, phi: null, verdict: null });
      const [better] = similarAgents('me', mine, [snapshot('b', { E: 0.7, I: 0.5625, S: 0.4375, phi: 0.25 })], 0.15);
      assert.deepEqual(insightsFor(mine, [better!]), [
        {
          agent_id: 'b',
          total_updates: 5,
          insights: ['Higher Information Integrity (0.56 vs 0.50)', 'Lower Entropy (0.44 vs 0.50)', "Better phi score (0.25 vs 0.00) - closer to 'safe' verdict", "Achieved 'safe' verdict (you're at 'unknown')"],
        },
      ]);
      // Exactly 0.05 better is not "better"; a peer with nothing to say is left out.
      const [same] = similarAgents('me', me({ I: 0.5, S: 0.5, phi: 0 }), [snapshot('s', { E: 0.7, I: 0.5, S: 0.5, phi: 0 })], 0.15);
      assert.deepEqual(insightsFor(me({ I: 0.5, S: 0.5, phi: 0 }), [same!]), []);
    });
  });

  describe('compare_agents', () => {
    it('flags a value more than 2 population std from the mean (6 agents: five 0, one 1)', () => {
      const values = ['a', 'b', 'c', 'd', 'e', 'f'].map((agent_id, i) => ({ agent_id, value: i === 5 ? 1 : 0 }));
      const r = compareMetric('risk_score', values);
      // mean 1/6; variance (5 (1/6)^2 + (5/6)^2) / 6 = 5/36; std 0.372678
      close(r.statistics!.mean, 1 / 6);
      close(r.statistics!.std, Math.sqrt(5 / 36));
      assert.deepEqual(r.outliers.map((o) => [o.agent_id, o.reason]), [['f', 'risk_score is above average']]);
      close(r.outliers[0]!.z_score, (5 / 6) / Math.sqrt(5 / 36));
      // The ten pairs of zeros are within half a std; similarity 1 - 0 / (mean + 0.001) = 1.
      assert.equal(r.similarities.length, 10);
      assert.equal(r.similarities[0]!.similarity, 1);
    });

    it('no outlier is possible with 5 agents (largest z-score (n-1)/sqrt(n) = 1.79), nor when all are equal', () => {
      const five = ['a', 'b', 'c', 'd', 'e'].map((agent_id, i) => ({ agent_id, value: i === 4 ? 1 : 0 }));
      assert.deepEqual(compareMetric('E', five).outliers, []);
      const equal = compareMetric('E', [{ agent_id: 'a', value: 0.5 }, { agent_id: 'b', value: 0.5 }]);
      assert.deepEqual(equal.outliers, []);
      assert.deepEqual(equal.similarities, [], 'V1 compares |a - b| < 0.5 std strictly: with std 0 no pair');
      assert.deepEqual(equal.statistics, { mean: 0.5, std: 0, min: 0.5, max: 0.5, range: 0 });
    });

    it('statistics of nothing are null; median of odd, even and no values', () => {
      assert.equal(statisticsOf([]), null);
      assert.equal(median([0.5, 0.1, 0.3]), 0.3);
      assert.equal(median([0.25, 0.75, 0.5, 1]), 0.625);
      assert.equal(median([]), null);
    });
  });

  describe('trends (last 5 against the 5 before; |change| < 0.05 stable)', () => {
    it('fewer than 2 values, or too few for an earlier window, are stable', () => {
      assert.equal(trendOf([]), 'stable');
      assert.equal(trendOf([0.9]), 'stable');
      assert.equal(trendOf([0.1, 0.9, 0.9]), 'stable', '3 values: the window is all of them, nothing earlier');
    });

    it('compares the last 5 with the 5 before, or with all earlier ones when fewer', () => {
      assert.equal(trendOf([0.5, 0.5, 0.5, 0.5, 0.5, 0.5625, 0.5625, 0.5625, 0.5625, 0.5625]), 'increasing');
      assert.equal(trendOf([0.5, 0.5, 0.5, 0.5, 0.5, 0.53125, 0.53125, 0.53125, 0.53125, 0.53125]), 'stable');
      assert.equal(trendOf([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.5]), 'decreasing', 'the 11th value from the end is outside both windows');
      // 7 values: last 5 (mean 0.5) against the first 2 (mean 0.25).
      assert.equal(trendOf([0.25, 0.25, 0.5, 0.5, 0.5, 0.5, 0.5]), 'increasing');
    });

    it('overall trend: improving, degrading, else stable', () => {
      const up = [0.25, 0.25, 0.25, 0.25, 0.25, 0.5, 0.5, 0.5, 0.5, 0.5];
      const down = [...up].reverse();
      const make = (risk: number[], coh: number[]) => points(risk.map((riskScore, i) => ({ riskScore, coherence: coh[i]!, E: 0.5 })));
      assert.deepEqual(patternsOf(make(down, up)), { risk_trend: 'decreasing', coherence_trend: 'increasing', E_trend: 'stable', trend: 'improving' });
      assert.equal(patternsOf(make(up, down)).trend, 'degrading');
      assert.equal(patternsOf(make(up, up)).trend, 'stable');
      assert.equal(patternsOf([]).trend, 'stable');
    });
  });

  describe('risk_spike', () => {
    it('needs an earlier window: 3 points give none, 4 compare with the first one', () => {
      assert.equal(riskSpike(risks(0, 0.5)), null);
      assert.equal(riskSpike(risks(0, 0.5, 0.5)), null);
      const spike = riskSpike(risks(0.25, 0.5, 0.5, 0.5))!;
      assert.equal(spike.severity, 'medium');
      assert.deepEqual(spike.context, { previous_risk: 0.25, current_risk: 0.5, change: 0.25 });
    });

    it('> 0.15 medium, > 0.25 high (exactly 0.25 is medium); uses only the last 6 points', () => {
      assert.equal(riskSpike(risks(0.25, 0.25, 0.25, 0.375, 0.375, 0.375)), null, 'change 0.125');
      assert.equal(riskSpike(risks(0.25, 0.25, 0.25, 0.40625, 0.40625, 0.40625))!.severity, 'medium');
      assert.equal(riskSpike(risks(0.25, 0.25, 0.25, 0.5, 0.5, 0.5))!.severity, 'medium');
      const high = riskSpike(risks(1, 0.25, 0.25, 0.25, 0.5625, 0.5625, 0.5625))!;
      assert.equal(high.severity, 'high');
      assert.equal(high.context.previous_risk, 0.25, 'the 7th point from the end is not in the earlier window');
      assert.equal(high.timestamp, '2026-01-01T00:00:06.000Z', 'the latest update');
      assert.equal(high.description, 'Risk increased from 0.25 to 0.56 (0.31 change)');
    });

    it('falling risk is no spike', () => {
      assert.equal(riskSpike(risks(0.9, 0.9, 0.9, 0.1, 0.1, 0.1)), null);
    });
  });

  describe('coherence_drop', () => {
    it('needs 5 points; mean of [-5:-3] minus mean of the last 3: > 0.05 medium, > 0.10 high', () => {
      assert.equal(coherenceDrop(coherences(0.5, 0.5, 0.25, 0.25)), null);
      const medium = coherenceDrop(coherences(0.5, 0.5, 0.4375, 0.4375, 0.4375))!;
      assert.equal(medium.severity, 'medium');
      assert.deepEqual(medium.context, { previous_coherence: 0.5, current_coherence: 0.4375, change: -0.0625 });
      assert.equal(coherenceDrop(coherences(0.9, 0.5, 0.5, 0.375, 0.375, 0.375))!.severity, 'high');
      assert.equal(coherenceDrop(coherences(0.5, 0.5, 0.46875, 0.46875, 0.46875)), null, 'drop 0.03125');
      assert.equal(coherenceDrop(coherences(0.25, 0.25, 0.5, 0.5, 0.5)), null, 'a rise');
    });
  });

  describe('void_event (ours: onset of |V| > adaptive threshold in the last 10 updates)', () => {
    const times = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);

    it('threshold: 0.15 under 10 values; mean|V| + 2 std|V| over the last 100, clamped to 0.10..0.30', () => {
      assert.equal(voidThreshold([0.9, 0.9]), 0.15);
      assert.equal(voidThreshold(Array<number>(10).fill(0.01)), 0.1);
      close(voidThreshold(Array<number>(10).fill(-0.2)), 0.2, 1e-15);
      assert.equal(voidThreshold(Array<number>(10).fill(0.9)), 0.3);
      close(voidThreshold([...Array<number>(5).fill(0.9), ...Array<number>(100).fill(0.2)]), 0.2, 1e-15);
    });

    it('equals the threshold and the void_active flag eisv.ts computes on every update', () => {
      let state = initialDynamics();
      const V: number[] = [];
      for (let i = 0; i < 130; i++) {
        const o = applyUpdate(state, { complexity: (i * 37) % 11 / 10, confidence: (i % 3) / 2, nowMs: Date.UTC(2026, 0, 1) + i * 7_000 });
        state = o.state;
        V.push(o.metrics.V);
        close(voidThreshold(V), o.metrics.void_threshold as number, 1e-12);
        assert.equal(Math.abs(o.metrics.V) > voidThreshold(V), o.metrics.void_active);
      }
    });

    it('reports the onset with its ratio; high when the peak |V| / threshold since then reaches 1.5', () => {
      // Fewer than 10 values: the threshold is 0.15 throughout.
      const e = voidEvent([0.01, 0.02, 0.3, 0.1], times(4), true)!;
      assert.equal(e.type, 'void_event');
      assert.equal(e.severity, 'high');
      assert.equal(e.timestamp, 't2');
      assert.deepEqual(e.context, { V: 0.3, void_threshold: 0.15, ratio: 2, peak_ratio: 2, updates_ago: 1, still_active: false });
      assert.match(e.description, /\|V\| = 0\.300 > threshold 0\.150 \(2\.00x\), 1 update ago; since recovered/);
      const medium = voidEvent([0.01, -0.2], times(2), true)!;
      assert.equal(medium.severity, 'medium', 'ratio 1.33');
      assert.equal(medium.context.still_active, true);
      assert.equal(medium.context.V, -0.2);
      assert.equal(voidEvent([0.01, 0.16, 0.3], times(3), true)!.context.peak_ratio, 2, 'onset at 0.16 (1.07x), peak 2.0x later');
      assert.equal(voidEvent([0.01, 0.16, 0.3], times(3), true)!.severity, 'high');
    });

    it('the latest onset wins; the first update counts only with the whole history', () => {
      assert.equal(voidEvent([0.2, 0.01, 0.2], times(3), true)!.timestamp, 't2');
      assert.equal(voidEvent([0.2], times(1), true)!.timestamp, 't0');
      assert.equal(voidEvent([0.2], times(1), false), null);
    });

    it('none when |V| only equals the threshold, when the void began before the window, or with no data', () => {
      assert.equal(voidEvent([0.15, 0.15], times(2), true), null);
      assert.equal(voidEvent(Array<number>(9).fill(0.2), times(5), true), null, 'active since the first update, the window is the last 5');
      assert.equal(voidEvent([], [], true), null);
    });

    it('a truncated series judges only updates with 100 earlier values (the read is 110 values)', () => {
      const V = [...Array<number>(105).fill(0.01), 0.5, 0.01, 0.01, 0.01, 0.01];
      const e = voidEvent(V, times(10), false)!;
      // Threshold at the onset over values 6..105: 99 x 0.01 and 0.5: mean 0.0149,
      // std sqrt((99 x 0.0049^2 + 0.4851^2) / 100) = 0.0487544; 0.0149 + 2 x 0.0487544 = 0.1124088.
      close(e.context.void_threshold as number, 0.1124088, 1e-6);
      assert.equal(e.context.updates_ago, 4);
      assert.equal(e.severity, 'high');
      assert.equal(e.timestamp, 't5');
    });
  });

  it('summarizes anomalies by severity (all three always present) and type', () => {
    const a = riskSpike(risks(0.25, 0.25, 0.25, 0.5625, 0.5625, 0.5625))!;
    const b = coherenceDrop(coherences(0.5, 0.5, 0.4375, 0.4375, 0.4375))!;
    assert.deepEqual(summarizeAnomalies([a, b, a]), { total_anomalies: 3, by_severity: { high: 2, medium: 1, low: 0 }, by_type: { risk_spike: 2, coherence_drop: 1 } });
    assert.deepEqual(summarizeAnomalies([]), { total_anomalies: 0, by_severity: { high: 0, medium: 0, low: 0 }, by_type: {} });
  });
});
