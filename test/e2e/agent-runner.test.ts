/**
 * `codex-governance agent run` as a user runs it (dist/cli.js, built with `node esbuild.mjs`)
 * against a real governance server (real SQLite, the approval broker with a scripted person), the
 * fake OpenAI service (Chat Completions and Responses, test/fakes) and a real MCP server from npm
 * (@modelcontextprotocol/server-filesystem) started from a Codex config.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AgentEvent, RunEndedEvent } from '../../src/agent/events';
import { ScriptedPrompter } from '../../src/approvals/prompters';
import type { PendingApproval } from '../../src/approvals/types';
import type { ApprovalAnswer } from '../../src/approvals/vocabulary';
import type { RunningGovernanceServer } from '../../src/server/api';
import { startGovernanceServer } from '../../src/server/server';
import { chatScript, offeredTools, startFakeChatCompletions, toolMessages, type FakeChatOptions } from '../fakes/fake-chat-completions';
import { functionCallItem, functionCallOutput, httpStatus, rateLimited, rawFunctionCallItem, refusalItem, replyFunctionCall, replyMessage, startFakeModelServer, streamText, type Turn } from '../fakes/fake-model-server';

const CLI = resolve(__dirname, '../../dist/cli.js');
const FS_SERVER = resolve(__dirname, '../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const TOKEN = 'agent-runner-token-0123456789';
const MODEL = 'gpt-test';

/** A loopback port nothing listens on (just released). */
function freePort(): Promise<number> {
  return new Promise((done) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => done(port));
    });
  });
}

interface CliRun {
  code: number | null;
  events: AgentEvent[];
  ended: RunEndedEvent | undefined;
  stdout: string;
  stderr: string;
  ms: number;
}

describe('codex-governance agent run (CLI, real server, real MCP server, fake model)', function () {
  this.timeout(180_000);
  let dir: string;
  let work: string;
  let codexHome: string;
  let server: RunningGovernanceServer;
  let answer: (p: PendingApproval) => ApprovalAnswer;
  let prompter: ScriptedPrompter;
  const closers: Array<() => Promise<void>> = [];

  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run node esbuild.mjs first`);
    dir = mkdtempSync(join(tmpdir(), 'cg-agent-e2e-'));
    work = join(dir, 'work');
    mkdirSync(work);
    codexHome = join(dir, 'codex');
    mkdirSync(codexHome);
    // The filesystem server may touch `work` only; `off` is disabled and must never start.
    writeFileSync(
      join(codexHome, 'config.toml'),
      [
        '[mcp_servers.fs]',
        `command = ${JSON.stringify(process.execPath)}`,
        `args = [${JSON.stringify(FS_SERVER)}, ${JSON.stringify(work)}]`,
        'disabled_tools = ["move_file"]',
        '',
        '[mcp_servers.off]',
        'command = "/nonexistent/never-started"',
        'enabled = false',
        '',
      ].join('\n'),
    );
    prompter = new ScriptedPrompter((p) => answer(p));
    server = await startGovernanceServer({
      port: 0,
      dataDir: join(dir, 'data'),
      token: TOKEN,
      hostKind: 'test',
      rateLimitPerMinute: 100_000,
      approvals: { prompter },
      agents: { prices: { [MODEL]: { input: 2, output: 8, cached_input: 0.5 } } },
    });
  });
  beforeEach(() => {
    answer = () => ({ decision: 'deny', reason: 'no answer scripted' });
    prompter.seen.length = 0;
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function chat(reply: FakeChatOptions['reply']) {
    const fake = await startFakeChatCompletions({ reply });
    closers.push(() => fake.close());
    return fake;
  }
  async function responses(...script: Turn[]) {
    const fake = await startFakeModelServer({ script });
    closers.push(() => fake.close());
    return fake;
  }

  function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
    const t0 = Date.now();
    const fullEnv: Record<string, string | undefined> = { ...process.env, OPENAI_API_KEY: 'sk-test-key', CODEX_HOME: codexHome, CODEX_GOVERNANCE_TOKEN: TOKEN, CODEX_GOVERNANCE_DATA_DIR: join(dir, 'no-data-dir'), ...env };
    for (const [k, v] of Object.entries(fullEnv)) if (v === undefined) delete fullEnv[k];
    const proc = spawn(process.execPath, [CLI, 'agent', 'run', ...args], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((r) =>
      proc.on('exit', (code) => {
        const events = args.includes('--json') ? stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AgentEvent) : [];
        r({ code, events, ended: events.find((e): e is RunEndedEvent => e.type === 'run-ended'), stdout, stderr, ms: Date.now() - t0 });
      }),
    );
  }
  const base = (baseUrl: string, more: string[] = []) => ['--server', server.url, '--base-url', baseUrl, '--model', MODEL, '--json', ...more];
  const ofType = <T extends AgentEvent['type']>(r: CliRun, type: T) => r.events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

  it('Chat Completions, streaming: a person allows write_file for the run (asked once for two calls), read-only and low-risk tools run unasked, tokens and cost reach /metrics', async () => {
    answer = (p) => (p.source === 'openai-agent' && p.command === 'fs/write_file' ? { decision: 'allow_session' } : { decision: 'deny', reason: 'unexpected' });
    const a = join(work, 'chat-a.txt');
    const b = join(work, 'chat-b.txt');
    const fake = await chat(
      chatScript(
        (req) => {
          const offered = offeredTools(req);
          assert.ok(offered.includes('fs__write_file') && offered.includes('search_knowledge_graph'), offered.join(','));
          assert.ok(!offered.includes('fs__move_file') && !offered.includes('process_agent_update') && !offered.some((n) => n.startsWith('off__')), offered.join(','));
          return { content: 'Writing two files.', toolCalls: [{ name: 'fs__write_file', arguments: { path: a, content: 'alpha' } }, { name: 'fs__write_file', arguments: { path: b, content: 'beta' } }], usage: { prompt_tokens: 1000, completion_tokens: 100, cached_tokens: 400 } };
        },
        { content: null, toolCalls: [{ name: 'fs__read_text_file', arguments: { path: a } }, { name: 'fs__create_directory', arguments: { path: join(work, 'chat-dir') } }] },
        (req) => ({ content: `Done: ${toolMessages(req).map((m) => m.content).join(' | ')}` }),
      ),
    );
    const r = await runCli(['write alpha and beta', ...base(fake.baseUrl)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(readFileSync(a, 'utf8'), 'alpha');
    assert.equal(readFileSync(b, 'utf8'), 'beta');
    assert.ok(existsSync(join(work, 'chat-dir')));
    assert.equal(prompter.seen.length, 1, 'one prompt for two write_file calls');
    assert.equal(prompter.seen[0]?.risk, 'high');
    const decisions = ofType(r, 'tool-decision').map((d) => `${d.name}:${d.decision}:${d.decidedBy}`);
    assert.deepEqual(decisions, ['fs__write_file:allow_run:person', 'fs__write_file:allow_run:run-grant', 'fs__read_text_file:allow_once:read-only', 'fs__create_directory:allow_once:policy']);
    assert.ok(ofType(r, 'model-text-delta').length >= 2, 'streamed text arrives as deltas');
    assert.equal(ofType(r, 'governance').length, 3);
    assert.match(r.ended?.finalText ?? '', /alpha/);
    const usage = ofType(r, 'usage')[0];
    // (600 x 2 + 400 x 0.5 + 100 x 8) / 1e6
    assert.equal(usage?.costUsd, 0.0022);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    assert.match(metrics, /codex_mcp_tokens_consumed_total\{kind="cached_input",backend="openai-agent",model="gpt-test"\} 400/);
    assert.match(metrics, /codex_mcp_cost_usd_total\{model="gpt-test"\} 0\.00\d+/);
    const audit = (await (await fetch(`${server.url}/audit?source=openai-agent&limit=50`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { entries: Array<{ type: string; decision?: string }> };
    assert.ok(audit.entries.some((e) => e.type === 'approval.answered' && e.decision === 'allow_session'));
    assert.equal(fake.requests.length, 3);
  });

  it('Responses, not streaming: a denied write does not run, the model is told why, and the run still ends done', async () => {
    answer = () => ({ decision: 'deny', reason: 'not this file' });
    const target = join(work, 'denied.txt');
    const fake = await responses(replyFunctionCall('fs__write_file', { path: target, content: 'x' }), (req) => replyMessage(`saw: ${functionCallOutput(req)}`));
    const r = await runCli(['write it', ...base(fake.baseUrl, ['--api', 'responses', '--no-stream'])]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(!existsSync(target));
    assert.equal(fake.responsesRequests()[0]?.body?.stream, undefined);
    assert.match(r.ended?.finalText ?? '', /denied and did not run: not this file/);
    assert.deepEqual(ofType(r, 'tool-result'), []);
  });

  it('Responses, streaming: text deltas, then an invented tool, malformed JSON and arguments failing the schema come back to the model naming the cause', async () => {
    const fake = await responses(
      { kind: 'items', items: [functionCallItem('no_such_tool', {}), rawFunctionCallItem('fs__read_text_file', '{"path": '), functionCallItem('fs__read_text_file', { file: 'x' })] },
      (req) => {
        const outs = (req.body?.input ?? []).filter((i) => i.type === 'function_call_output').map((i) => String(i.output));
        return streamText(outs.join('\n'), 200, { chunks: 4 });
      },
    );
    const r = await runCli(['look around', ...base(fake.baseUrl, ['--api', 'responses'])]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const text = r.ended?.finalText ?? '';
    assert.match(text, /There is no tool no_such_tool in this run\. Call one of: .*fs__read_text_file/);
    assert.match(text, /arguments of fs__read_text_file are not valid JSON/);
    assert.match(text, /arguments of fs__read_text_file do not match its schema: .*path/);
    assert.equal(ofType(r, 'model-text-delta').length, 4);
    assert.equal(ofType(r, 'tool-decision').length, 0, 'nothing is asked for calls that cannot run');
    assert.equal(prompter.seen.length, 0);
  });

  it('a PAUSE decision stops the run before any tool of that step runs, naming the reason and the peer review', async () => {
    const agent = 'agent-runner-paused';
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${server.url}/v1/tools/call`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'process_agent_update', arguments: { agent_id: agent, operation: `rewrite ${i}`, complexity: 1, confidence: 0.05 } }) });
      const body = (await res.json()) as { result: { governance_decision: { action: string } } };
      if (body.result.governance_decision.action === 'PAUSE') break;
    }
    // The PAUSE above opened a peer review for the agent (automatic review on PAUSE).
    await server.app.dialecticAutoReview.settled();
    // Its first check (complexity 0.3) may still pass; a turn of eight tool calls makes the next one complexity 1.
    const busy = () => ({ content: null, toolCalls: Array.from({ length: 8 }, () => ({ name: 'fs__list_allowed_directories', arguments: {} })) });
    const fake = await chat(chatScript(busy, busy, busy, busy, busy));
    const r = await runCli(['anything', ...base(fake.baseUrl, ['--agent-id', agent, '--max-steps', '5'])]);
    assert.equal(r.code, 3, r.stderr + r.stdout);
    assert.equal(r.ended?.reason, 'paused');
    const paused = ofType(r, 'governance').find((g) => g.action === 'PAUSE');
    assert.ok(paused, 'a PAUSE event');
    assert.match(r.ended?.message ?? '', new RegExp(`Governance paused agent-runner-paused before step ${paused.step}: .+`));
    // The paused step's request went out with the check (and was aborted or discarded): at most one more request.
    assert.ok(fake.requests.length === paused.step - 1 || fake.requests.length === paused.step, `${fake.requests.length} requests for ${paused.step} steps`);
    assert.deepEqual(r.events.filter((e) => 'step' in e && e.step === paused.step && e.type !== 'governance').map((e) => e.type), [], 'nothing of the paused step after the PAUSE');
    assert.match(paused.reviewSessionId ?? '', /\S/, 'the open peer review is named');
    assert.match(r.ended?.message ?? '', /A peer review is open: /);
  });

  it('--max-steps ends a model that keeps calling tools (exit 4)', async () => {
    const loop = () => ({ content: null, toolCalls: [{ name: 'fs__list_allowed_directories', arguments: {} }] });
    const fake = await chat(chatScript(loop, loop, loop));
    const r = await runCli(['loop', ...base(fake.baseUrl, ['--max-steps', '2', '--no-stream'])]);
    assert.equal(r.code, 4, r.stderr + r.stdout);
    assert.match(r.ended?.message ?? '', /after 2 model turns \(--max-steps 2\)/);
    assert.equal(fake.requests.length, 2);
  });

  it('the run deadline ends a model that hangs (exit 5), and a request timeout names --request-timeout-seconds (exit 1)', async () => {
    const fake = await chat(() => 'hang');
    const r = await runCli(['wait', ...base(fake.baseUrl, ['--timeout-seconds', '2'])]);
    assert.equal(r.code, 5, r.stderr + r.stdout);
    assert.match(r.ended?.message ?? '', /deadline of 2 s \(--timeout-seconds\)/);
    assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
    const r2 = await runCli(['wait', ...base(fake.baseUrl, ['--request-timeout-seconds', '1', '--max-retries', '0', '--no-stream'])]);
    assert.equal(r2.code, 1, r2.stderr + r2.stdout);
    assert.match(r2.ended?.message ?? '', /did not answer within 1 s\. Raise --request-timeout-seconds/);
  });

  it('429 with retry-after is retried by the SDK; persistent 429 and 500 end the run naming the status', async () => {
    const ok = await responses(rateLimited(0), replyMessage('after the retry'));
    const r = await runCli(['go', ...base(ok.baseUrl, ['--api', 'responses'])]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(ok.responsesRequests().length, 2);
    const limited = await chat(() => ({ status: 429, message: 'slow down', retryAfterSeconds: 0 }));
    const r429 = await runCli(['go', ...base(limited.baseUrl, ['--max-retries', '1'])]);
    assert.equal(r429.code, 1);
    assert.match(r429.ended?.message ?? '', /rate limiting or out of quota \(HTTP 429: slow down\) \(after 1 retry\)\./);
    assert.equal(limited.requests.length, 2);
    const broken = await responses(httpStatus(500, 'boom'), httpStatus(500, 'boom'));
    const r500 = await runCli(['go', ...base(broken.baseUrl, ['--api', 'responses', '--max-retries', '1'])]);
    assert.equal(r500.code, 1);
    assert.match(r500.ended?.message ?? '', /failed \(HTTP 500: boom\) \(after 1 retry\)\. Try again later\./);
  });

  it('a refusal ends the run refused (exit 6)', async () => {
    const fake = await responses({ kind: 'items', items: [refusalItem('I cannot help with that.')] });
    const r = await runCli(['do something', ...base(fake.baseUrl, ['--api', 'responses'])]);
    assert.equal(r.code, 6, r.stderr + r.stdout);
    assert.match(r.ended?.message ?? '', /The model refused: I cannot help with that\./);
  });

  it('no API key exits 2 naming the variable; a wrong base URL names --base-url; human output by default', async () => {
    const noKey = await runCli(['x', '--server', server.url], { OPENAI_API_KEY: undefined });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /the environment variable OPENAI_API_KEY is not set\. Set OPENAI_API_KEY to your key, or name another variable with --api-key-env/);
    const otherVar = await runCli(['x', '--server', server.url, '--api-key-env', 'MY_MODEL_KEY']);
    assert.equal(otherVar.code, 2);
    assert.match(otherVar.stderr, /MY_MODEL_KEY is not set/);
    const port = await freePort();
    const gone = await runCli(['x', '--server', server.url, '--base-url', `http://127.0.0.1:${port}/v1`, '--max-retries', '0']);
    assert.equal(gone.code, 1, gone.stderr + gone.stdout);
    assert.match(gone.stdout, /^run .* as openai-agent-/m);
    assert.match(gone.stdout, /ended \(error\) after 1 step\(s\): Cannot reach the model at http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\)\. Check --base-url/);
  });

  it('--task-id: the task is claimed and completed with the answer; a failed run releases it to pending', async () => {
    const post = async (taskId: string) =>
      fetch(`${server.url}/v1/tools/call`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'post_task', arguments: { task_id: taskId, description: `Summarize ${taskId}` } }) });
    const task = async (taskId: string) => {
      const res = await fetch(`${server.url}/v1/tools/call`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'list_tasks', arguments: { limit: 100 } }) });
      return ((await res.json()) as { result: { tasks: Array<{ task_id: string; status: string; claimed_by: string | null; result?: string | null }> } }).result.tasks.find((t) => t.task_id === taskId);
    };
    await post('T_AGENT_OK');
    await post('T_AGENT_FAIL');
    const fake = await chat(chatScript((req) => ({ content: `summary of: ${String(req.body.messages?.[1]?.content)}` })));
    const ok = await runCli(['--task-id', 'T_AGENT_OK', ...base(fake.baseUrl)]);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.deepEqual(ok.ended?.task, { taskId: 'T_AGENT_OK', outcome: 'completed' });
    const done = await task('T_AGENT_OK');
    assert.equal(done?.status, 'completed');
    const broken = await chat(() => ({ status: 500, message: 'down' }));
    const failed = await runCli(['--task-id', 'T_AGENT_FAIL', ...base(broken.baseUrl, ['--max-retries', '0'])]);
    assert.equal(failed.code, 1);
    assert.deepEqual(failed.ended?.task, { taskId: 'T_AGENT_FAIL', outcome: 'released' });
    const released = await task('T_AGENT_FAIL');
    assert.equal(released?.status, 'pending');
    assert.equal(released?.claimed_by, null);
  });
});
