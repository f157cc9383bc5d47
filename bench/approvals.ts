/**
 * Approval latency, in process: from an approval request reaching the broker to the prompter being
 * invoked (the `approval.requested` audit line is fsynced in between), p50/p99 over sequential
 * requests, with the real audit log on disk and without an audit log (the floor).
 * Target (issue 4): p50 <= 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RiskApprovalBroker } from '../src/approvals/broker';
import type { ApprovalPrompter } from '../src/approvals/types';
import { AuditLog } from '../src/store/audit';
import { percentile } from './load';

const REQUESTS = Number(process.env.BENCH_APPROVALS ?? 500);
const TARGET_P50_MS = 50;

async function run(audit: AuditLog | undefined): Promise<number[]> {
  let started = 0;
  const samples: number[] = [];
  const prompter: ApprovalPrompter = {
    prompt: () => {
      samples.push(performance.now() - started);
      return Promise.resolve({ decision: 'allow_once' });
    },
  };
  const broker = new RiskApprovalBroker({ prompter, ...(audit ? { audit } : {}) });
  for (let i = 0; i < REQUESTS; i++) {
    started = performance.now();
    await broker.decide({ source: 'codex-full-access', sessionId: `s${i}`, sandbox: 'danger-full-access', cwd: '/work', agentId: 'bench', reason: 'benchmark' });
  }
  return samples.sort((a, b) => a - b);
}

/** Runs the benchmark; `ok` is false when the audited p50 misses the target. */
export async function benchApprovals(): Promise<{ lines: string[]; ok: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'cg-bench-approvals-'));
  try {
    const audit = await AuditLog.open(dir);
    const audited = await run(audit);
    await audit.close();
    const floor = await run(undefined);
    const p50 = percentile(audited, 50);
    const ok = p50 <= TARGET_P50_MS;
    const fmt = (s: number[]) => `p50 ${percentile(s, 50).toFixed(2)} ms, p99 ${percentile(s, 99).toFixed(2)} ms`;
    return {
      ok,
      lines: [
        `Approvals: request -> prompter invoked, ${REQUESTS} sequential requests, in process`,
        `  with the audit log (fsync per line): ${fmt(audited)}  (target p50 <= ${TARGET_P50_MS} ms: ${ok ? 'met' : 'MISSED'})`,
        `  without an audit log (floor):        ${fmt(floor)}`,
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void benchApprovals().then((r) => {
    console.log(r.lines.join('\n'));
    process.exitCode = r.ok ? 0 : 1;
  });
}
