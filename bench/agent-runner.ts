/**
 * Governance overhead per agent step (issue 13, the governed OpenAI agent runner): the same runner
 * against the same scripted fake model (Chat Completions on loopback, test/fakes), N steps of one
 * tool call each, with the in-process governance client (a real server: SQLite, the approval broker
 * with its audit log) and with governance off (`governance: false`: no checks, approvals or usage
 * reports), alternating, median of the rounds. Two tools: a read-only one (runs unasked) and a
 * low-risk write (asked of the broker, approved by the default policy, audited).
 * Target: <= 3 ms added per step.
 *
 * Each governed step waits for durable SQLite commits (`synchronous=FULL`: process_agent_update, the
 * audit lines of an approval), so the result depends on the disk's fsync time. The benchmark runs
 * twice: with the data directory in the OS temp folder (a disk) and, where it exists, in /dev/shm
 * (memory: what governance itself costs without waiting for the disk).
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
import { startFakeChatCompletions } from '../test/fakes/fake-chat-completions';

const STEPS = Number(process.env.BENCH_AGENT_STEPS ?? 40);
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
  let tool = 'bench__read';
  let i = 0;
  const fake = await startFakeChatCompletions({ reply: () => ({ content: null, toolCalls: [{ name: tool, arguments: { i: i++ } }], usage: { prompt_tokens: 500, completion_tokens: 20 } }) });
  const openai = new OpenAI({ apiKey: 'sk-bench', baseURL: fake.baseUrl, maxRetries: 0 });
  const tools = [benchTool('bench__read', true), benchTool('bench__write', false)];
  // A calm agent per run, so no PAUSE cuts a governed run short (complexity is what the runner reports).
  let run = 0;
  /** The time between consecutive model turns of one run (one step each), ms. */
  const stepTimes = async (governance: boolean): Promise<number[]> => {
    const turns: number[] = [];
    const ended = await runAgent({
      client,
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
      errorContext: { baseUrl: fake.baseUrl, model: 'bench-model', apiKeyEnv: 'OPENAI_API_KEY', requestTimeoutSeconds: 600, maxRetries: 0 },
    });
    if (ended.reason !== 'max_steps') throw new Error(`benchmark run ended ${ended.reason}: ${ended.message}`);
    return turns.slice(1).map((t, k) => t - (turns[k] ?? t));
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
    const cases = [
      { name: 'bench__read', label: 'read-only tool (unasked)', off: [] as number[], on: [] as number[] },
      { name: 'bench__write', label: 'low-risk write (broker, policy, audited)', off: [] as number[], on: [] as number[] },
    ];
    // Short runs, every case and mode in turn, so all see the same load of a shared machine; the median step is robust to stalls.
    for (let r = 0; r < ROUNDS; r++) {
      for (const c of cases) {
        tool = c.name;
        c.off.push(...(await stepTimes(false)));
        c.on.push(...(await stepTimes(true)));
      }
    }
    for (const c of cases) {
      const floor = median(c.off);
      const governed = median(c.on);
      const delta = governed - floor;
      const met = delta <= TARGET_MS;
      ok &&= met;
      lines.push(`    ${c.label}: ${ROUNDS} interleaved runs of ${STEPS} steps each way; median step: governance off ${floor.toFixed(2)} ms, governed ${governed.toFixed(2)} ms`);
      lines.push(`    -> +${delta.toFixed(2)} ms per step (${(governed / floor).toFixed(2)}x), target <= ${TARGET_MS} ms ${met ? 'met' : 'MISSED'}`);
    }
  } finally {
    client.dispose();
    await fake.close();
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
