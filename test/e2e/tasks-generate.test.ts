/**
 * `codex-governance tasks generate` (dist/cli.js, build with `node esbuild.mjs`) against a real
 * governance server and a fake Chat Completions model: seed 003's dry run and online run, every
 * way the reply or the model can fail, and that nothing is posted unless every task is valid.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startGovernanceServer } from '../../src/server/server';
import { taskResponseFormat, type GeneratedTask } from '../../src/tasks/generator';
import { startFakeChatCompletions, type FakeChatCompletions, type FakeChatReply, type RecordedChatRequest } from '../fakes/fake-chat-completions';
import { startTestServer, type TestServer } from '../helpers/governance-server';

const CLI = resolve(__dirname, '../../dist/cli.js');

interface CliResult {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** Runs the built CLI with only the variables given (plus PATH/HOME), so a developer's own keys never leak in. */
function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolvePromise({ code, out, err, ms: Date.now() - started }));
  });
}

/** A raw Chat Completions endpoint for what the shared fake does not do: a refusal, a model that never answers. */
async function rawModel(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ baseUrl: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => handle(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const TASKS: GeneratedTask[] = [
  { description: 'Summarise the release notes of 0.2.0 for the changelog', due_date: '2026-12-31', priority: 'high', tags: ['docs', 'release'] },
  { description: 'Add a test for the token file permissions', due_date: null, priority: 'medium', tags: ['tests'] },
  { description: 'Profile the knowledge search on 100k discoveries', due_date: '2027-01-15', priority: 'low', tags: [] },
];

describe('codex-governance tasks generate (CLI, fake model, real server)', function () {
  this.timeout(120_000);
  let gov: TestServer;
  let fake: FakeChatCompletions;
  let next: (req: RecordedChatRequest) => FakeChatReply;
  let home: string;

  before(async () => {
    gov = await startTestServer();
    fake = await startFakeChatCompletions({ reply: (req) => next(req) });
    home = mkdtempSync(join(tmpdir(), 'cg-gen-home-'));
  });
  after(async () => {
    await fake.close();
    await gov.stop();
    rmSync(home, { recursive: true, force: true });
  });

  // The server is found as a user's would be: from the data directory's owner.json (its port), token from the environment.
  const env = (extra: Record<string, string> = {}): Record<string, string> => ({ OPENAI_API_KEY: 'sk-test-key', CODEX_GOVERNANCE_TOKEN: gov.token, CODEX_GOVERNANCE_DATA_DIR: gov.dataDir, ...extra });
  const online = (count: number, extra: string[] = []) => ['tasks', 'generate', '--count', String(count), '--base-url', fake.baseUrl, '--model', 'gpt-test', ...extra];
  async function queue(): Promise<Array<Record<string, any>>> {
    const res = await fetch(`${gov.url}/tasks?limit=200`, { headers: { 'X-AGENT-TOKEN': gov.token } });
    return ((await res.json()) as { tasks: Array<Record<string, any>> }).tasks;
  }

  it("seed 003's dry run (--count 5 --dry-run): no model request, no key needed, nothing posted", async () => {
    const before = fake.requests.length;
    const r = await cli(['tasks', 'generate', '--count', '5', '--dry-run'], { CODEX_GOVERNANCE_DATA_DIR: home });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Dry run: no model call, nothing posted/);
    assert.match(r.out, /SAMPLE tasks .*never posted/);
    assert.match(r.out, / {2}5\. \[/);
    assert.equal(fake.requests.length, before);
    assert.deepEqual(await queue(), []);
  });

  it('a valid reply without --post is shown and not posted; the request carried the strict JSON Schema', async () => {
    next = () => ({ content: JSON.stringify({ tasks: TASKS }) });
    const before = fake.requests.length;
    const r = await cli(online(3), env());
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /3 task\(s\) from gpt-test .*valid against the task schema/);
    assert.match(r.out, /1\. \[high\] due 2026-12-31 #docs #release\n {5}Summarise the release notes/);
    assert.match(r.out, /2\. \[medium\] no due date #tests/);
    assert.match(r.out, /Not posted: add --post/);
    assert.equal(fake.requests.length, before + 1);
    const req = fake.requests.at(-1)!;
    assert.equal(req.headers.authorization, 'Bearer sk-test-key');
    assert.equal(req.body.model, 'gpt-test');
    assert.deepEqual(req.body.response_format, JSON.parse(JSON.stringify(taskResponseFormat(3))));
    assert.deepEqual((req.body.messages ?? []).map((m) => m.role), ['system', 'user']);
    assert.deepEqual(await queue(), []);
  });

  it('seed 003\'s online run with --post: every task is in GET /tasks, by task-generator, ids printed', async () => {
    next = () => ({ content: JSON.stringify({ tasks: TASKS }) });
    const r = await cli(online(3, ['--post', '--json']), env());
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as { posted: Array<{ task: number; task_id: string }>; not_posted: number[]; failed: unknown };
    assert.deepEqual(out.posted.map((p) => p.task), [1, 2, 3]);
    assert.deepEqual(out.not_posted, []);
    assert.equal(out.failed, null);
    const tasks = await queue();
    assert.equal(tasks.length, 3);
    for (const [i, want] of TASKS.entries()) {
      const got = tasks.find((t) => t.task_id === out.posted[i]!.task_id);
      assert.ok(got, `task ${i + 1} is in the queue`);
      assert.deepEqual([got.description, got.due_date, got.priority, got.tags, got.status, got.created_by], [want.description, want.due_date, want.priority, want.tags, 'pending', 'task-generator']);
    }
    const list = await cli(['tasks', 'list'], env());
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /^3 of 3 task\(s\)/);
    assert.ok(out.posted.every((p) => list.out.includes(p.task_id)));
  });

  describe('bad replies and unusable models: a message naming the cause, nothing posted', () => {
    let count0: number;
    beforeEach(async () => {
      count0 = (await queue()).length;
    });
    afterEach(async () => {
      assert.equal((await queue()).length, count0, 'nothing was posted');
    });

    it('a task with a bad field: exit 1 naming task, field and value rule; the valid ones are not posted either', async () => {
      next = () => ({ content: JSON.stringify({ tasks: [TASKS[0], { ...TASKS[1], priority: 'urgent' }, TASKS[2]] }) });
      const r = await cli(online(3, ['--post']), env());
      assert.equal(r.code, 1);
      assert.match(r.err, /does not match the task schema; nothing was posted:\n {2}task 2 \(tasks\[1\]\.priority\): Invalid option: expected one of "low"\|"medium"\|"high"\|"critical"/);
      assert.doesNotMatch(r.out, /Posted/);
    });

    it('fewer tasks than asked: exit 1 naming tasks', async () => {
      next = () => ({ content: JSON.stringify({ tasks: TASKS.slice(0, 2) }) });
      const r = await cli(online(3, ['--post']), env());
      assert.equal(r.code, 1);
      assert.match(r.err, /tasks: Too small: expected array to have exactly 3 items/);
    });

    it('a reply that is not JSON: exit 1 quoting its start', async () => {
      next = () => ({ content: 'Here are three tasks: 1. Summarise' });
      const r = await cli(online(3, ['--post']), env());
      assert.equal(r.code, 1);
      assert.match(r.err, /\(reply\): is not JSON .*"Here are three tasks: 1\. Summarise"/);
    });

    it('a refusal: exit 1 quoting it', async () => {
      const model = await rawModel((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ id: 'chatcmpl-r', object: 'chat.completion', created: 1, model: 'gpt-test', choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: "I can't help with that." }, logprobs: null, finish_reason: 'stop' }] }));
      });
      try {
        const r = await cli(['tasks', 'generate', '--count', '2', '--post', '--base-url', model.baseUrl], env());
        assert.equal(r.code, 1);
        assert.match(r.err, /The model refused: "I can't help with that\."\. Nothing was posted/);
      } finally {
        await model.close();
      }
    });

    it('no API key: exit 2 naming the variable, no request to the model', async () => {
      const before = fake.requests.length;
      const r = await cli(online(2, ['--post']), { CODEX_GOVERNANCE_TOKEN: gov.token, CODEX_GOVERNANCE_DATA_DIR: home });
      assert.equal(r.code, 2);
      assert.match(r.err, /No API key: set OPENAI_API_KEY/);
      assert.equal(fake.requests.length, before);
    });

    it('a wrong base URL: nothing listening, or not an OpenAI API root', async () => {
      const closed = await rawModel(() => undefined);
      await closed.close();
      const refused = await cli(['tasks', 'generate', '--count', '2', '--base-url', closed.baseUrl, '--timeout-seconds', '30'], env());
      assert.equal(refused.code, 1);
      assert.match(refused.err, new RegExp(`Cannot reach the model at ${closed.baseUrl.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\); nothing was posted\\. Check --base-url`));
      const root = fake.baseUrl.replace(/\/v1$/, '');
      const notFound = await cli(['tasks', 'generate', '--count', '2', '--base-url', root], env());
      assert.equal(notFound.code, 1);
      assert.match(notFound.err, /\/chat\/completions answered \(HTTP 404.*; nothing was posted\. Check that --base-url is an OpenAI-compatible API root/);
    });

    it('a key the model server refuses: exit 1 naming the variable', async () => {
      const model = await rawModel((_req, res) => {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
      });
      try {
        const r = await cli(['tasks', 'generate', '--count', '2', '--post', '--base-url', model.baseUrl, '--api-key-env', 'MY_OPENAI_KEY'], env({ MY_OPENAI_KEY: 'sk-revoked' }));
        assert.equal(r.code, 1);
        assert.match(r.err, /The model server at \S+ refused the API key from MY_OPENAI_KEY \(HTTP 401: Incorrect API key provided\.\); nothing was posted\. Set MY_OPENAI_KEY to a valid key/);
        assert.ok(!r.err.includes('sk-revoked'), 'the key is never printed');
        assert.equal(model.hits(), 1, 'a 401 is not retried');
      } finally {
        await model.close();
      }
    });

    it('a model that never answers: exit 1 after --timeout-seconds, retries included', async () => {
      const model = await rawModel(() => undefined);
      try {
        const r = await cli(['tasks', 'generate', '--count', '2', '--post', '--base-url', model.baseUrl, '--timeout-seconds', '2'], env());
        assert.equal(r.code, 1);
        assert.match(r.err, /did not answer within 2 s; nothing was posted\. Raise --timeout-seconds/);
        assert.ok(r.ms < 15_000, `ended in ${r.ms} ms`);
        assert.ok(model.hits() >= 1);
      } finally {
        await model.close();
      }
    });

    it('--post to a stopped server or with a wrong token: refused before the model is asked', async () => {
      const before = fake.requests.length;
      const stoppedDir = mkdtempSync(join(tmpdir(), 'cg-gen-stopped-'));
      const stopped = await startTestServer({ dataDir: stoppedDir });
      const url = stopped.url;
      await stopped.stop();
      try {
        const notRunning = await cli(online(2, ['--post']), env({ CODEX_GOVERNANCE_DATA_DIR: stoppedDir }));
        assert.equal(notRunning.code, 1);
        assert.match(notRunning.err, /server is not running for the data directory .*codex-governance serve --data-dir/);
        const down = await cli(online(2, ['--post', '--server', url]), env({ CODEX_GOVERNANCE_DATA_DIR: stoppedDir }));
        assert.equal(down.code, 1);
        assert.match(down.err, /Cannot reach the governance server at .* \(ECONNREFUSED\)\. Start it with "codex-governance serve"/);
      } finally {
        rmSync(stoppedDir, { recursive: true, force: true });
      }
      const wrong = await cli(online(2, ['--post']), env({ CODEX_GOVERNANCE_TOKEN: 'wrong-token-0123456789' }));
      assert.equal(wrong.code, 1);
      assert.match(wrong.err, /refused every token \(env:CODEX_GOVERNANCE_TOKEN\): HTTP 401\. Set CODEX_GOVERNANCE_TOKEN to the server's token/);
      assert.equal(fake.requests.length, before, 'no model request');
    });
  });

  it('a post that fails midway (rate limit) reports the posted ids and the tasks not posted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cg-gen-rate-'));
    // 3 requests per minute for the token: the check and two posts pass, the third post gets 429.
    const limited = await startGovernanceServer({ port: 0, dataDir, token: gov.token, rateLimitPerMinute: 100, rateLimitPerTokenPerMinute: 3, hostKind: 'test' });
    try {
      next = () => ({ content: JSON.stringify({ tasks: [...TASKS, { ...TASKS[0]!, description: 'A fourth task' }] }) });
      const r = await cli(online(4, ['--post', '--server', limited.url]), env());
      assert.equal(r.code, 1);
      const posted = [...r.out.matchAll(/\b(\d)=(task-[0-9a-f-]+)/g)].map((m) => [Number(m[1]), m[2]] as const);
      assert.deepEqual(posted.map(([n]) => n), [1, 2]);
      assert.match(r.out, /Posted 2 of 4/);
      assert.match(r.err, /Posting stopped at task 3: HTTP 429 \(rate_limited: Rate limit exceeded/);
      assert.match(r.err, /Not posted: task\(s\) 3, 4\. Already posted: /);
      for (const [, id] of posted) assert.ok(r.err.includes(id!), `${id} named as posted`);
    } finally {
      await limited.close();
    }
    // The token's budget is spent: read what was stored through a fresh server on the same data.
    const reader = await startTestServer({ dataDir });
    try {
      const res = await fetch(`${reader.url}/tasks?limit=200`, { headers: { 'X-AGENT-TOKEN': reader.token } });
      const stored = (await res.json()) as { tasks: Array<{ description: string }> };
      assert.deepEqual(stored.tasks.map((t) => t.description).sort(), [TASKS[0]!.description, TASKS[1]!.description].sort());
    } finally {
      await reader.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
