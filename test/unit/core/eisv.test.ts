import assert from 'node:assert/strict';
import { mulberry32 } from '../../../bench/corpus';
import {
  applyUpdate,
  initialDynamics,
  type DynamicsState,
  type UpdateInput,
  type UpdateOutcome,
} from '../../../src/core/eisv';

const T0 = Date.UTC(2026, 10, 5, 10, 0, 0);

/** Runs `count` updates `gapMs` apart from `start`, returning every outcome. */
function runMany(
  start: DynamicsState,
  count: number,
  gapMs: number,
  input: (i: number) => Omit<UpdateInput, 'nowMs'>,
  t0 = T0,
): UpdateOutcome[] {
  const out: UpdateOutcome[] = [];
  let state = start;
  let now = t0;
  for (let i = 0; i < count; i++) {
    now += gapMs;
    const o = applyUpdate(state, { ...input(i), nowMs: now });
    out.push(o);
    state = o.state;
  }
  return out;
}

function last<T>(xs: readonly T[]): T {
  const x = xs[xs.length - 1];
  assert.ok(x !== undefined, 'expected at least one element');
  return x;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// Values from CIRWEL/governance-mcp-v1-backup @ 4455f16 (governance_core/parameters.py,
// coherence.py, scoring.py, ethical_drift.py, config/governance_config.py), written out here so
// the test does not reuse the implementation's constants or helpers.
const alpha = 0.42, betaE = 0.1, gammaE = 0.05, k = 0.1, betaI = 0.3, gammaI = 0.25;
const mu = 0.8, lambda1 = 0.125, lambda2 = 0.05, betaCx = 0.15, kappa = 0.3, delta = 0.4;
const C = (V: number): number => 1.0 * 0.5 * (1 + Math.tanh(1.0 * V));
const phiOf = (E: number, I: number, S: number, V: number, d2: number): number =>
  0.5 * E - 0.5 * (1 - I) - 0.5 * S - 0.5 * Math.abs(V) - 0.5 * d2;
function phiRisk(phi: number): number {
  if (phi >= 0.15) return Math.max(0, 0.3 - (phi - 0.15) * 0.5);
  if (phi >= 0) return 0.3 + ((0.15 - phi) / 0.15) * 0.4;
  return Math.min(1, 0.7 + Math.abs(phi) * 2);
}

describe('EISV dynamics and decisions (UNITARES v1 port)', () => {
  it('lets a fresh agent doing low-complexity work proceed, with a reason', () => {
    const outcomes = runMany(initialDynamics(), 20, 15_000, () => ({ complexity: 0.1, operation: 'Fix a typo in README' }));
    for (const o of outcomes) {
      assert.equal(o.decision.action, 'PROCEED');
      assert.ok(o.decision.reason.length > 0);
    }
    const first = outcomes[0];
    assert.ok(first);
    assert.match(first.decision.reason, /Low risk/);
    assert.equal(first.metrics.void_active, false);
    assert.ok(first.metrics.risk_score < 0.35, `risk ${first.metrics.risk_score}`);
  });

  it('raises S and risk under sustained high complexity and eventually pauses, saying why', () => {
    const low = runMany(initialDynamics(), 40, 10_000, () => ({ complexity: 0.1 }));
    const high = runMany(initialDynamics(), 40, 10_000, () => ({ complexity: 0.95 }));

    assert.equal(high[0]?.decision.action, 'PROCEED', 'one hard task alone does not pause');
    assert.ok(last(high).metrics.S > last(low).metrics.S + 0.1, 'entropy is higher for hard work');
    assert.ok(last(high).metrics.risk_score > last(low).metrics.risk_score + 0.3, 'risk is higher for hard work');
    const firstRisk = high[0]?.metrics.risk_score ?? 1;
    assert.ok(last(high).metrics.risk_score > firstRisk, 'risk grows as the hard work goes on');

    const pause = high.find((o) => o.decision.action === 'PAUSE');
    assert.ok(pause, 'sustained hard work pauses');
    assert.match(pause.decision.reason, /Risk threshold reached .*sustained high-complexity work/);
    assert.ok(pause.decision.guidance && pause.decision.guidance.length > 0);
    assert.ok(low.every((o) => o.decision.action === 'PROCEED'));
  });

  it('lets a paused agent proceed again after rest and lighter work', () => {
    const hard = runMany(initialDynamics(), 40, 10_000, () => ({ complexity: 1 }));
    assert.equal(last(hard).decision.action, 'PAUSE');
    const restStart = T0 + 40 * 10_000;
    const after = runMany(last(hard).state, 6, 5 * 60_000, () => ({ complexity: 0.1 }), restStart);
    assert.equal(last(after).decision.action, 'PROCEED');
    assert.ok(last(after).metrics.risk_score < 0.35);
  });

  it('pauses an agent whose reported complexity and confidence swing abruptly, naming the drift', () => {
    const steady = runMany(initialDynamics(), 30, 15_000, () => ({ complexity: 0.2, confidence: 0.9 }));
    assert.equal(last(steady).decision.action, 'PROCEED');
    const swing = applyUpdate(last(steady).state, { complexity: 1, confidence: 0, nowMs: T0 + 31 * 15_000 });
    assert.equal(swing.decision.action, 'PAUSE');
    assert.equal(swing.decision.verdict, 'high-risk');
    assert.match(swing.decision.reason, /high-risk verdict.*drift between updates/);
    assert.ok((swing.metrics.drift_norm_sq as number) > 1);
  });

  it('pauses on an energy-integrity imbalance (void)', () => {
    const imbalanced: DynamicsState = { ...initialDynamics(), eisv: { E: 1, I: 0.2, S: 0.2, V: 0.5 }, updates: 3 };
    const o = applyUpdate(imbalanced, { complexity: 0.1, nowMs: T0 });
    assert.equal(o.metrics.void_active, true);
    assert.equal(o.decision.action, 'PAUSE');
    assert.match(o.decision.reason, /Energy-integrity imbalance/);
  });

  it('counts blocklisted commands in the operation text as risk, unless excused by context', () => {
    const base = applyUpdate(initialDynamics(), { complexity: 0.3, nowMs: T0, operation: 'update dependencies' });
    const risky = applyUpdate(initialDynamics(), {
      complexity: 0.3,
      nowMs: T0,
      operation: 'ran sudo rm -rf build and then drop table sessions',
    });
    const excused = applyUpdate(initialDynamics(), {
      complexity: 0.3,
      nowMs: T0,
      operation: 'documented why you should never use sudo here',
    });
    // Three hits saturate the keyword part: 0.3 blend * 0.15 weight * 1.0.
    assert.ok(Math.abs(risky.metrics.risk_score - base.metrics.risk_score - 0.045) < 1e-12);
    assert.ok(Math.abs(excused.metrics.risk_score - base.metrics.risk_score) < 1e-12);
  });

  it('keeps every variable in bounds and every reason non-empty over 10,000 random updates', () => {
    const rnd = mulberry32(20261105);
    let state = initialDynamics();
    let now = T0;
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      now += Math.floor(rnd() * (rnd() < 0.2 ? 3_600_000 : 20_000));
      const o = applyUpdate(state, {
        complexity: rnd(),
        nowMs: now,
        ...(rnd() < 0.7 ? { confidence: rnd() } : {}),
        ...(rnd() < 0.1 ? { operation: 'sudo rm -rf tmp' } : {}),
      });
      const m = o.metrics;
      for (const [key, value] of Object.entries(m)) {
        if (typeof value === 'number') assert.ok(Number.isFinite(value), `${key} finite at ${i}`);
      }
      assert.ok(m.E >= 0 && m.E <= 1, `E ${m.E}`);
      assert.ok(m.I >= 0 && m.I <= 1, `I ${m.I}`);
      assert.ok(m.S >= 0.001 && m.S <= 1, `S ${m.S}`);
      assert.ok(m.V >= -1 && m.V <= 1, `V ${m.V}`);
      assert.ok(m.coherence >= 0 && m.coherence <= 1);
      assert.ok(m.risk_score >= 0 && m.risk_score <= 1);
      assert.ok(o.decision.reason.trim().length > 0);
      if (o.decision.action === 'PAUSE') assert.ok(o.decision.guidance);
      assert.deepEqual(o.state.eisv, { E: m.E, I: m.I, S: m.S, V: m.V });
      assert.ok(Array.isArray(o.state.vHistory) && o.state.vHistory.length <= 100);
      seen.add(o.decision.action);
      state = o.state;
    }
    assert.equal(state.updates, 10_000);
    assert.ok(seen.has('PROCEED'));
  });

  it('matches a hand-computed first step (dt = 0.1, no drift during warm-up)', () => {
    const o = applyUpdate(initialDynamics(), { complexity: 0.5, nowMs: T0 });
    const [E0, I0, S0, V0, c, dt] = [0.7, 0.8, 0.2, 0, 0.5, 0.1];
    const E = E0 + dt * (alpha * (I0 - E0) - betaE * E0 * S0);
    const I = I0 + dt * (-k * S0 + betaI * C(V0) - gammaI * I0 * (1 - I0));
    const S = S0 + dt * (-mu * S0 - lambda2 * C(V0) + betaCx * c);
    const V = V0 + dt * (kappa * (E0 - I0) - delta * V0);
    assert.ok(Math.abs(o.metrics.E - E) < 1e-12, `E ${o.metrics.E} vs ${E}`);
    assert.ok(Math.abs(o.metrics.I - I) < 1e-12, `I ${o.metrics.I} vs ${I}`);
    assert.ok(Math.abs(o.metrics.S - S) < 1e-12, `S ${o.metrics.S} vs ${S}`);
    assert.ok(Math.abs(o.metrics.V - V) < 1e-12, `V ${o.metrics.V} vs ${V}`);
    assert.ok(Math.abs(o.metrics.coherence - C(V)) < 1e-12);

    const phi = phiOf(E, I, S, V, 0);
    // Traditional risk: empty text (length risk 0.2), complexity, coherence loss, no keywords.
    const traditional = 0.15 * 0.2 + 0.35 * c + 0.35 * (1 - C(V));
    const unitares = 0.7 * phiRisk(phi) + 0.3 * traditional;
    assert.ok(Math.abs((o.metrics.phi as number) - phi) < 1e-12);
    assert.ok(Math.abs((o.metrics.risk_unitares as number) - unitares) < 1e-12);
    assert.ok(Math.abs(o.metrics.risk_score - Math.max(unitares, 0.1 * c)) < 1e-12);
    assert.equal(o.decision.action, 'PROCEED');
  });

  it('matches a hand-computed second step with drift and a gap-scaled dt', () => {
    const first = applyUpdate(initialDynamics(), { complexity: 0.5, nowMs: T0 });
    const { E: E1, I: I1, S: S1, V: V1 } = first.metrics;
    // 150 s later: dt = 150 * 0.1 / 15 = 1.0 (the cap).
    const o = applyUpdate(first.state, { complexity: 0.8, confidence: 0.9, nowMs: T0 + 150_000 });
    const dt = 1.0;
    const warm = 1 / 5;
    // Baselines after the first update (EMA 0.1 from 0.6 / 0.5 / 0.4; first confidence counted as 0.6).
    const baseConf = 0.1 * 0.6 + 0.9 * 0.6;
    const baseCoh = 0.1 * C(0) + 0.9 * 0.5;
    const baseCx = 0.1 * 0.5 + 0.9 * 0.4;
    const d = [
      Math.abs(0.9 - baseConf) * warm,
      Math.abs(0.8 - baseCx) * warm,
      Math.abs(C(V1) - baseCoh) * warm,
      (1 - 0.8) * warm,
    ];
    const d2 = d.reduce((sum, x) => sum + x * x, 0);
    const E = E1 + dt * (alpha * (I1 - E1) - betaE * E1 * S1 + gammaE * d2);
    const I = I1 + dt * (-k * S1 + betaI * C(V1) - gammaI * I1 * (1 - I1));
    const S = S1 + dt * (-mu * S1 + lambda1 * d2 - lambda2 * C(V1) + betaCx * 0.8);
    const V = V1 + dt * (kappa * (E1 - I1) - delta * V1);
    assert.equal(o.metrics.dt, 1);
    assert.ok(Math.abs((o.metrics.drift_norm_sq as number) - d2) < 1e-12, `d2 ${o.metrics.drift_norm_sq} vs ${d2}`);
    assert.ok(Math.abs(o.metrics.E - E) < 1e-12, `E ${o.metrics.E} vs ${E}`);
    assert.ok(Math.abs(o.metrics.I - I) < 1e-12, `I ${o.metrics.I} vs ${I}`);
    assert.ok(Math.abs(o.metrics.S - S) < 1e-12, `S ${o.metrics.S} vs ${S}`);
    assert.ok(Math.abs(o.metrics.V - V) < 1e-12, `V ${o.metrics.V} vs ${V}`);
    assert.ok(Math.abs((o.metrics.phi as number) - phiOf(E, I, S, V, d2)) < 1e-12);
    // Load after 150 s of rest: 0.9 * 0.05 * exp(-150 / 300) + 0.1 * 0.8.
    assert.ok(Math.abs((o.metrics.sustained_load as number) - (0.9 * 0.05 * Math.exp(-0.5) + 0.08)) < 1e-12);
  });

  it('is pure: same input gives the same output and nothing passed in is modified', () => {
    const prepared = runMany(initialDynamics(), 12, 7_000, (i) => ({ complexity: (i % 5) / 5, confidence: 0.7 }));
    const prev = deepFreeze(structuredClone(last(prepared).state));
    const input = deepFreeze({ complexity: 0.6, confidence: 0.4, nowMs: T0 + 100_000, operation: 'refactor parser' });
    const snapshot = structuredClone(prev);
    const a = applyUpdate(prev, input);
    const b = applyUpdate(prev, input);
    assert.deepEqual(a, b);
    assert.deepEqual(prev, snapshot);
    assert.notEqual(a.state.vHistory, prev.vHistory);
  });

  it('survives a JSON round trip of its state', () => {
    const prepared = runMany(initialDynamics(), 25, 9_000, (i) => ({ complexity: ((i * 7) % 10) / 10 }));
    const state = last(prepared).state;
    const revived = JSON.parse(JSON.stringify(state)) as DynamicsState;
    assert.deepEqual(revived, state);
    const next = { complexity: 0.4, confidence: 0.8, nowMs: T0 + 1_000_000 };
    assert.deepEqual(applyUpdate(revived, next), applyUpdate(state, next));
  });

  it('accepts a state saved before the model kept its own memory', () => {
    const legacy: DynamicsState = { eisv: { E: 0.7, I: 0.8, S: 0.2, V: 0 }, updates: 4, lastUpdateMs: T0 };
    const o = applyUpdate(legacy, { complexity: 0.2, nowMs: T0 + 15_000 });
    assert.equal(o.state.updates, 5);
    assert.equal(o.decision.action, 'PROCEED');
  });

  it('treats a clock that stepped back as no elapsed time', () => {
    const first = applyUpdate(initialDynamics(), { complexity: 0.3, nowMs: T0 });
    const o = applyUpdate(first.state, { complexity: 0.3, nowMs: T0 - 60_000 });
    assert.equal(o.metrics.dt, 0.1);
  });

  it('rejects bad input with a RangeError naming the field', () => {
    const s = initialDynamics();
    assert.throws(() => applyUpdate(s, { complexity: Number.NaN, nowMs: T0 }), { name: 'RangeError', message: /complexity/ });
    assert.throws(() => applyUpdate(s, { complexity: 1.5, nowMs: T0 }), { name: 'RangeError', message: /complexity/ });
    assert.throws(() => applyUpdate(s, { complexity: 0.5, confidence: -0.1, nowMs: T0 }), {
      name: 'RangeError',
      message: /confidence/,
    });
    assert.throws(() => applyUpdate(s, { complexity: 0.5, nowMs: Number.POSITIVE_INFINITY }), {
      name: 'RangeError',
      message: /nowMs/,
    });
    const corrupt = { ...s, eisv: { ...s.eisv, S: Number.NaN } };
    assert.throws(() => applyUpdate(corrupt, { complexity: 0.5, nowMs: T0 }), {
      name: 'RangeError',
      message: /dynamics\.eisv\.S/,
    });
    assert.throws(() => applyUpdate({ ...s, load: 3 }, { complexity: 0.5, nowMs: T0 }), {
      name: 'RangeError',
      message: /dynamics\.load/,
    });
  });
});
