/**
 * Codex hooks (issue 14): the latency `codex-governance hook` adds to one Codex tool call.
 * - server up: PreToolUse of an active agent (no decision) through the hook's client code and
 *   `POST /v1/hooks/codex` (HTTP, handler, observed-session write), p50/p95 over many calls;
 *   target p50 <= 15 ms. Also the whole per-call cost Codex sees, spawning `node dist/hook.js`
 *   (Node start included), reported beside it.
 * - server down: time until the hook falls back (no decision) when no server owns the data
 *   directory and when a server accepts but never answers; target <= 300 ms.
 * Run alone with `node --import tsx bench/hooks.ts`; `npm run bench` includes it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { runHookCommand } from '../src/cli/hook';
import { startGovernanceServer } from '../src/server/server';

const CALLS = Number(process.env.BENCH_HOOK_CALLS ?? 300);
const SPAWNS = Number(process.env.BENCH_HOOK_SPAWNS ?? 20);
const TOKEN = 'bench-hooks-token-0123456789';
const HOOK_JS = resolve(__dirname, '../dist/hook.js');

const event = (i: number) => JSON.stringify({ session_id: '01a23430-904d-7373-b926-c491fd1a66f3', transcript_path: null, cwd: '/w', hook_event_name: 'PreToolUse', model: 'm', permission_mode: 'default', turn_id: 't', tool_name: 'Bash', tool_input: { command: `cat file${i}` }, tool_use_id: `c${i}` });

async function hookOnce(args: string[], text: string): Promise<{ ms: number; stdout: string }> {
  let stdout = '';
  const t0 = performance.now();
  await runHookCommand(args, { stdin: Readable.from([text]), stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, env: { CODEX_GOVERNANCE_TOKEN: TOKEN } });
  return { ms: performance.now() - t0, stdout };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

export async function benchHooks(): Promise<{ lines: string[]; ok: boolean }> {
  const lines: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-bench-hooks-'));
  writeFileSync(join(dataDir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
  let ok = true;
  const server = await startGovernanceServer({ port: 0, dataDir, token: TOKEN, hostKind: 'bench', rateLimitPerMinute: 10_000_000 });
  try {
    const args = ['--data-dir', dataDir];
    for (let i = 0; i < 20; i++) await hookOnce(args, event(i)); // warm-up
    const up: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const r = await hookOnce(args, event(i));
      if (r.stdout) throw new Error(`an active agent's PreToolUse got a decision: ${r.stdout}`);
      up.push(r.ms);
    }
    const p50 = pct(up, 50);
    ok &&= p50 <= 15;
    lines.push(`  server up, PreToolUse (hook client + POST /v1/hooks/codex), ${CALLS} calls: p50 ${p50.toFixed(1)} ms, p95 ${pct(up, 95).toFixed(1)} ms (target p50 <= 15 ms: ${verdict(p50 <= 15)})`);
    if (existsSync(HOOK_JS)) {
      const spawned: number[] = [];
      for (let i = 0; i < SPAWNS; i++) {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, [HOOK_JS, ...args], { input: event(i), env: { ...process.env, CODEX_GOVERNANCE_TOKEN: TOKEN } });
        if (r.status !== 0) throw new Error(`dist/hook.js exited ${r.status}: ${r.stderr.toString()}`);
        spawned.push(performance.now() - t0);
      }
      const node: number[] = [];
      for (let i = 0; i < SPAWNS; i++) {
        const t0 = performance.now();
        spawnSync(process.execPath, ['-e', '0']);
        node.push(performance.now() - t0);
      }
      lines.push(`  whole per-call cost as Codex sees it, spawning node dist/hook.js, ${SPAWNS} runs: p50 ${pct(spawned, 50).toFixed(0)} ms, p95 ${pct(spawned, 95).toFixed(0)} ms (of which Node's own start, node -e 0: p50 ${pct(node, 50).toFixed(0)} ms)`);
    } else {
      lines.push('  (dist/hook.js missing: run node esbuild.mjs to measure the spawned hook)');
    }
  } finally {
    await server.close();
  }
  // Server down: nobody owns the data directory (the lock file is gone with the server).
  const down: number[] = [];
  for (let i = 0; i < 50; i++) down.push((await hookOnce(['--data-dir', dataDir, '--offline', 'deny'], event(i))).ms);
  const downP50 = pct(down, 50);
  ok &&= pct(down, 95) <= 300;
  lines.push(`  server stopped: fallback after p50 ${downP50.toFixed(1)} ms, p95 ${pct(down, 95).toFixed(1)} ms (target <= 300 ms: ${verdict(pct(down, 95) <= 300)})`);
  // A server that accepts the connection and never answers: the --timeout-ms deadline (default 250 ms).
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const hung: number[] = [];
  for (let i = 0; i < 10; i++) hung.push((await hookOnce(['--server', url], event(i))).ms);
  for (const s of sockets) s.destroy();
  silent.close();
  ok &&= pct(hung, 95) <= 300;
  lines.push(`  server hung (accepts, never answers): fallback after p50 ${pct(hung, 50).toFixed(0)} ms, max ${Math.max(...hung).toFixed(0)} ms (target <= 300 ms: ${verdict(pct(hung, 95) <= 300)})`);
  rmSync(dataDir, { recursive: true, force: true });
  return { lines, ok };
}

if (require.main === module) {
  benchHooks().then(
    (r) => {
      console.log('Codex hooks (issue 14): bench/hooks.ts');
      for (const l of r.lines) console.log(l);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
