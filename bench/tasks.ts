/**
 * claim_task with 16 agents racing (issue 13, the task queue): a real server on loopback, 16 agents
 * each walking the same queue from a different start and calling claim_task over
 * `POST /v1/tools/call` (one keep-alive connection pool, in this process); every task is contested.
 * Counts claim calls answered per second (wins and conflicts) and checks that no task was won
 * twice. Target: >= 500 claims/s, zero double claims. Run alone: `node --import tsx bench/tasks.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGovernanceServer } from '../src/server/server';

const TASKS = Number(process.env.BENCH_TASKS ?? 500);
const AGENTS = 16;
const TARGET_CLAIMS_PER_SECOND = 500;

export async function benchTasks(): Promise<{ lines: string[]; ok: boolean }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-bench-tasks-'));
  const token = 'bench-token-0123456789abcdef';
  const server = await startGovernanceServer({ port: 0, dataDir, token, rateLimitPerMinute: 10_000_000, hostKind: 'bench' });
  try {
    const call = async (name: string, args: Record<string, unknown>, agent: string) => {
      const res = await fetch(`${server.url}/v1/tools/call`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Session-ID': agent },
        body: JSON.stringify({ name, arguments: args }),
      });
      return { status: res.status, body: (await res.json()) as { success: boolean; error?: { code: string } } };
    };
    for (let i = 0; i < TASKS; i++) await call('post_task', { task_id: `B_${i}`, description: `bench task ${i}` }, 'poster');
    const wins = new Map<string, string[]>();
    let calls = 0;
    let unexpected = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: AGENTS }, async (_, a) => {
        const agent = `agent-${a}`;
        // Staggered starts: each task is raced by several agents arriving at nearly the same time.
        for (let k = 0; k < TASKS; k++) {
          const id = `B_${(k + a * 7) % TASKS}`;
          const r = await call('claim_task', { task_id: id }, agent);
          calls++;
          if (r.status === 200 && r.body.success) wins.set(id, [...(wins.get(id) ?? []), agent]);
          else if (r.body.error?.code !== 'conflict') unexpected++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const doubles = [...wins.values()].filter((w) => w.length > 1).length;
    const perSecond = calls / seconds;
    const ok = perSecond >= TARGET_CLAIMS_PER_SECOND && doubles === 0 && wins.size === TASKS && unexpected === 0;
    return {
      ok,
      lines: [
        `    ${AGENTS} agents x ${TASKS} claim_task calls over ${TASKS} tasks: ${Math.round(perSecond)} claims/s answered (${calls} in ${seconds.toFixed(2)} s), ${wins.size} tasks won, ${doubles} won twice, ${unexpected} unexpected answers`,
        `    -> target >= ${TARGET_CLAIMS_PER_SECOND} claims/s and zero double claims ${ok ? 'OK' : 'MISSED'}`,
      ],
    };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchTasks()
    .then((r) => console.log(r.lines.join('\n')))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
