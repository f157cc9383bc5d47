/**
 * Floors printed beside `process_agent_update` over HTTP (issue 17 part 3), measured in this process:
 * - disk: bare node:sqlite (WAL, synchronous=FULL) inserting one small row per write, 16 writes per
 *   durable commit (what group commit gives 16 clients at best);
 * - in process: the tool through the registry (validation, governance, store, group commit) with 16
 *   concurrent callers and no HTTP.
 * The distance from the in-process figure to the HTTP one is the transport's cost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { createGovernanceApp } from '../src/server/app';
import { nullLogger } from '../src/util/log';

const CALLS = Number(process.env.BENCH_FLOOR_CALLS ?? 4800);

/** Rows per second, 16 rows per durable commit. */
export function diskFloor(): number {
  const dir = mkdtempSync(join(tmpdir(), 'cg-bench-disk-'));
  const db = new DatabaseSync(join(dir, 'x.db'));
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (id INTEGER PRIMARY KEY, agent TEXT, at TEXT, v REAL)');
    const insert = db.prepare('INSERT INTO t (agent, at, v) VALUES (?, ?, ?)');
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i += 16) {
      db.exec('BEGIN');
      for (let k = 0; k < 16; k++) insert.run(`bench-${k}`, new Date().toISOString(), Math.random());
      db.exec('COMMIT');
    }
    return CALLS / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** process_agent_update calls per second through the tool registry, 16 concurrent callers (median of 3 runs). */
export async function inProcessFloor(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'cg-bench-inproc-'));
  const app = await createGovernanceApp({ dataDir: dir, logger: nullLogger, hostKind: 'bench', port: null });
  try {
    const per = Math.ceil(CALLS / 16);
    const run = async () => {
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: 16 }, async (_, k) => {
          const caller = { agentId: `bench-client-${k}`, anonymous: false, transport: 'in-process', clientName: `bench-${k}`, clientVersion: '1.0.0' };
          for (let j = 0; j < per; j++) {
            const i = k * per + j;
            await app.registry.call('process_agent_update', { agent_id: `bench-${i % 16}`, operation: `step ${i}`, complexity: (i % 10) / 10 }, { caller, signal: new AbortController().signal });
          }
        }),
      );
      return (16 * per) / ((performance.now() - t0) / 1000);
    };
    await run();
    const rates = [await run(), await run(), await run()].sort((a, b) => a - b);
    return rates[1]!;
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
