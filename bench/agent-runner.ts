/**
 * Governance overhead per agent step (issue 13, the governed OpenAI agent runner): the same runner
 * against the same scripted fake model (Chat Completions on loopback, test/fakes, in a worker
 * thread: a real model is off the runner's thread too), N steps of one tool call each, with the
 * in-process governance client (a real server: SQLite, the approval broker with its audit log) and
 * with governance off (`governance: false`: no checks, approvals, usage reports or governance
 * tools), alternating, median of the rounds. Two tools: a read-only one (runs unasked) and a
 * low-risk write (asked of the broker, approved by the default policy, audited).
 * Target: <= 3 ms added per step. Measured twice: with the fake answering at once (every durable
 * write on the step's path shows) and after 100 ms (see LATENCIES).
 *
 * The model request goes out while `process_agent_update` commits (src/agent/runner.ts), so the
 * commit is hidden up to the model's latency: the fake answers in about a millisecond, a real model
 * in hundreds. Printed beside the result: the floor, the median `process_agent_update` time of the
 * same runs (a durable SQLite commit, `synchronous=FULL`, which the in-process server does on the
 * event loop: mostly the disk's fsync time), and the runner thread's CPU time added per step, which
 * a loaded machine does not inflate. The benchmark runs twice: with the data directory in the OS
 * temp folder (a disk) and, where it exists, in /dev/shm (memory: no fsync wait).
 * Run alone: `node --import tsx bench/agent-runner.ts`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { runAgent } from '../src/agent/runner';
import type { AgentTool } from '../src/agent/tool-set';
import { InProcessGovernanceClient } from '../src/client/in-process';
import { startGovernanceServer } from '../src/server/server';
import { Worker } from 'node:worker_threads';

const STEPS = Number(process.env.BENCH_AGENT_STEPS ?? 40);
/**
 * The fake model's answer times (ms): 0, the worst case, where every durable write governance does
 * on the runner's thread shows; and 100, faster than any hosted model's time to first token, where
 * the writes overlapping the request are hidden as a real model hides them.
 */
const LATENCIES = (process.env.BENCH_AGENT_LATENCIES_MS ?? '0,100').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_AGENT_ROUNDS ?? 8);
const TARGET_MS = 3;

function benchTool(name: string, readOnly: boolean): AgentTool {
  return {
    name,
    server: 'bench',
    tool: name,
    description: 'Does nothing.',
    parameters: { type: 'object', properties: { i: { type: 'integer' } }, additionalProperties: false },
    annotations: readOnly ? { readOnlyHint: true } : { readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    kind: 'mcp',
    call: () => Promise.resolve({ ok: true, text: 'ok' }),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function benchAgentRunner(): Promise<{ lines: string[]; ok: boolean }> {
  const lines: string[] = [];
  let ok = true;
  const places: Array<[string, string]> = [[tmpdir(), `data directory on disk (${tmpdir()})`]];
  if (existsSync('/dev/shm')) places.push(['/dev/shm', 'data directory in memory (/dev/shm: no fsync wait)']);
  for (const [parent, label] of places) {
    const r = await benchIn(parent);
    lines.push(`  ${label}`, ...r.lines);
    ok &&= r.ok;
  }
  return { ok, lines };
}

async function benchIn(parent: string): Promise<{ lines: string[]; ok: boolean }> {
  const dataDir = mkdtempSync(join(parent, 'cg-bench-agent-'));
  const server = await startGovernanceServer({ port: 0, dataDir, token: 'bench-agent-token-0123456789', rateLimitPerMinute: 10_000_000, hostKind: 'bench', dialectic: { autoReviewOnPause: false } });
  const client = new InProcessGovernanceClient(server.url, server.app);
  // Inherits this process's loader (tsx), as `npm run bench` and the command above start it.
  const model = new Worker(join(__dirname, 'agent-runner-model.ts'));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    model.once('message', (m: { baseUrl: string }) => resolve(m.baseUrl));
    model.once('error', reject);
  });
  let tool = 'bench__read';
  let latencyMs = 0;
  const tools = [benchTool('bench__read', true), benchTool('bench__write', false)];
  // A calm agent per run, so no PAUSE cuts a governed run short (complexity is what the runner reports).
  let run = 0;
  /** Durations of the `process_agent_update` calls (ms): the floor, what a governed step may wait for. */
  const checks: number[] = [];
  const timed = new Proxy(client, {
    get(target, key) {
      const v: unknown = Reflect.get(target, key, target);
      if (key !== 'callTool') return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      const call: typeof client.callTool = async (name, args, options) => {
        const t0 = performance.now();
        try {
          return await client.callTool(name, args, options);
        } finally {
          if (name === 'process_agent_update') checks.push(performance.now() - t0);
        }
      };
      return call;
    },
  });
  /** The times between consecutive model turns of one run (one step each, ms) and the runner thread's CPU time per step (ms). */
  const stepTimes = async (governance: boolean): Promise<{ steps: number[]; cpuMs: number }> => {
    const turns: number[] = [];
    const openai = new OpenAI({ apiKey: 'sk-bench', baseURL: baseUrl, maxRetries: 0, defaultHeaders: { 'x-bench-tool': tool, 'x-bench-latency-ms': String(latencyMs) } });
    const cpu0 = process.threadCpuUsage();
    const ended = await runAgent({
      client: timed,
      openai,
      api: 'chat',
      model: 'bench-model',
      stream: false,
      prompt: 'benchmark',
      agentId: `bench-agent-${run++}`,
      maxSteps: STEPS,
      timeoutMs: 600_000,
      extraTools: tools,
      governance,
      onEvent: (e) => e.type === 'model-turn' && turns.push(performance.now()),
      errorContext: { baseUrl, model: 'bench-model', requestTimeoutSeconds: 600, maxRetries: 0 },
    });
    const cpu = process.threadCpuUsage(cpu0);
    if (ended.reason !== 'max_steps') throw new Error(`benchmark run ended ${ended.reason}: ${ended.message}`);
    return { steps: turns.slice(1).map((t, k) => t - (turns[k] ?? t)), cpuMs: (cpu.user + cpu.system) / 1000 / STEPS };
  };
  const lines: string[] = [];
  let ok = true;
  try {
    // A fresh server does background work at first (locating Codex, indexes): let it settle.
    for (const t0 = performance.now(); performance.now() - t0 < 3000; ) {
      for (const name of ['bench__read', 'bench__write']) {
        tool = name;
        await stepTimes(true);
      }
    }
    for (const latency of LATENCIES) {
      latencyMs = latency;
      // Fewer rounds when each step waits for the model: the same number of steps would take minutes.
      const rounds = latency > 0 ? Math.max(2, Math.round(ROUNDS / 4)) : ROUNDS;
      const cases = [
        { name: 'bench__read', label: 'read-only tool (unasked)', off: [] as number[], on: [] as number[], cpuOff: [] as number[], cpuOn: [] as number[] },
        { name: 'bench__write', label: 'low-risk write (broker, policy, audited)', off: [] as number[], on: [] as number[], cpuOff: [] as number[], cpuOn: [] as number[] },
      ];
      checks.length = 0;
      // Short runs, every case and mode in turn, so all see the same load of a shared machine; the median step is robust to stalls.
      for (let r = 0; r < rounds; r++) {
        for (const c of cases) {
          tool = c.name;
          const off = await stepTimes(false);
          c.off.push(...off.steps);
          c.cpuOff.push(off.cpuMs);
          const on = await stepTimes(true);
          c.on.push(...on.steps);
          c.cpuOn.push(on.cpuMs);
        }
      }
      lines.push(`    model answering after ${latency} ms; floor: process_agent_update (durable commit, on this thread) median ${median(checks).toFixed(2)} ms over ${checks.length} checks of these runs`);
      for (const c of cases) {
        const floor = median(c.off);
        const governed = median(c.on);
        const delta = governed - floor;
        const met = delta <= TARGET_MS;
        ok &&= met;
        lines.push(`    ${c.label}: ${rounds} interleaved runs of ${STEPS} steps each way; median step: governance off ${floor.toFixed(2)} ms, governed ${governed.toFixed(2)} ms`);
        lines.push(`    -> +${delta.toFixed(2)} ms per step (${(governed / floor).toFixed(2)}x), target <= ${TARGET_MS} ms ${met ? 'met' : 'MISSED'}; runner thread CPU +${(median(c.cpuOn) - median(c.cpuOff)).toFixed(2)} ms per step`);
      }
    }
  } finally {
    client.dispose();
    model.postMessage('close');
    await new Promise((r) => model.once('exit', r));
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { ok, lines };
}

if (require.main === module) {
  benchAgentRunner()
    .then((r) => console.log(r.lines.join('\n')))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
