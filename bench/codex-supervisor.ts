/**
 * Codex supervisor benchmark (issue 3), all against the same fake Responses API server in one run:
 * 1. `codex-reply` and `codex` through the governance server (Streamable HTTP, the server in its own
 *    process: bench/codex-serve-child.ts) vs the same calls
 *    straight to Codex, on both backends: Codex 0.153.4's own `codex mcp-server` over stdio, and
 *    the current Codex's `codex app-server` (thread/start + turn/start over JSON-RPC lines). Ratio
 *    of medians and ms added; targets (issue 17): `codex` (new thread) <= 1.10x and <= +40 ms,
 *    `codex-reply` <= 1.05x and <= +10 ms. A new `codex` session also pays Codex's slower first
 *    turn in a fresh process (one process per session, taken from the spare);
 * 2. spawn-to-ready time and RSS per child (idle, and after one turn) for both backends.
 * Run alone with `node --import tsx bench/codex-supervisor.ts` (BENCH_CODEX_CALLS, default 40).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createCodexHome, type CodexHome } from '../test/fakes/codex-home';
import { codexBinaries, startCodexAppServer, startCodexMcpServer } from '../test/fakes/codex-processes';
import { replyMessage, startFakeModelServer, userTexts } from '../test/fakes/fake-model-server';
import { startAppServerChild } from '../src/supervisor/app-server-backend';
import type { ChildHooks, StartChildOptions } from '../src/supervisor/backend';
import { startMcpServerChild } from '../src/supervisor/mcp-server-backend';

const CALLS = Number(process.env.BENCH_CODEX_CALLS ?? 40);
const WARMUP = 3;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/**
 * Times `a` and `b` alternately, CALLS times each after WARMUP rounds; ms per call. `beforeA` and
 * `beforeB` run untimed before each call (preparing a fresh process, waiting for the spare).
 */
async function timePairs(
  a: (i: number) => Promise<unknown>,
  b: (i: number) => Promise<unknown>,
  beforeA: () => Promise<unknown> = () => Promise.resolve(),
  beforeB: () => Promise<unknown> = () => Promise.resolve(),
): Promise<[number[], number[]]> {
  for (let i = 0; i < WARMUP; i++) {
    await beforeA();
    await a(-1 - i);
    await beforeB();
    await b(-1 - i);
  }
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    await beforeA();
    let t0 = performance.now();
    await a(i);
    ta.push(performance.now() - t0);
    await beforeB();
    t0 = performance.now();
    await b(i);
    tb.push(performance.now() - t0);
  }
  return [ta, tb];
}

const noHooks: ChildHooks = {
  onEvent: () => undefined,
  onDelta: () => undefined,
  onUsage: () => undefined,
  onThreadId: () => undefined,
  approve: () => Promise.resolve({ decision: 'deny', reason: 'bench' }),
};

/** One way of calling Codex: start a thread with a prompt, or continue one. */
interface Path {
  /** Untimed preparation before `start` (a fresh process for the floor, the ready spare for ours). */
  prepare?(): Promise<void>;
  start(i: number): Promise<string>;
  reply(threadId: string, i: number): Promise<unknown>;
  close(): Promise<void>;
}

/** Targets (issue 17): [max ratio of medians, max ms added]. */
export const CODEX_TARGETS = { codex: [1.1, 40], 'codex-reply': [1.05, 10] } as const;

/** Runs the benchmark; returns the report lines and whether the overhead targets were met. */
export async function benchCodexSupervisor(): Promise<{ lines: string[]; ok: boolean }> {
  const lines: string[] = [];
  const bins = codexBinaries();
  const fake = await startFakeModelServer({ whenExhausted: (req) => replyMessage(`echo: ${userTexts(req).at(-1) ?? ''}`) });
  let home: CodexHome | undefined;
  let ok = true;
  try {
    home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
    const h = home;
    const args = (i: number) => ({ prompt: `question ${i}`, cwd: h.workDir, sandbox: 'read-only', 'approval-policy': 'never' });
    const call = async (c: Client, name: string, a: Record<string, unknown>) => {
      const r = await c.callTool({ name, arguments: a });
      if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
      return r.structuredContent as { threadId: string };
    };
    const directMcp = async (): Promise<Path> => {
      const d = await startCodexMcpServer(bins.legacy, h);
      return {
        start: async (i) => (await call(d.client, 'codex', args(i))).threadId,
        reply: (threadId, i) => call(d.client, 'codex-reply', { threadId, prompt: `follow-up ${i}` }),
        close: () => d.close(),
      };
    };
    type AppServer = Awaited<ReturnType<typeof startCodexAppServer>>;
    const appTurn = async (d: AppServer, threadId: string, text: string) => {
      // The log keeps earlier turns' completions: wait for this turn's own.
      const { turn: started } = await d.rpc.request<{ turn: { id: string } }>('turn/start', { threadId, input: [{ type: 'text', text }] });
      await d.rpc.waitForNotification((n) => n.method === 'turn/completed' && (n.params as { turn?: { id?: string } }).turn?.id === started.id, 60_000);
    };
    const appNewThread = async (d: AppServer, i: number) => {
      const { thread } = await d.rpc.request<{ thread: { id: string } }>('thread/start', { cwd: h.workDir, sandbox: 'read-only', approvalPolicy: 'never' });
      await appTurn(d, thread.id, `question ${i}`);
      return thread.id;
    };
    const directApp = async (): Promise<Path> => {
      const d = await startCodexAppServer(bins.current, h);
      return {
        start: (i) => appNewThread(d, i),
        reply: (threadId, i) => appTurn(d, threadId, `follow-up ${i}`),
        close: () => d.close(),
      };
    };
    // The floor of a process per session: the same call into a fresh Codex process that has been
    // started, initialized and warmed (as our spare is) before the clock starts; the previous
    // call's process ends first, untimed.
    const fresh = <P extends { close(): Promise<void> }>(launch: () => Promise<P>, newThread: (p: P, i: number) => Promise<string>): Path => {
      let current: P | undefined;
      return {
        prepare: async () => {
          await current?.close();
          current = await launch();
        },
        start: (i) => newThread(current!, i),
        reply: () => Promise.reject(new Error('fresh processes are for new threads only')),
        close: async () => {
          await current?.close();
        },
      };
    };
    const freshMcp = () => fresh(() => startCodexMcpServer(bins.legacy, h), async (d, i) => (await call(d.client, 'codex', args(i))).threadId);
    const freshApp = () =>
      fresh(async () => {
        const d = await startCodexAppServer(bins.current, h);
        await d.rpc.request('skills/list', { cwds: [h.workDir] });
        return d;
      }, appNewThread);
    // The governance server runs in its own process (bench/codex-serve-child.ts), as Codex and MCP
    // clients meet it.
    const governed = async (binary: string, dataDir: string): Promise<Path> => {
      const proc = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'codex-serve-child.ts'), dataDir], {
        env: { ...process.env, CODEX_HOME: h.codexHome, HOME: h.home, CODEX_GOVERNANCE_CODEX_PATH: binary },
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines = createInterface({ input: proc.stdout });
      const waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
      lines.on('line', (line) => waiting.shift()?.resolve(line));
      proc.once('exit', (code) => {
        for (const w of waiting.splice(0)) w.reject(new Error(`the benchmark's governance server exited with ${code}`));
      });
      const nextLine = () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
      const { url, token } = JSON.parse(await nextLine()) as { url: string; token: string };
      const client = new Client({ name: 'bench', version: '0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
      return {
        // The spare is started once a turn has answered and takes a few hundred ms to be ready; a
        // person or an agent starting sessions seconds apart always finds it ready.
        prepare: async () => {
          for (let t = 0; t < 500; t++) {
            const answer = nextLine();
            proc.stdin.write('spare\n');
            if ((JSON.parse(await answer) as { spare: number | null }).spare !== null) return;
            await new Promise((r) => setTimeout(r, 10));
          }
        },
        start: async (i) => (await call(client, 'codex', args(i))).threadId,
        reply: (threadId, i) => call(client, 'codex-reply', { threadId, prompt: `follow-up ${i}` }),
        close: async () => {
          await client.close();
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGTERM');
          await exited;
        },
      };
    };
    const row = (tool: keyof typeof CODEX_TARGETS, what: string, d: number[], g: number[]) => {
      const [maxRatio, maxMs] = CODEX_TARGETS[tool];
      const ratio = median(g) / median(d);
      const added = median(g) - median(d);
      const met = ratio <= maxRatio && added <= maxMs;
      lines.push(`${tool} (${what}), ${CALLS} sequential calls, fake model`);
      lines.push(`    straight to Codex: median ${median(d).toFixed(1)} ms, mean ${mean(d).toFixed(1)} ms`);
      lines.push(`    through the governance server (Streamable HTTP, supervisor): median ${median(g).toFixed(1)} ms, mean ${mean(g).toFixed(1)} ms`);
      lines.push(`    -> ${ratio.toFixed(3)}x, ${added >= 0 ? '+' : ''}${added.toFixed(1)} ms (targets <= ${maxRatio}x, <= ${maxMs} ms) ${met ? 'met' : 'MISSED'}`);
      return met;
    };
    for (const [backend, binary, direct, fresh] of [
      ['mcp-server, Codex 0.153.4', bins.legacy, directMcp, freshMcp],
      ['app-server, current Codex', bins.current, directApp, freshApp],
    ] as const) {
      const dataDir = mkdtempSync(join(tmpdir(), 'cg-bench-codex-'));
      const d = await direct();
      const g = await governed(binary, dataDir);
      const f = fresh();
      try {
        // Calls alternate between the two paths so drift over the run (CPU clock, thread length) hits both alike.
        const [directNew, govNew] = await timePairs((i) => d.start(i), (i) => g.start(i), undefined, () => g.prepare!());
        const [freshNew, govBackToBack] = await timePairs((i) => f.start(i), (i) => g.start(i), () => f.prepare!());
        const directThread = await d.start(0);
        const govThread = await g.start(0);
        const [directReply, govReply] = await timePairs((i) => d.reply(directThread, i), (i) => g.reply(govThread, i));
        ok = row('codex', `new thread each; ${backend}; ours = a new process per session, the spare ready`, directNew, govNew) && ok;
        const floorMet = median(govNew) / median(freshNew);
        lines.push(`    floor of a process per session (a fresh ${backend.split(',')[0]} process, started and warmed before the clock, as our spare): median ${median(freshNew).toFixed(1)} ms`);
        lines.push(`    -> ours vs that floor ${floorMet.toFixed(3)}x, ${median(govNew) - median(freshNew) >= 0 ? '+' : ''}${(median(govNew) - median(freshNew)).toFixed(1)} ms; the floor vs Codex reusing one process ${(median(freshNew) / median(directNew)).toFixed(3)}x`);
        lines.push(`    back to back (the next call before the spare is ready): median ${median(govBackToBack).toFixed(1)} ms`);
        ok = row('codex-reply', `same thread; ${backend}`, directReply, govReply) && ok;
      } finally {
        await d.close();
        await g.close();
        await f.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }

    for (const [label, binary, start] of [
      ['mcp-server (0.153.4)', bins.legacy, startMcpServerChild],
      ['app-server (current)', bins.current, startAppServerChild],
    ] as const) {
      const ready: number[] = [];
      const idle: number[] = [];
      const afterTurn: number[] = [];
      for (let i = 0; i < 5; i++) {
        const opts: StartChildOptions = { binary, env: home.env, cwd: home.workDir, hooks: noHooks, interruptGraceMs: 1000, startupTimeoutMs: 30_000, clientInfo: { name: 'bench', version: '0' } };
        const t0 = performance.now();
        const child = await start(opts);
        ready.push(performance.now() - t0);
        idle.push(await rssMiB(child.pid));
        await child.startThread({ cwd: home.workDir, sandbox: 'read-only', approvalPolicy: 'never' }, 'hello', new AbortController().signal);
        afterTurn.push(await rssMiB(child.pid));
        await child.close(0);
      }
      lines.push(`child ${label}: spawn-to-ready median ${median(ready).toFixed(0)} ms (min ${Math.min(...ready).toFixed(0)}, max ${Math.max(...ready).toFixed(0)}); RSS idle ${median(idle).toFixed(0)} MiB, after one turn ${median(afterTurn).toFixed(0)} MiB`);
    }
  } finally {
    await fake.close();
    await home?.cleanup();
  }
  return { lines, ok };
}

if (require.main === module) {
  benchCodexSupervisor()
    .then(({ lines }) => {
      console.log(lines.join('\n'));
      process.exit(0);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
