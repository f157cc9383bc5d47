/**
 * Proves the fake Responses API server drives the real Codex binaries: `codex mcp-server` 0.153.4
 * through the SDK `Client`, `codex app-server` of 0.169.0 and the current Codex through JSON-RPC
 * lines, including Codex calling a bearer-protected MCP server listed in its config.toml.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { liveTreePids } from '../../src/supervisor/process';
import { killAllSpawned } from '../fakes/child-process';
import { createCodexHome, fakeProviderConfig, FAKE_MODEL, type CodexHome } from '../fakes/codex-home';
import { codexBinaries, codexMatrix, startCodexAppServer, startCodexMcpServer, type CodexMcpServer } from '../fakes/codex-processes';
import {
  delayed,
  functionCallOutput,
  hang,
  httpStatus,
  mcpNamespace,
  messageItem,
  replyExec,
  replyMessage,
  scriptMcpToolCall,
  startFakeModelServer,
  toolNames,
  userTexts,
  type FakeModelServer,
} from '../fakes/fake-model-server';
import { startTinyMcpServer, type TinyMcpServer } from '../fakes/tiny-mcp-server';
import { z } from 'zod';

const bins = codexBinaries();

/** Collects fakes, homes and processes of one test and ends them all afterwards. */
class Resources {
  private readonly closers: Array<() => Promise<void>> = [];
  add<T extends { close(): Promise<void> } | { cleanup(): Promise<void> }>(r: T): T {
    this.closers.push(() => ('close' in r ? r.close() : r.cleanup()));
    return r;
  }
  async closeAll(): Promise<void> {
    for (const c of this.closers.splice(0).reverse()) await c().catch(() => undefined);
  }
}

function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

async function readSse(res: Response): Promise<Array<{ event: string; data: Record<string, unknown> }>> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>;
      return { event, data };
    });
}

const postResponses = (fake: FakeModelServer, body: unknown, signal?: AbortSignal) =>
  fetch(`${fake.baseUrl}/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });

describe('fake model server (HTTP contract)', function () {
  const res = new Resources();
  afterEach(() => res.closeAll());

  it('streams created, added/done per item and completed with usage, and records the request', async () => {
    const fake = res.add(await startFakeModelServer({ script: [{ kind: 'items', items: [messageItem('one')], usage: { input_tokens: 7, output_tokens: 3, cached_input_tokens: 2 } }] }));
    const r = await postResponses(fake, { model: 'm', instructions: 'be brief', input: [], tools: [{ type: 'function', name: 'f' }], stream: true });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
    const events = await readSse(r);
    assert.deepEqual(
      events.map((e) => e.event),
      ['response.created', 'response.output_item.added', 'response.output_item.done', 'response.completed'],
    );
    const done = events[2]?.data as { output_index: number; item: { type: string; content: Array<{ text: string }> } };
    assert.equal(done.output_index, 0);
    assert.equal(done.item.content[0]?.text, 'one');
    const usage = (events[3]?.data.response as { usage: Record<string, unknown> }).usage;
    assert.deepEqual(usage, { input_tokens: 7, input_tokens_details: { cached_tokens: 2 }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 10 });
    assert.equal(fake.requests.length, 1);
    assert.equal(fake.requests[0]?.body?.instructions, 'be brief');
    assert.deepEqual(toolNames(fake.requests[0]), ['f']);
  });

  it('answers scripted HTTP errors, delays, and a clear 400 once the script is used up', async () => {
    const fake = res.add(await startFakeModelServer({ script: [httpStatus(401, 'bad key'), delayed(300, httpStatus(500))] }));
    const r1 = await postResponses(fake, { stream: true });
    assert.equal(r1.status, 401);
    assert.equal(((await r1.json()) as { error: { message: string } }).error.message, 'bad key');
    const t0 = performance.now();
    const r2 = await postResponses(fake, { stream: true });
    assert.equal(r2.status, 500);
    assert.ok(performance.now() - t0 >= 280, 'the delay was applied');
    const r3 = await postResponses(fake, { stream: true });
    assert.equal(r3.status, 400);
    assert.match(((await r3.json()) as { error: { message: string } }).error.message, /no scripted turn left for request #2/);
    const other = await fetch(`${fake.baseUrl}/models`);
    assert.equal(other.status, 404);
    assert.equal(fake.responsesRequests().length, 3);
  });

  it('hangs on request until closed, and close() ends the hanging request', async () => {
    const fake = await startFakeModelServer({ script: [hang()] });
    const pending = postResponses(fake, { stream: true });
    await fake.waitForRequests(1, 5000);
    const raced = await Promise.race([pending.then(() => 'answered'), new Promise((r) => setTimeout(() => r('still waiting'), 300))]);
    assert.equal(raced, 'still waiting');
    await fake.close();
    await assert.rejects(pending.then((r) => r.text()));
  });
});

describe('codex mcp-server 0.153.4 against the fake model', function () {
  const res = new Resources();
  afterEach(() => res.closeAll());
  after(() => killAllSpawned());

  async function setup(script: Parameters<typeof startFakeModelServer>[0], homeOpts: Partial<Parameters<typeof createCodexHome>[0]> = {}): Promise<{ fake: FakeModelServer; home: CodexHome; codex: CodexMcpServer }> {
    const fake = res.add(await startFakeModelServer(script));
    const home = res.add(await createCodexHome({ modelBaseUrl: fake.baseUrl, ...homeOpts }));
    const codex = res.add(await startCodexMcpServer(bins.legacy, home));
    return { fake, home, codex };
  }

  it('returns the scripted message, and codex-reply continues the same thread', async () => {
    const { fake, home, codex } = await setup({ script: [replyMessage('first answer'), replyMessage('second answer')] });
    const first = (await codex.client.callTool({ name: 'codex', arguments: { prompt: 'first question', cwd: home.workDir } })) as CallToolResult;
    assert.ok(!first.isError, textOf(first));
    assert.equal(textOf(first), 'first answer');
    const sc = first.structuredContent as { threadId: string; content: string };
    assert.equal(sc.content, 'first answer');
    assert.match(sc.threadId, /^[0-9a-f-]{36}$/);

    const second = (await codex.client.callTool({ name: 'codex-reply', arguments: { threadId: sc.threadId, prompt: 'second question' } })) as CallToolResult;
    assert.ok(!second.isError, textOf(second));
    assert.deepEqual(second.structuredContent, { threadId: sc.threadId, content: 'second answer' });

    const sent = fake.responsesRequests();
    assert.equal(sent.length, 2);
    const secondTexts = userTexts(sent[1]!);
    assert.ok(secondTexts.includes('first question') && secondTexts.includes('second question'), `the second request carries the thread's history: ${secondTexts.join(' | ')}`);
    assert.ok(JSON.stringify(sent[1]?.body?.input).includes('first answer'));
    assert.equal(sent[0]?.body?.model, FAKE_MODEL);
    assert.equal(sent[0]?.body?.stream, true);
    assert.ok((sent[0]?.body?.instructions ?? '').length > 0, 'Codex sent its instructions');
    assert.ok(toolNames(sent[0]).includes('exec_command'));
  });

  it('takes the provider from the tool `config` argument when config.toml has none', async () => {
    const fake = res.add(await startFakeModelServer({ script: [replyMessage('via config argument')] }));
    const home = res.add(await createCodexHome({ modelBaseUrl: fake.baseUrl, writeProvider: false }));
    const codex = res.add(await startCodexMcpServer(bins.legacy, home));
    const result = (await codex.client.callTool({ name: 'codex', arguments: { prompt: 'hi', cwd: home.workDir, config: fakeProviderConfig(fake.baseUrl) } })) as CallToolResult;
    assert.equal(textOf(result), 'via config argument');
    assert.equal(fake.responsesRequests().length, 1);
  });

  it('runs a scripted exec_command and feeds its output back to the model', async () => {
    const { fake, home, codex } = await setup({ script: [replyExec('echo fake-model-$((40+2))'), (req) => replyMessage(`saw: ${functionCallOutput(req) ?? 'nothing'}`)] });
    const result = (await codex.client.callTool({ name: 'codex', arguments: { prompt: 'run it', cwd: home.workDir, sandbox: 'danger-full-access', 'approval-policy': 'never' } })) as CallToolResult;
    assert.match(textOf(result), /^saw: .*fake-model-42/s);
    const last = fake.responsesRequests()[1]?.body?.input?.at(-1);
    assert.equal(last?.type, 'function_call_output');
  });

  it('calls a bearer-protected MCP server from config.toml with the scripted arguments', async () => {
    const token = 'test-token-4f1c9a';
    const mcp: TinyMcpServer = res.add(await startTinyMcpServer({ token }));
    const { fake, home, codex } = await setup(
      { script: [scriptMcpToolCall('gov', 'add', { a: 2, b: 40 }), (req) => replyMessage(`tool said ${functionCallOutput(req) ?? 'nothing'}`)] },
      { mcpServers: { gov: { url: mcp.url, bearerTokenEnvVar: 'GOV_TEST_TOKEN', bearerToken: token, defaultToolsApprovalMode: 'approve' } } },
    );
    const result = (await codex.client.callTool({ name: 'codex', arguments: { prompt: 'add', cwd: home.workDir, 'approval-policy': 'never' } })) as CallToolResult;
    assert.ok(!result.isError, textOf(result));
    const call = await mcp.waitForCall('add', 1000);
    assert.deepEqual(call.args, { a: 2, b: 40 });
    assert.equal(call.authorization, `Bearer ${token}`);
    assert.equal(mcp.rejectedRequests(), 0);
    assert.match(textOf(result), /tool said .*42/s);
    // Codex offered the server's tools under one namespace entry.
    const ns = fake.responsesRequests()[0]?.body?.tools?.find((t) => t.name === mcpNamespace('gov'));
    assert.equal(ns?.type, 'namespace');
  });

  it('without an approval mode, refuses the MCP call under approval policy never (the tool is not reached)', async () => {
    const token = 'test-token-0b7d';
    const mcp = res.add(await startTinyMcpServer({ token }));
    const { home, codex } = await setup(
      { script: [scriptMcpToolCall('gov', 'echo', { text: 'x' }), (req) => replyMessage(functionCallOutput(req) ?? 'nothing')] },
      { mcpServers: { gov: { url: mcp.url, bearerTokenEnvVar: 'GOV_TEST_TOKEN', bearerToken: token } } },
    );
    const result = (await codex.client.callTool({ name: 'codex', arguments: { prompt: 'x', cwd: home.workDir, 'approval-policy': 'never' } })) as CallToolResult;
    assert.match(textOf(result), /requires approval/);
    assert.deepEqual(mcp.calls, []);
  });

  it('asks the client through elicitation/create for an escalated command; a denial keeps it from running', async () => {
    const fake = res.add(await startFakeModelServer());
    const home = res.add(await createCodexHome({ modelBaseUrl: fake.baseUrl }));
    const target = join(home.root, 'escalated.txt');
    fake.enqueue(replyExec(`touch ${target}`, { escalateWithJustification: 'needs to write outside the workspace' }), (req) => replyMessage(functionCallOutput(req) ?? 'nothing'));
    const codex = res.add(await startCodexMcpServer(bins.legacy, home, { capabilities: { elicitation: {} } }));
    const asked: Array<Record<string, unknown>> = [];
    // A passthrough schema keeps Codex's codex_* fields, which the SDK's ElicitRequestSchema strips.
    codex.client.setRequestHandler(z.object({ method: z.literal('elicitation/create'), params: z.looseObject({}) }), (req) => {
      asked.push(req.params);
      return { action: 'decline', decision: { denied: { rejection: 'not in tests' } } };
    });
    const result = (await codex.client.callTool({ name: 'codex', arguments: { prompt: 'x', cwd: home.workDir, 'approval-policy': 'on-request' } })) as CallToolResult;
    assert.equal(asked.length, 1);
    assert.equal(asked[0]?.codex_elicitation, 'exec-approval');
    assert.deepEqual((asked[0]?.codex_command as string[]).at(-1), `touch ${target}`);
    assert.equal(existsSync(target), false);
    assert.match(textOf(result), /not in tests/);
  });

  it('fails the call at once on HTTP 400 from the model', async () => {
    const { home, codex } = await setup({ script: [httpStatus(400, 'scripted bad request')] });
    const t0 = performance.now();
    const result = (await codex.client.callTool({ name: 'codex', arguments: { prompt: 'x', cwd: home.workDir } })) as CallToolResult;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /scripted bad request/);
    assert.ok(performance.now() - t0 < 10_000);
  });

  it('stays waiting while the model hangs, and killing it leaves no process behind', async () => {
    const { fake, home, codex } = await setup({ script: [hang()] });
    const call = codex.client.callTool({ name: 'codex', arguments: { prompt: 'x', cwd: home.workDir } }, undefined, { timeout: 60_000 });
    call.catch(() => undefined);
    await fake.waitForRequests(1, 20_000);
    const raced = await Promise.race([call.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 1000))]);
    assert.equal(raced, 'waiting');
    await codex.close();
    assert.deepEqual(await liveTreePids(codex.proc.pid), []);
  });
});

for (const { version, path: appServerBinary } of codexMatrix().filter((c) => c.backend === 'app-server')) describe(`codex app-server ${version} against the fake model`, function () {
  const res = new Resources();
  afterEach(() => res.closeAll());
  after(() => killAllSpawned());

  interface Item {
    type: string;
    text?: string;
    status?: string;
  }

  it('initialize -> thread/start -> turn/start delivers the scripted agent message', async () => {
    const fake = res.add(await startFakeModelServer({ script: [replyMessage('hello from the fake model', { input_tokens: 1234, output_tokens: 56 })] }));
    const home = res.add(await createCodexHome({ modelBaseUrl: fake.baseUrl }));
    const app = res.add(await startCodexAppServer(appServerBinary, home));
    assert.equal(app.initializeResult.codexHome, home.codexHome);

    const { thread } = await app.rpc.request<{ thread: { id: string; model: string; modelProvider: string } }>('thread/start', { cwd: home.workDir, sandbox: 'read-only', approvalPolicy: 'never' });
    assert.equal(thread.model, FAKE_MODEL);
    const { turn } = await app.rpc.request<{ turn: { id: string; status: string } }>('turn/start', { threadId: thread.id, input: [{ type: 'text', text: 'say hello' }] });
    assert.equal(turn.status, 'inProgress');

    const message = await app.rpc.waitForNotification((n) => n.method === 'item/completed' && (n.params as { item: Item }).item.type === 'agentMessage');
    assert.equal((message.params as { item: Item }).item.text, 'hello from the fake model');
    const completed = await app.rpc.waitForNotification((n) => n.method === 'turn/completed');
    const done = (completed.params as { turn: { id: string; status: string; items: Item[] } }).turn;
    assert.equal(done.id, turn.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(userTexts(fake.responsesRequests()[0]!).filter((t) => t === 'say hello'), ['say hello']);
    assert.deepEqual(app.rpc.badLines, [], 'stdout carried only JSON-RPC');
    const usage = await app.rpc.waitForNotification((n) => n.method === 'thread/tokenUsage/updated');
    assert.deepEqual((usage.params as { tokenUsage: { last: { inputTokens: number; outputTokens: number } } }).tokenUsage.last, {
      totalTokens: 1290,
      inputTokens: 1234,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      outputTokens: 56,
      reasoningOutputTokens: 0,
    });
  });

  it('asks requestApproval with the model\'s justification for an escalated command and runs it once accepted', async () => {
    const fake = res.add(await startFakeModelServer());
    const home = res.add(await createCodexHome({ modelBaseUrl: fake.baseUrl }));
    const target = join(home.root, 'escalated.txt');
    fake.enqueue(replyExec(`touch ${target}`, { escalateWithJustification: 'needs to write outside the workspace' }), replyMessage('done'));
    const app = res.add(await startCodexAppServer(appServerBinary, home));
    const asked: Array<{ reason: string; command: string }> = [];
    app.rpc.onRequest('item/commandExecution/requestApproval', (req) => {
      asked.push(req.params as (typeof asked)[number]);
      return { decision: 'accept' };
    });
    const { thread } = await app.rpc.request<{ thread: { id: string } }>('thread/start', { cwd: home.workDir, sandbox: 'read-only', approvalPolicy: 'on-request' });
    await app.rpc.request('turn/start', { threadId: thread.id, input: [{ type: 'text', text: 'write it' }] });
    await app.rpc.waitForNotification((n) => n.method === 'turn/completed');
    assert.equal(asked.length, 1);
    assert.equal(asked[0]?.reason, 'needs to write outside the workspace');
    assert.match(asked[0]?.command ?? '', /touch .*escalated\.txt/);
    assert.equal(existsSync(target), true);
  });

  it('calls the MCP server after the client accepts the approval request', async () => {
    const token = 'app-token-77e0';
    const mcp = res.add(await startTinyMcpServer({ token }));
    const fake = res.add(await startFakeModelServer({ script: [scriptMcpToolCall('gov', 'echo', { text: 'ping' }), (req) => replyMessage(`got ${functionCallOutput(req) ?? 'nothing'}`)] }));
    const home = res.add(await createCodexHome({ modelBaseUrl: fake.baseUrl, mcpServers: { gov: { url: mcp.url, bearerTokenEnvVar: 'GOV_TEST_TOKEN', bearerToken: token } } }));
    const app = res.add(await startCodexAppServer(appServerBinary, home));
    const approvals: Array<{ serverName: string; _meta: { tool_name?: string; tool_params?: unknown } }> = [];
    app.rpc.onRequest('mcpServer/elicitation/request', (req) => {
      approvals.push(req.params as (typeof approvals)[number]);
      return { action: 'accept', content: {} };
    });

    const { thread } = await app.rpc.request<{ thread: { id: string } }>('thread/start', { cwd: home.workDir, sandbox: 'read-only', approvalPolicy: 'on-request' });
    await app.rpc.request('turn/start', { threadId: thread.id, input: [{ type: 'text', text: 'ping the server' }] });
    const completed = await app.rpc.waitForNotification((n) => n.method === 'turn/completed');

    const call = await mcp.waitForCall('echo', 1000);
    assert.deepEqual(call.args, { text: 'ping' });
    assert.equal(call.authorization, `Bearer ${token}`);
    assert.equal(approvals.length, 1);
    assert.equal(approvals[0]?.serverName, 'gov');
    assert.equal(approvals[0]?._meta.tool_name, 'echo');
    assert.deepEqual(approvals[0]?._meta.tool_params, { text: 'ping' });
    const items = (completed.params as { turn: { items: Item[] } }).turn.items;
    assert.match(items.find((i) => i.type === 'agentMessage')?.text ?? '', /got .*echo: ping/s);
  });
});
