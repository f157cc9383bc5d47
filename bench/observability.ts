/**
 * Observability tools, in process: `compare_me_to_similar` and `detect_anomalies` through the tool
 * registry (validation included, no transport) over 1,000 agents with 100 updates each, written
 * by real process_agent_update calls into a real SQLite file. Target (issue 12): p50 <= 5 ms.
 * The floor is `get_governance_metrics` of one agent in the same run (one indexed read).
 *
 *     node --import tsx bench/observability.ts   # BENCH_OBS_AGENTS, BENCH_OBS_UPDATES, BENCH_OBS_CALLS
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGovernanceApp, type GovernanceApp } from '../src/server/app';
import type { ToolContext } from '../src/server/tools/types';
import { nullLogger } from '../src/util/log';
import { percentile } from './load';

const AGENTS = Number(process.env.BENCH_OBS_AGENTS ?? 1000);
const UPDATES = Number(process.env.BENCH_OBS_UPDATES ?? 100);
const CALLS = Number(process.env.BENCH_OBS_CALLS ?? 300);
const TARGET_P50_MS = 5;

const ctx: ToolContext = { caller: { agentId: 'bench', anonymous: false, transport: 'in-process' }, signal: new AbortController().signal };

/** Every agent reports UPDATES times; one round of updates is written in one group commit. */
async function seed(app: GovernanceApp): Promise<void> {
  for (let round = 0; round < UPDATES; round++) {
    await Promise.all(
      Array.from({ length: AGENTS }, (_, a) =>
        app.governance.processUpdate({ agentId: `agent-${String(a).padStart(4, '0')}`, operation: `step ${round}`, complexity: ((a * 7 + round * 3) % 10) / 10, confidence: ((a + round) % 5) / 5 }),
      ),
    );
  }
}

async function time(name: string, args: (i: number) => Record<string, unknown>, app: GovernanceApp): Promise<number[]> {
  for (let i = 0; i < 20; i++) await app.registry.call(name, args(i), ctx);
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await app.registry.call(name, args(i), ctx);
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}

/** Runs the benchmark; `ok` is false when a p50 misses the target. */
export async function benchObservability(): Promise<{ lines: string[]; ok: boolean }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-bench-obs-'));
  // Seeding pauses many agents; automatic dialectic reviews of them are not what is measured here.
  process.env.CODEX_GOVERNANCE_AUTO_DIALECTIC ??= 'off';
  const app = await createGovernanceApp({ dataDir, logger: nullLogger, hostKind: 'bench', port: null, codex: { codexPath: '/nonexistent/codex' } });
  try {
    const seeding = performance.now();
    await seed(app);
    const seedSeconds = (performance.now() - seeding) / 1000;
    const active = (await app.store.agentReads.snapshots({ statuses: ['active'], limit: AGENTS })).map((s) => s.id);
    const pick = (i: number) => active[(i * 37) % active.length]!;
    const rows: Array<[string, number[], boolean]> = [];
    const measured = async (label: string, name: string, args: (i: number) => Record<string, unknown>, target: boolean) => rows.push([label, await time(name, args, app), target]);
    await measured('get_governance_metrics (floor: one agent, history_limit 0)', 'get_governance_metrics', (i) => ({ agent_id: pick(i), history_limit: 0 }), false);
    await measured(`compare_me_to_similar (${active.length} comparable agents)`, 'compare_me_to_similar', (i) => ({ agent_id: pick(i) }), true);
    await measured('detect_anomalies (default: 50 active agents, risk_spike + coherence_drop)', 'detect_anomalies', () => ({}), true);
    await measured('detect_anomalies (50 agents, + void_event: 110 values of V each)', 'detect_anomalies', () => ({ anomaly_types: ['risk_spike', 'coherence_drop', 'void_event'] }), false);
    await measured(`aggregate_metrics (all ${AGENTS} agents)`, 'aggregate_metrics', () => ({}), false);
    await measured('list_agents (limit 100, with the fleet summary)', 'list_agents', () => ({}), false);
    let ok = true;
    const lines = [`Observability tools, in process through the tool registry: ${AGENTS} agents x ${UPDATES} updates (seeded in ${seedSeconds.toFixed(1)} s), ${CALLS} sequential calls each`];
    for (const [label, samples, target] of rows) {
      const p50 = percentile(samples, 50);
      const verdict = target ? `  (target p50 <= ${TARGET_P50_MS} ms: ${p50 <= TARGET_P50_MS ? 'met' : 'MISSED'})` : '';
      if (target && p50 > TARGET_P50_MS) ok = false;
      lines.push(`  ${label}: p50 ${p50.toFixed(2)} ms, p99 ${percentile(samples, 99).toFixed(2)} ms${verdict}`);
    }
    return { lines, ok };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchObservability().then((r) => {
    console.log(r.lines.join('\n'));
    process.exitCode = r.ok ? 0 : 1;
  });
}
