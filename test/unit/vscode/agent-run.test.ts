import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { RunApprovals } from '../../../src/agent/approvals';
import { explainModelError } from '../../../src/agent/model-errors';
import { TaskLease } from '../../../src/agent/task-lease';
import type { AgentEvent } from '../../../src/agent/events';
import type { PendingApproval } from '../../../src/approvals/types';
import type { ApprovalAnswer } from '../../../src/approvals/vocabulary';
import { GovernanceClientError, type GovernanceClient } from '../../../src/client/types';
import { InProcessGovernanceClient } from '../../../src/client/in-process';
import { AGENT_PANEL_DENY_REASON, AgentRunPanelHandler, EVENT_BATCH_MS } from '../../../src/vscode/agent-run/panel-handler';
import { AGENT_DEFAULTS, checkBaseUrl, readAgentSettings, VSCODE_OPTION_NAMES } from '../../../src/vscode/agent-run/run-settings';
import { AgentRunSession, AgentRuns } from '../../../src/vscode/agent-run/run-session';
import { sameBundleErrors } from '../../../src/vscode/agent-run/start-run';
import type { AgentRunHostMessage } from '../../../src/webviews/agent-run/protocol';
import { parseAgentRunPageMessage } from '../../../src/webviews/agent-run/schema';
import { startTestServer } from '../../helpers/governance-server';

const RUN = 'run-1';
const at = '2030-01-01T00:00:00.000Z';
const meta = { runId: RUN, agentId: 'openai-agent-run1', model: 'm', baseUrl: 'http://127.0.0.1:1/v1', api: 'chat' as const, taskId: 'T1', prompt: 'Add two numbers\nsecond line', maxSteps: 5 };
const started: AgentEvent = { type: 'run-started', runId: RUN, at, agentId: 'openai-agent-run1', model: 'm', api: 'chat', stream: true, baseUrl: 'http://127.0.0.1:1/v1', server: 'http://127.0.0.1:2', tools: [], skippedServers: [], maxSteps: 5, deadline: at, taskId: 'T1' };
const delta = (d: string, step = 1): AgentEvent => ({ type: 'model-text-delta', runId: RUN, at, step, delta: d });

function pending(id: string, runId: string, source: PendingApproval['source'] = 'openai-agent'): PendingApproval {
  return { id, source, risk: 'medium', requestedAt: at, deadline: Date.now() + 60_000, signal: new AbortController().signal, command: 'tiny/add', details: { run_id: runId, arguments: '{"a":2}' }, reason: 'Now adding' };
}

describe('Agent run panel', () => {
  describe('page messages (schema)', () => {
    it('accepts the protocol and names the bad field', () => {
      assert.deepEqual(parseAgentRunPageMessage({ type: 'ready' }), { type: 'ready' });
      assert.deepEqual(parseAgentRunPageMessage({ type: 'approve', id: 'a1', decision: 'allow_session' }), { type: 'approve', id: 'a1', decision: 'allow_session' });
      assert.deepEqual(parseAgentRunPageMessage({ type: 'rendered', runId: RUN, events: 3, status: 'running', textChars: 10, toolCalls: 1, pending: 0 }).type, 'rendered');
      assert.throws(() => parseAgentRunPageMessage({ type: 'approve', id: 'a1', decision: 'allow_run' }), /Agent run panel: invalid message from the page \(decision:/);
      assert.throws(() => parseAgentRunPageMessage({ type: 'stop', extra: 1 }), /invalid message/);
      assert.throws(() => parseAgentRunPageMessage({ type: 'rendered', runId: RUN, events: -1, status: 's', textChars: 0, toolCalls: 0, pending: 0 }), /events:/);
      assert.throws(() => parseAgentRunPageMessage('ready'), /invalid message/);
    });
  });

  describe('run session', () => {
    it('folds the header from the events and keeps one entry per step of streamed text', () => {
      const run = new AgentRunSession(meta, at);
      assert.equal(run.header().title, 'Add two numbers');
      assert.equal(run.header().status, 'starting');
      run.push(started);
      run.push({ type: 'governance', runId: RUN, at, step: 1, action: 'PROCEED', reason: 'ok' });
      run.push(delta('Hel'));
      run.push(delta('lo'));
      run.push({ type: 'usage', runId: RUN, at, step: 1, model: 'm', inputTokens: 10, outputTokens: 2, cachedInputTokens: 0, costUsd: null, totalInputTokens: 10, totalOutputTokens: 2, totalCostUsd: null });
      const events = run.events();
      assert.deepEqual(events.map((e) => e.type), ['run-started', 'governance', 'model-text-delta', 'usage']);
      assert.equal((events[2] as Extract<AgentEvent, { type: 'model-text-delta' }>).delta, 'Hello');
      assert.deepEqual({ ...run.header(), startedAt: undefined }, { ...run.header(), status: 'running', step: 1, inputTokens: 10, outputTokens: 2, costUsd: null, startedAt: undefined });
      run.push({ type: 'run-ended', runId: RUN, at, reason: 'error', message: 'boom', steps: 1, task: { taskId: 'T1', outcome: 'released' } });
      run.push(delta('late'));
      assert.equal(run.events().length, 5, 'nothing after run-ended');
      assert.equal(run.header().status, 'error');
      assert.equal(run.header().endMessage, 'boom');
      assert.equal(run.stop(), false, 'an ended run cannot be stopped');
    });

    it('Stop aborts the signal once; the window finds runs by id and by task', () => {
      const runs = new AgentRuns();
      let changes = 0;
      runs.onDidChange(() => changes++);
      const run = new AgentRunSession(meta);
      runs.add(run);
      assert.equal(runs.get(RUN), run);
      assert.equal(runs.ofTask('T1'), run);
      assert.equal(runs.ofTask('T2'), undefined);
      run.push(started);
      assert.equal(changes, 2);
      assert.equal(run.stop(), true);
      assert.ok(run.signal.aborted);
      assert.equal(run.stop(), false);
      assert.equal(runs.active().length, 1);
    });
  });

  describe('panel handler', () => {
    function setup(list: PendingApproval[] = []) {
      const runs = new AgentRuns();
      const run = new AgentRunSession(meta);
      runs.add(run);
      const posted: AgentRunHostMessage[] = [];
      const answers: Array<[string, ApprovalAnswer]> = [];
      let onChange: (() => void) | undefined;
      const approvals = {
        list: () => list,
        answer: (id: string, a: ApprovalAnswer) => {
          answers.push([id, a]);
          const i = list.findIndex((p) => p.id === id);
          if (i < 0) return false;
          list.splice(i, 1);
          return true;
        },
        onDidChange: (l: () => void) => ((onChange = l), { dispose: () => (onChange = undefined) }),
      };
      const titles: string[] = [];
      const handler = new AgentRunPanelHandler(RUN, { runs, post: (m) => posted.push(m), approvals, onTitle: (t) => titles.push(t) });
      return { run, handler, posted, answers, titles, changed: () => onChange?.() };
    }

    it('answers ready with the whole run, then batches new events into one message', async () => {
      const { run, handler, posted, titles } = setup([pending('a1', RUN), pending('other', 'run-2'), pending('codex', RUN, 'codex-exec')]);
      run.push(started);
      run.push(delta('Hel'));
      await handler.handle({ type: 'ready' });
      const snap = posted[0] as Extract<AgentRunHostMessage, { type: 'snapshot' }>;
      assert.equal(snap.type, 'snapshot');
      assert.equal(snap.events.length, 2);
      assert.deepEqual(snap.pending.map((p) => p.id), ['a1'], 'only this run\'s openai-agent approvals');
      assert.deepEqual(snap.pending[0], { id: 'a1', tool: 'tiny/add', risk: 'medium', deadline: snap.pending[0]!.deadline, arguments: '{"a":2}', reason: 'Now adding' });
      assert.deepEqual(titles, ['Agent: Add two numbers']);
      run.push(delta('lo'));
      run.push(delta(' world'));
      assert.equal(posted.length, 1);
      await new Promise((r) => setTimeout(r, EVENT_BATCH_MS * 4));
      const batch = posted[1] as Extract<AgentRunHostMessage, { type: 'events' }>;
      assert.equal(batch.type, 'events');
      assert.equal(batch.events.length, 2);
      run.push({ type: 'run-ended', runId: RUN, at, reason: 'done', message: 'ok', steps: 1 });
      await new Promise((r) => setTimeout(r, EVENT_BATCH_MS * 4));
      assert.equal((posted[2] as Extract<AgentRunHostMessage, { type: 'events' }>).header.status, 'done');
      assert.equal(titles.at(-1), 'Agent (done): Add two numbers');
      handler.dispose();
    });

    it('answers this run\'s approvals with the person\'s words on a denial, and refuses others', async () => {
      const { handler, posted, answers } = setup([pending('a1', RUN), pending('a2', RUN), pending('other', 'run-2')]);
      await handler.handle({ type: 'ready' });
      await handler.handle({ type: 'approve', id: 'a1', decision: 'allow_once' });
      await handler.handle({ type: 'approve', id: 'a2', decision: 'deny' });
      await handler.handle({ type: 'approve', id: 'other', decision: 'allow_once' });
      assert.deepEqual(answers, [
        ['a1', { decision: 'allow_once' }],
        ['a2', { decision: 'deny', reason: AGENT_PANEL_DENY_REASON }],
      ]);
      const refused = posted.find((m) => m.type === 'action' && m.error);
      assert.match(JSON.stringify(refused), /no longer open/);
      handler.dispose();
    });

    it('Stop aborts the run; a run not in this window and a bad message are reported on the page', async () => {
      const { run, handler, posted } = setup();
      await handler.handle({ type: 'stop' });
      assert.ok(run.signal.aborted);
      assert.match(JSON.stringify(posted.at(-1)), /Stopping/);
      const lost: AgentRunHostMessage[] = [];
      const orphan = new AgentRunPanelHandler('gone', { runs: new AgentRuns(), post: (m) => lost.push(m) });
      await orphan.handle({ type: 'ready', runId: 'gone' });
      assert.match(JSON.stringify(lost[0]), /not in this window/);
      await orphan.handle({ type: 'approve' });
      assert.match(JSON.stringify(lost[1]), /invalid message/);
      handler.dispose();
      orphan.dispose();
    });

    it('keeps the page\'s render reports for the show commands', async () => {
      const { handler } = setup();
      const next = handler.nextRender(5000);
      await handler.handle({ type: 'rendered', runId: RUN, events: 4, status: 'running', textChars: 12, toolCalls: 1, pending: 1 });
      assert.deepEqual(await next, { runId: RUN, events: 4, status: 'running', textChars: 12, toolCalls: 1, pending: 1, renders: 1 });
      assert.equal(handler.lastRender()?.renders, 1);
      handler.dispose();
    });
  });

  describe('settings and messages', () => {
    it('reads the settings with defaults and names a bad one', () => {
      assert.deepEqual(readAgentSettings(() => undefined), AGENT_DEFAULTS);
      const values: Record<string, unknown> = { model: ' gpt-x ', baseUrl: 'http://127.0.0.1:9/v1/', api: 'responses', maxSteps: 3, maxRetries: 0 };
      const s = readAgentSettings((k) => values[k]);
      assert.equal(s.model, 'gpt-x');
      assert.equal(s.baseUrl, 'http://127.0.0.1:9/v1');
      assert.equal(s.api, 'responses');
      assert.throws(() => readAgentSettings((k) => (k === 'api' ? 'completions' : undefined)), /codexGovernance\.agents\.api must be "chat" or "responses"/);
      assert.throws(() => readAgentSettings((k) => (k === 'maxSteps' ? 0 : undefined)), /codexGovernance\.agents\.maxSteps must be an integer from 1 to 1000/);
      assert.throws(() => readAgentSettings((k) => (k === 'timeoutSeconds' ? -1 : undefined)), /codexGovernance\.agents\.timeoutSeconds/);
      assert.throws(() => checkBaseUrl('api.openai.com/v1'), /not an http\(s\) URL\. Set codexGovernance\.agents\.baseUrl/);
      assert.throws(() => checkBaseUrl('file:///etc'), /not an http\(s\) URL/);
    });

    it('names the settings and commands of VS Code in the runner\'s messages, never a CLI flag', async () => {
      const ctx = { baseUrl: 'http://x/v1', model: 'gpt', requestTimeoutSeconds: 20, maxRetries: 0 };
      const explain = (err: unknown) => explainModelError(err, ctx, VSCODE_OPTION_NAMES).message;
      const refused = new OpenAI.APIConnectionError({ cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
      assert.equal(explain(refused), 'Cannot reach the model at http://x/v1 (ECONNREFUSED). Check the setting codexGovernance.agents.baseUrl (e.g. https://api.openai.com/v1) and that the server is running.');
      const http = (status: number) => OpenAI.APIError.generate(status, { error: { message: 'said' } }, undefined, new Headers());
      assert.match(explain(http(401)), /refused the API key from the key stored by "Codex Governance: Set OpenAI API Key" \(HTTP 401: said\)\. Run "Codex Governance: Set OpenAI API Key" with a valid key\.$/);
      assert.match(explain(new OpenAI.APIConnectionTimeoutError()), /within 20 s\. Raise the setting codexGovernance\.agents\.requestTimeoutSeconds/);
      assert.match(explain(http(404)), /that the setting codexGovernance\.agents\.model \(gpt\) is a model it serves and that the setting codexGovernance\.agents\.api is an API it offers\.$/);
      for (const err of [refused, new OpenAI.APIConnectionTimeoutError(), ...[400, 401, 403, 404, 429, 500, 418].map(http)]) assert.doesNotMatch(explain(err), /--|OPENAI_API_KEY/);
      for (const [key, words] of Object.entries(VSCODE_OPTION_NAMES)) assert.doesNotMatch(String(words), /--|codex-governance /, key);
      // The task lease and an approval the server cannot answer, with VS Code's words.
      const down = { url: 'http://127.0.0.1:1', callTool: () => Promise.reject(new GovernanceClientError('unreachable', 'down')) } as unknown as GovernanceClient;
      await assert.rejects(TaskLease.claim(down, 'T1', 'a', 60, VSCODE_OPTION_NAMES), (err: Error) => err.message === 'Cannot claim task T1 as a (unreachable: down). Pick a pending task (the Tasks view).');
      const tool = { name: 'box__put', server: 'box', tool: 'put', description: '', parameters: {}, annotations: {}, kind: 'mcp' as const, call: () => Promise.resolve({ ok: true, text: '' }) };
      const verdict = await new RunApprovals(down, { runId: 'r', agentId: 'a' }, VSCODE_OPTION_NAMES).decide(tool, {}, 1000);
      assert.match(verdict.reason ?? '', /could not be asked for approval \(unreachable: down\)\. Check that the governance server is running \(Codex Governance: Start Server\)\.$/);
    });

    it('gives the runner client errors of its own bundle, by shape', async () => {
      const srv = await startTestServer();
      const client = new InProcessGovernanceClient(srv.url, srv.server.app);
      try {
        const wrapped = sameBundleErrors(client);
        assert.equal(wrapped.url, client.url);
        assert.ok((await wrapped.listTools()).some((t) => t.name === 'list_tasks'));
        await assert.rejects(wrapped.callTool('claim_task', { task_id: 'NOPE', agent_id: 'a' }), (err: unknown) => err instanceof GovernanceClientError && err.code === 'not_found');
        // A client error of another copy of the class (the extension bundle's) becomes this one's.
        class GovernanceClientErrorElsewhere extends Error {
          readonly code = 'unreachable';
          override readonly name = 'GovernanceClientError';
        }
        const foreign = sameBundleErrors(Object.assign(Object.create(client) as InProcessGovernanceClient, { listTools: () => Promise.reject(new GovernanceClientErrorElsewhere('down')) }));
        await assert.rejects(foreign.listTools(), (err: unknown) => err instanceof GovernanceClientError && err.code === 'unreachable' && err.message === 'down');
      } finally {
        client.dispose();
        await srv.stop();
      }
    });
  });
});
