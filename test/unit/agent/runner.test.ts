/**
 * The runner's loop over the in-process governance client (as VS Code runs it) and a real server
 * (real SQLite, the approval broker with a scripted person), against the fake Chat Completions API.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { AgentEvent } from '../../../src/agent/events';
import { RunApprovals } from '../../../src/agent/approvals';
import { runAgent, type AgentRunOptions } from '../../../src/agent/runner';
import type { AgentTool } from '../../../src/agent/tool-set';
import { ScriptedPrompter } from '../../../src/approvals/prompters';
import { HttpGovernanceClient } from '../../../src/client/http';
import { InProcessGovernanceClient } from '../../../src/client/in-process';
import type { RunningGovernanceServer } from '../../../src/server/api';
import { startGovernanceServer } from '../../../src/server/server';
import { VSCODE_OPTION_NAMES } from '../../../src/vscode/agent-run/run-settings';
import { chatScript, startFakeChatCompletions, type FakeChatCompletions, type FakeChatOptions } from '../../fakes/fake-chat-completions';

describe('agent runner (in-process governance client, real server, fake model)', function () {
  this.timeout(60_000);
  let dir: string;
  let server: RunningGovernanceServer;
  let client: InProcessGovernanceClient;
  let prompter: ScriptedPrompter;
  let fake: FakeChatCompletions | undefined;
  let calls: Array<Record<string, unknown>>;

  const writer: AgentTool = {
    name: 'box__put',
    server: 'box',
    tool: 'put',
    description: 'Puts a value in the box.',
    parameters: { type: 'object', properties: { value: { type: 'string' } }, required: ['value'], additionalProperties: false },
    annotations: { destructiveHint: true, openWorldHint: false },
    kind: 'mcp',
    call: (args) => {
      calls.push(args);
      return Promise.resolve({ ok: true, text: `stored ${String(args.value)}` });
    },
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cg-agent-unit-'));
    prompter = new ScriptedPrompter([]);
    server = await startGovernanceServer({ port: 0, dataDir: dir, token: 'agent-unit-token-0123456789', hostKind: 'test', rateLimitPerMinute: 1e6, approvals: { prompter } });
    client = new InProcessGovernanceClient(server.url, server.app);
  });
  beforeEach(() => {
    calls = [];
    prompter.seen.length = 0;
  });
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  after(async () => {
    client.dispose();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(reply: FakeChatOptions['reply'], more: Partial<AgentRunOptions> = {}): Promise<{ events: AgentEvent[]; ended: Extract<AgentEvent, { type: 'run-ended' }> }> {
    await fake?.close(); // a test may run twice; each run gets its own model
    fake = await startFakeChatCompletions({ reply });
    const events: AgentEvent[] = [];
    const ended = await runAgent({
      client,
      openai: new OpenAI({ apiKey: 'sk-unit', baseURL: fake.baseUrl, maxRetries: 0, timeout: 10_000 }),
      api: 'chat',
      model: 'gpt-unit',
      stream: false,
      prompt: 'use the box',
      agentId: 'unit-agent',
      maxSteps: 5,
      timeoutMs: 30_000,
      extraTools: [writer],
      onEvent: (e) => events.push(e),
      errorContext: { baseUrl: fake.baseUrl, model: 'gpt-unit', requestTimeoutSeconds: 10, maxRetries: 0 },
      ...more,
    });
    return { events, ended };
  }

  it('emits run-started first and run-ended last; an allow for the run is remembered for this run only', async () => {
    const put = (value: string) => ({ content: null, toolCalls: [{ name: 'box__put', arguments: { value } }] });
    prompter = new ScriptedPrompter([{ decision: 'allow_session' }, { decision: 'allow_once' }]);
    server.app.approvals.setPrompter(prompter);
    const first = await run(chatScript(put('a'), put('b'), { content: 'ok' }));
    assert.equal(first.events[0]?.type, 'run-started');
    assert.equal(first.events.at(-1), first.ended);
    assert.equal(first.ended.reason, 'done');
    assert.deepEqual(calls, [{ value: 'a' }, { value: 'b' }]);
    assert.equal(prompter.seen.length, 1);
    assert.equal(prompter.seen[0]?.source, 'openai-agent');
    assert.equal(prompter.seen[0]?.agentId, 'unit-agent');
    assert.equal(prompter.seen[0]?.details?.arguments, '{"value":"a"}');
    // A new run asks again: the grant belonged to the first run.
    await run(chatScript(put('c'), { content: 'ok' }));
    assert.equal(prompter.seen.length, 2);
  });

  it('stops before the model is asked when the governance server cannot be reached (fail closed)', async () => {
    const dead = new HttpGovernanceClient('http://127.0.0.1:1', () => Promise.resolve('x'), { timeoutMs: 500 });
    const { events, ended } = await run(chatScript({ content: null, toolCalls: [{ name: 'box__put', arguments: { value: 'z' } }] }), { client: dead });
    assert.equal(ended.reason, 'error');
    assert.match(ended.message, /The governance server at http:\/\/127\.0\.0\.1:1 failed \(unreachable\)/);
    assert.deepEqual(calls, []);
    assert.ok(!events.some((e) => e.type === 'model-turn'));
  });

  it('an approval the server cannot answer is a denial (unreachable), naming the server', async () => {
    const dead = new HttpGovernanceClient('http://127.0.0.1:1', () => Promise.resolve('x'), { timeoutMs: 500 });
    const verdict = await new RunApprovals(dead, { runId: 'r', agentId: 'a' }).decide(writer, { value: 'v' }, 1000);
    assert.equal(verdict.decision, 'deny');
    assert.equal(verdict.decidedBy, 'unreachable');
    assert.match(verdict.reason ?? '', /Denied \(fail closed\): the governance server at http:\/\/127\.0\.0\.1:1 could not be asked/);
  });

  it('aborting the run ends it aborted and releases its task back to pending', async () => {
    await client.callTool('post_task', { task_id: 'T_UNIT_ABORT', description: 'Wait forever' });
    const ac = new AbortController();
    const { ended } = await run(
      () => {
        setTimeout(() => ac.abort(), 50);
        return 'hang';
      },
      { taskId: 'T_UNIT_ABORT', prompt: undefined, signal: ac.signal },
    );
    assert.equal(ended.reason, 'aborted');
    assert.deepEqual(ended.task, { taskId: 'T_UNIT_ABORT', outcome: 'released' });
    const tasks = await client.callTool('list_tasks', { limit: 100 });
    const t = tasks.tasks.find((x) => x.task_id === 'T_UNIT_ABORT');
    assert.equal(t?.status, 'pending');
  });

  it('governance off (the benchmark floor): no checks, no approvals, no governance tools', async () => {
    const { events, ended } = await run(chatScript({ content: null, toolCalls: [{ name: 'box__put', arguments: { value: 'free' } }] }, { content: 'ok' }), { governance: false });
    assert.equal(ended.reason, 'done');
    assert.deepEqual(calls, [{ value: 'free' }]);
    assert.ok(!events.some((e) => e.type === 'governance'));
    const started = events[0];
    assert.ok(started?.type === 'run-started' && started.tools.every((t) => t.server === 'box'));
    assert.equal(prompter.seen.length, 0);
  });

  it('names the caller\'s options: the CLI\'s flags by default, VS Code\'s settings when it passes them', async () => {
    const healthCheck = () => ({ content: null, toolCalls: [{ name: 'health_check', arguments: {} }] });
    const cli = await run(chatScript(healthCheck()), { maxSteps: 1 });
    assert.equal(cli.ended.reason, 'max_steps', cli.ended.message);
    assert.equal(cli.ended.message, 'Stopped after 1 model turns (--max-steps 1) with the work unfinished; raise --max-steps to let it go on.');
    const vscode = await run(chatScript(healthCheck()), { maxSteps: 1, names: VSCODE_OPTION_NAMES });
    assert.equal(vscode.ended.message, 'Stopped after 1 model turns (the setting codexGovernance.agents.maxSteps 1) with the work unfinished; raise the setting codexGovernance.agents.maxSteps to let it go on.');
    const rejected = await run(chatScript({ status: 404, message: 'The model `gpt-unit` does not exist' }), { names: VSCODE_OPTION_NAMES });
    assert.equal(rejected.ended.reason, 'error');
    assert.equal(
      rejected.ended.message,
      `${fake?.baseUrl}/chat/completions answered (HTTP 404: The model \`gpt-unit\` does not exist). Check that the setting codexGovernance.agents.baseUrl is an OpenAI-compatible API root (e.g. https://api.openai.com/v1), that the setting codexGovernance.agents.model (gpt-unit) is a model it serves and that the setting codexGovernance.agents.api is an API it offers.`,
    );
    assert.doesNotMatch(rejected.ended.message, /--/);
  });

  /** The in-process client with `process_agent_update` held back `delayMs`, logging when it starts and answers. */
  function slowCheck(log: string[], delayMs: number): InProcessGovernanceClient {
    const callTool = client.callTool.bind(client);
    return new Proxy(client, {
      get(target, key) {
        if (key !== 'callTool') {
          const v: unknown = Reflect.get(target, key, target);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        }
        const slow: typeof callTool = async (name, args, options) => {
          if (name !== 'process_agent_update') return callTool(name, args, options);
          log.push('check');
          await new Promise((r) => setTimeout(r, delayMs));
          const answer = await callTool(name, args, options);
          log.push(`decision ${(answer as { governance_decision: { action: string } }).governance_decision.action}`);
          return answer;
        };
        return slow;
      },
    });
  }

  it('sends the model request while the governance check is in flight and acts on the answer only after the decision', async () => {
    const log: string[] = [];
    prompter = new ScriptedPrompter([{ decision: 'allow_session' }]);
    server.app.approvals.setPrompter(prompter);
    const tracked: AgentTool = { ...writer, call: (args, signal) => (log.push('tool'), writer.call(args, signal)) };
    const answer = (text: string, tool: boolean) => () => (log.push('model request'), { content: text, ...(tool ? { toolCalls: [{ name: 'box__put', arguments: { value: text } }] } : {}) });
    const { events, ended } = await run(chatScript(answer('first step', true), answer('all done now', false)), { client: slowCheck(log, 300), stream: true, extraTools: [tracked] });
    assert.equal(ended.reason, 'done', ended.message);
    assert.deepEqual(log, ['check', 'model request', 'decision PROCEED', 'tool', 'check', 'model request', 'decision PROCEED']);
    // Documented order per step: governance, then the held deltas, then the turn.
    for (const step of [1, 2]) {
      const kinds = events.filter((e) => 'step' in e && e.step === step).map((e) => e.type);
      assert.equal(kinds[0], 'governance', `step ${step}: ${kinds.join(', ')}`);
      assert.ok(kinds.indexOf('model-text-delta') > 0 && kinds.lastIndexOf('model-text-delta') < kinds.indexOf('model-turn'), kinds.join(', '));
    }
    const deltas = events.flatMap((e) => (e.type === 'model-text-delta' && e.step === 2 ? [e.delta] : []));
    assert.equal(deltas.join(''), 'all done now');
  });

  it('a PAUSE discards the answer already requested: no tool runs, no turn or delta is reported', async () => {
    const agent = 'unit-agent-paused';
    let paused = false;
    for (let i = 0; i < 60 && !paused; i++) {
      const r = await client.callTool('process_agent_update', { agent_id: agent, operation: `rewrite ${i}`, complexity: 1, confidence: 0.05 });
      paused = r.governance_decision.action === 'PAUSE';
    }
    assert.ok(paused, 'the agent is driven to PAUSE');
    const log: string[] = [];
    // Eight writes a turn push the next check to complexity 1, should the first one still pass.
    const busy = () => (log.push('model request'), { content: 'about to write', toolCalls: Array.from({ length: 8 }, (_, k) => ({ name: 'box__put', arguments: { value: `v${k}` } })) });
    prompter = new ScriptedPrompter([{ decision: 'allow_session' }]);
    server.app.approvals.setPrompter(prompter);
    const { events, ended } = await run(chatScript(busy, busy, busy, busy, busy), { client: slowCheck(log, 200), agentId: agent, stream: true });
    assert.equal(ended.reason, 'paused', ended.message);
    const pause = events.find((e) => e.type === 'governance' && e.action === 'PAUSE');
    assert.ok(pause && pause.type === 'governance');
    assert.equal(fake?.requests.length, pause.step, 'the paused step\'s request had gone out (the check was slower)');
    assert.equal(log.at(-1), 'decision PAUSE');
    const after = events.filter((e) => 'step' in e && e.step === pause.step && e !== pause);
    assert.deepEqual(after.map((e) => e.type), [], 'nothing of the discarded answer is reported');
    assert.equal(calls.length, 8 * (pause.step - 1), 'no tool of the paused step ran');
  });
});
