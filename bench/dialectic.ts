/**
 * Reviewer selection over 1,000 candidates (issue "Multi-agent coordination", dialectic review):
 * the whole path a `request_dialectic_review` in mode peer runs before it stores anything (one
 * SQLite query for every candidate's status, risk, discovery tags, review record and open
 * sessions, then the exclusions and the weighted-random pick), against the floor measured in the
 * same run: the pick alone over the same candidates already in memory.
 * Target: p50 <= 5 ms for the whole path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GovernanceEvents } from '../src/core/events';
import { GovernanceService } from '../src/core/governance';
import { openSession } from '../src/dialectic/opening';
import { selectReviewer } from '../src/dialectic/reviewer';
import { chooseReviewer } from '../src/dialectic/selection';
import { KnowledgeGraph } from '../src/knowledge/knowledge';
import { openStore } from '../src/store/store';
import { percentile } from './load';
import { mulberry32 } from './corpus';

const CANDIDATES = Number(process.env.BENCH_DIALECTIC_CANDIDATES ?? 1000);
const RUNS = Number(process.env.BENCH_DIALECTIC_RUNS ?? 300);
const TARGET_P50_MS = 5;
const TAGS = ['auth', 'jwt', 'tests', 'sqlite', 'ui', 'perf', 'docs', 'ci', 'api', 'security', 'build', 'deps'];

export async function benchDialectic(): Promise<{ lines: string[]; ok: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'cg-bench-dialectic-'));
  const store = await openStore(dir);
  try {
    const rnd = mulberry32(12);
    let now = Date.UTC(2026, 5, 1);
    const clock = () => now;
    const events = new GovernanceEvents();
    const gov = new GovernanceService(store, events, clock);
    const knowledge = new KnowledgeGraph(store, events, clock);
    const ids = Array.from({ length: CANDIDATES + 1 }, (_, i) => `agent-${String(i).padStart(4, '0')}`);
    // A fleet: mostly calm, some strained (risk >= 0.40 is excluded), two discoveries each with tags.
    for (const id of ids) {
      now += 1000;
      await gov.processUpdate({ agentId: id, operation: 'work', complexity: rnd() < 0.15 ? 0.9 : rnd() * 0.5, confidence: 0.5 + rnd() / 2 });
      for (let d = 0; d < 2; d++) {
        await knowledge.store({ agentId: id, discoveryType: 'insight', summary: `note ${id} ${d}`, tags: [TAGS[Math.floor(rnd() * TAGS.length)]!, TAGS[Math.floor(rnd() * TAGS.length)]!] });
      }
    }
    // A review record: 300 finished sessions, 50 open ones (their agents are busy).
    for (let i = 0; i < 350; i++) {
      const requester = ids[1 + Math.floor(rnd() * CANDIDATES)]!;
      const reviewer = ids[1 + Math.floor(rnd() * CANDIDATES)]!;
      const step = openSession({ id: `s${i}`, requesterId: requester, reviewerId: reviewer, mode: 'peer', reason: 'bench', discoveryId: null, disputeType: null, complexity: null, requesterState: { status: 'active', risk_score: 0.2, coherence: 0.5, void_active: false }, nowMs: now });
      const session = i < 300 ? { ...step.session, phase: rnd() < 0.7 ? ('resolved' as const) : ('failed' as const), deadlineAt: null } : step.session;
      await store.dialectic.insert({ session, messages: [] });
    }
    const requester = ids[0]!;
    const random = mulberry32(99);
    const full: number[] = [];
    const reads: number[] = [];
    const pure: number[] = [];
    let eligible = 0;
    const { candidates, requesterTags } = await store.dialectic.candidates(requester);
    for (let i = 0; i < RUNS + 20; i++) {
      const t0 = performance.now();
      const choice = await chooseReviewer(store.dialectic, store.agents, { agentId: requester, reviewerMode: 'peer', disputeType: null, exclude: new Set(), nowMs: now, random });
      const t1 = performance.now();
      const picked = selectReviewer({ agentId: requester, tags: requesterTags }, candidates, { nowMs: now, random });
      const t2 = performance.now();
      await store.dialectic.candidates(requester);
      const t3 = performance.now();
      if (i < 20) continue; // warm-up: statement preparation, JIT
      full.push(t1 - t0);
      pure.push(t2 - t1);
      reads.push(t3 - t2);
      eligible = choice.eligible ?? 0;
      if (!picked) throw new Error('no reviewer picked');
    }
    full.sort((a, b) => a - b);
    pure.sort((a, b) => a - b);
    reads.sort((a, b) => a - b);
    const p50 = percentile(full, 50);
    const ok = p50 <= TARGET_P50_MS;
    const fmt = (s: number[]) => `p50 ${percentile(s, 50).toFixed(2)} ms, p99 ${percentile(s, 99).toFixed(2)} ms`;
    return {
      ok,
      lines: [
        `Dialectic reviewer selection: ${CANDIDATES} candidates (${eligible} eligible), ${2 * (CANDIDATES + 1)} tagged discoveries, 350 sessions; ${RUNS} selections`,
        `  store query + exclusions + weighted pick: ${fmt(full)}  (target p50 <= ${TARGET_P50_MS} ms: ${ok ? 'met' : 'MISSED'})`,
        `  of which the store reads: ${fmt(reads)}`,
        `  weighted pick alone, candidates in memory (floor): ${fmt(pure)}`,
      ],
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchDialectic().then((r) => {
    console.log(r.lines.join('\n'));
    process.exitCode = r.ok ? 0 : 1;
  });
}
