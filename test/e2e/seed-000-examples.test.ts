/**
 * Seed 000's examples ("Connecting OpenAI Codex/GPT to Governance MCP",
 * ../shared/seeds/000_9a6c53fb2021edfc.txt from the repository root), run against a real
 * governance server as the seed wrote them. The Python code is read from the seed at test time
 * (test/helpers/seed-000.ts; an absent seed fails every test with its path) and run by Debian's
 * /usr/bin/python3 with python3-requests. Changed: the literal "http://127.0.0.1:8765" becomes the
 * test server's URL, and a prelude makes requests.get / requests.post send
 * `Authorization: Bearer <token>` (a requests.Session carrying the header). Nothing else.
 *
 * The Python `openai` package is not in Debian bookworm, so what calls OpenAI runs as the same flow
 * in TypeScript with the npm `openai` package (test/helpers/seed-000-flows.ts) against a fake Chat
 * Completions server (test/fakes/fake-chat-completions.ts): only the OpenAI service is fake; the
 * model's tool calls name governance tools from GET /v1/tools and go to POST /v1/tools/call.
 *
 * | seed block | runs as |
 * |---|---|
 * | 2. Fetch Governance Tools | Python (its `import openai` served by a stub module: imports and constructor only, any request raises) |
 * | 3. Call OpenAI with Governance Tools | TypeScript, npm openai |
 * | 4. Execute Tool Calls via Governance MCP | Python, after block 2, with block 3's `response` handed over from TypeScript (JSON with attribute access) |
 * | Complete Example, agent healthy (PROCEED) | TypeScript: its `__main__` part calls GPT |
 * | Complete Example, agent paused (PAUSE) | Python, the whole block as `__main__`: run_governed_codex stops before GPT |
 * | Pattern 1 | TypeScript over a queue of tasks (each calls GPT); Python with an empty queue. Both with the reader's `get_next_task` / `store_result` (the seed leaves them undefined) |
 * | Pattern 2 | TypeScript for the branch that runs the task (GPT); Python for the branch that finds the other agent's work and skips |
 * | Pattern 3 | Python (after the Complete Example's definitions, loaded as a module so its `__main__` part does not run) |
 * | Session Identity | Python, plus a test line printing the X-Session-ID it defines (the block only builds a dict) |
 * | Advanced: Streaming Responses | TypeScript, npm openai with `stream: true` |
 *
 * Seed defect, not exercised: Pattern 1 calls `time.sleep(60)` on PAUSE, but no block imports `time`
 * (a Python run of that branch would end in NameError).
 */
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeChatCompletions, type FakeChatCompletions, type FakeChatReply, type RecordedChatRequest } from '../fakes/fake-chat-completions';
import { startTestServer, type TestServer } from '../helpers/governance-server';
import { assertPythonWithRequests, describeRun, readSeed000, runSeedPython, SEED_000_BLOCKS, withServerUrl, type Seed000 } from '../helpers/seed-000';
import { GovernedCodexAgent, quickStartCallOpenAi, type Print, type QueuedTask } from '../helpers/seed-000-flows';

/** The seed's agent ids: AGENT_ID of the Complete Example, SESSION_ID of the Quick Start. */
const AGENT_ID = 'codex_refactor_agent';
const OTHER_AGENT = 'codex_agent_001';

/** Python run name that loads a script as a module: the Complete Example's `__main__` part (GPT) stays out. */
const AS_MODULE = 'seed_000_module';

/** Test-supplied Python: block 3's `response`, handed over from the TypeScript half. */
const RESPONSE_HANDOVER = `# ---- test handover: block 3 ran in TypeScript (npm openai); response is the ChatCompletion it returned ----
import json as _seed_json, types as _seed_types
response = _seed_json.loads(_seed_os.environ["SEED_000_CHAT_COMPLETION"], object_hook=lambda d: _seed_types.SimpleNamespace(**d))
`;

/** Test-supplied Python: what Pattern 1 leaves to the reader, and the call of the loop. */
const PATTERN_1_EPILOGUE = `# ---- test epilogue: the reader's task queue (empty) and result store, then the loop ----
_queue = []
def get_next_task():
    return _queue.pop(0) if _queue else None
def store_result(task_id, result):
    print(f"stored {task_id}")
autonomous_agent_loop()
print("queue empty, loop ended")
`;

const SQUARE_EVENS = 'def square_evens(nums):\n    return [n**2 for n in nums if n % 2 == 0]';

/** The fake model: a reply per user prompt, calling governance tools as GPT would. */
function modelReply(request: RecordedChatRequest): FakeChatReply {
  // The seed's prompts are plain strings.
  const last = request.body.messages?.at(-1)?.content;
  const prompt = typeof last === 'string' ? last : JSON.stringify(last);
  if (prompt === 'Help me refactor this function') {
    return {
      content: null,
      toolCalls: [
        { name: 'process_agent_update', arguments: { operation: 'Refactor a function into smaller helpers', complexity: 0.4 } },
        { name: 'search_knowledge_graph', arguments: { query: 'refactor function helpers' } },
      ],
    };
  }
  if (prompt.startsWith('Refactor this Python function to use list comprehension')) {
    return {
      content: SQUARE_EVENS,
      toolCalls: [
        { name: 'store_discovery_graph', arguments: { discovery_type: 'improvement', summary: 'square_evens rewritten as a list comprehension', details: SQUARE_EVENS, tags: ['python', 'comprehension'] } },
        { name: 'process_agent_update', arguments: { operation: 'Rewrote square_evens as a list comprehension', complexity: 0.3 } },
      ],
    };
  }
  if (prompt === 'Refactor user authentication') {
    return {
      content: 'auth.py now issues and verifies JWT tokens; server-side sessions are gone.',
      toolCalls: [{ name: 'store_discovery_graph', arguments: { discovery_type: 'decision', summary: 'Refactor user authentication: JWT tokens replace server sessions', tags: ['auth', 'jwt'] } }],
    };
  }
  return { content: `Done: ${prompt}` };
}

describe('seed 000 examples, run as written (only the URL and the token changed)', () => {
  let seedCache: Seed000 | undefined;
  /** The seed's python blocks; throws (failing the test) with the path when the seed is absent. */
  const blocks = () => (seedCache ??= readSeed000()).blocks;
  let t: TestServer;
  let fake: FakeChatCompletions;
  let client: OpenAI;
  let out: string;
  const print: Print = (text, end = '\n') => {
    out += text + end;
  };

  before(async () => assertPythonWithRequests());
  beforeEach(async () => {
    t = await startTestServer();
    fake = await startFakeChatCompletions({ reply: modelReply });
    // As the seed's `OpenAI(api_key=...)`, with the base URL of the fake.
    client = new OpenAI({ apiKey: 'sk-fake-seed-000', baseURL: fake.baseUrl });
    out = '';
  });
  afterEach(async () => {
    await fake.close();
    await t.stop();
  });

  /** Runs Python parts against the test server and asserts exit 0; returns stdout. */
  async function python(parts: string[], runName: string, env?: Record<string, string>): Promise<string> {
    const run = await runSeedPython({ parts, token: t.token, runName, ...(env ? { env } : {}) });
    assert.equal(run.code, 0, describeRun(run));
    return run.stdout;
  }
  const completeExample = () => withServerUrl(blocks().completeExample, t.url);
  const agent = (agentId: string) => new GovernedCodexAgent({ governanceUrl: t.url, token: t.token, agentId, client, print });

  /** POST /v1/tools/call for setup and checks; asserts success. */
  async function call(name: string, args: Record<string, unknown>): Promise<Record<string, any>> {
    const res = await fetch(`${t.url}/v1/tools/call`, { method: 'POST', headers: t.auth, body: JSON.stringify({ name, arguments: args }) });
    const body = (await res.json()) as { success: boolean; result: Record<string, any> };
    assert.equal(res.status, 200, `${name}: ${JSON.stringify(body)}`);
    return body.result;
  }
  async function toolNames(): Promise<string[]> {
    const res = await fetch(`${t.url}/v1/tools`, { headers: t.auth });
    return ((await res.json()) as { tools: Array<{ function: { name: string } }> }).tools.map((x) => x.function.name);
  }
  const operations = async (agentId: string) => ((await call('get_governance_metrics', { agent_id: agentId, history_limit: 100 })).history as Array<{ operation: string }>).map((h) => h.operation);

  it('finds the seed beside the repository and every python block in it', () => {
    const b = blocks();
    assert.deepEqual(Object.keys(b).sort(), Object.keys(SEED_000_BLOCKS).sort());
    assert.match(b.fetchTools, /GOVERNANCE_URL = "http:\/\/127\.0\.0\.1:8765"/);
    assert.match(b.pattern3, /"reviewer_mode": "any"/);
  });

  it('Quick Start: fetch the tools (Python), call GPT with them (TypeScript), execute its tool calls (Python)', async () => {
    const names = await toolNames();
    const fetched = await python([withServerUrl(blocks().fetchTools, t.url)], '__main__');
    assert.equal(fetched, `Loaded ${names.length} governance tools\n`);

    const tools = await agent(OTHER_AGENT).getGovernanceTools();
    const response = await quickStartCallOpenAi(client, tools, print);
    const sent = fake.requests[0]!.body;
    assert.deepEqual(sent.tools, tools, 'GPT is offered exactly the tools of GET /v1/tools');
    assert.equal(sent.model, 'gpt-4');
    assert.equal(sent.tool_choice, 'auto');
    assert.match(out, /"tool_calls":\[\{"id":"call_/);

    const executed = await python([withServerUrl(blocks().fetchTools, t.url), RESPONSE_HANDOVER, blocks().executeToolCalls], '__main__', { SEED_000_CHAT_COMPLETION: JSON.stringify(response) });
    const results = executed.split('\n').filter((l) => l.startsWith('Tool result: '));
    assert.equal(results.length, 2, executed);
    for (const line of results) assert.match(line, /^Tool result: \{'success': True, 'result': \{/);
    assert.match(results[0]!, /'governance_decision': \{'action': 'PROCEED', 'reason': '[^']+/);
    assert.match(results[0]!, /'agent_id': 'codex_agent_001'/, 'X-Session-ID names the agent');
    assert.match(results[1]!, /'discoveries': \[\]/);
    assert.deepEqual(await operations(OTHER_AGENT), ['Refactor a function into smaller helpers']);
  });

  it('Complete Example, healthy agent: PROCEED, related work found, GPT tool calls executed, discovery stored (TypeScript)', async () => {
    await call('store_discovery_graph', { agent_id: OTHER_AGENT, discovery_type: 'pattern', summary: 'Python list building: prefer comprehensions', tags: ['python'] });
    const names = await toolNames();

    await agent(AGENT_ID).completeExampleMain();

    assert.match(out, /\nGovernance: PROCEED - \S/);
    assert.match(out, /Found 1 related discoveries:\n {3}- Python list building: prefer comprehensions \(by codex_agent_001\)\n/);
    assert.match(out, new RegExp(`Calling GPT-4 with ${names.length} governance tools`));
    assert.match(out, /Executing 2 tool calls\.\.\.\n {3}store_discovery_graph: True\n {3}process_agent_update: True\n/);
    assert.match(out, /Final governance: PROCEED - \S/);
    assert.ok(out.includes(`Result:\n${SQUARE_EVENS}\n`), out);
    assert.match(out, /Stored discovery in knowledge graph\n$/);

    assert.equal(fake.requests.length, 1);
    assert.deepEqual(fake.requests[0]!.body.tools!.map((x) => x.function!.name), names);
    const mine = (await call('list_knowledge_graph', { agent_id: AGENT_ID })).discoveries as Array<{ summary: string }>;
    assert.deepEqual(mine.map((d) => d.summary).sort(), ['List comprehension pattern for filtering and mapping', 'square_evens rewritten as a list comprehension']);
    const ops = await operations(AGENT_ID);
    assert.deepEqual(ops, ['Checking governance status', 'Rewrote square_evens as a list comprehension', ops[2], 'Checking governance status']);
    assert.match(ops[2]!, /^Completed: Refactor this Python function/);
  });

  it('Complete Example, paused agent: the whole block in Python prints PAUSE and exits before GPT, then stores its discovery', async () => {
    let paused = false;
    for (let i = 0; i < 30 && !paused; i++) {
      const r = await call('process_agent_update', { agent_id: AGENT_ID, operation: `rewrite module ${i}`, complexity: 1, confidence: 0.05 });
      paused = r.governance_decision.action === 'PAUSE';
    }
    assert.ok(paused, `${AGENT_ID} never got PAUSE`);

    const stdout = await python([completeExample()], '__main__');
    assert.match(stdout, /Governance: PAUSE - \S[^\n]*\n[^\n]*Governance suggests pausing\. Exiting\.\n/);
    assert.match(stdout, /Result:\nNone\n/);
    assert.match(stdout, /Stored discovery in knowledge graph\n$/);
    assert.equal(fake.requests.length, 0, 'no model call');
    const mine = (await call('list_knowledge_graph', { agent_id: AGENT_ID })).discoveries as Array<{ summary: string }>;
    assert.deepEqual(mine.map((d) => d.summary), ['List comprehension pattern for filtering and mapping']);
  });

  it('Pattern 1: the loop over a queue of tasks (TypeScript) and over an empty queue (Python)', async () => {
    const queue: QueuedTask[] = [
      { id: 'task-1', description: 'Add type hints to utils.py', complexity: 0.2 },
      { id: 'task-2', description: 'Write tests for the parser', complexity: 0.4 },
    ];
    const stored = new Map<string, string | null>();
    await agent(AGENT_ID).autonomousAgentLoop(
      () => queue.shift() ?? null,
      (id, result) => stored.set(id, result),
    );
    assert.deepEqual([...stored], [
      ['task-1', 'Done: Add type hints to utils.py'],
      ['task-2', 'Done: Write tests for the parser'],
    ]);
    assert.equal(out.match(/Final governance: PROCEED/g)?.length, 2);
    assert.equal(fake.requests.length, 2);

    const stdout = await python([completeExample(), blocks().pattern1, PATTERN_1_EPILOGUE], AS_MODULE);
    assert.equal(stdout, 'queue empty, loop ended\n');
    assert.equal(fake.requests.length, 2, 'the Python loop found no task and called no model');
    assert.equal((await operations(AGENT_ID)).at(-1), 'Checking governance status', 'the Python loop checked governance first');
  });

  it('Pattern 2: one agent finds no prior work and does the task (TypeScript); the other finds it and skips (Python)', async () => {
    await agent(OTHER_AGENT).pattern2Usage();
    assert.doesNotMatch(out, /similar discoveries/);
    assert.match(out, /Governance: PROCEED - \S/);
    assert.match(out, /store_discovery_graph: True/);
    assert.equal(fake.requests.length, 1);

    const stdout = await python([completeExample(), blocks().pattern2], AS_MODULE);
    assert.match(stdout, /Found 1 similar discoveries\n {3}Most recent: Refactor user authentication: JWT tokens replace server sessions\n {3}By: codex_agent_001\n/);
    assert.match(stdout, /Skipping - another agent already worked on this\n$/);
    assert.equal(fake.requests.length, 1, 'the skipping agent called no model');
  });

  it('Pattern 3: a peer review any agent may take (Python); another agent then claims it', async () => {
    const stdout = await python([completeExample(), blocks().pattern3], AS_MODULE);
    assert.match(stdout, /^Review requested: \{'success': True, 'result': \{/);
    const sessionId = /'session_id': '([^']+)'/.exec(stdout)?.[1];
    assert.ok(sessionId, stdout);
    assert.match(stdout, /'reviewer_agent_id': None/, 'reviewer_mode "any" leaves the slot open');

    const session = await call('get_dialectic_session', { session_id: sessionId });
    assert.equal(session.phase, 'thesis');
    assert.equal(session.next_actor, AGENT_ID);
    await call('submit_thesis', { session_id: sessionId, agent_id: AGENT_ID, root_cause: 'JWT migration touched every auth path', proposed_conditions: ['Keep the session fallback for 24h'], reasoning: 'Large change' });
    await call('process_agent_update', { agent_id: OTHER_AGENT, operation: 'read the docs', complexity: 0.1, confidence: 0.9 });
    const claimed = await call('submit_antithesis', { session_id: sessionId, agent_id: OTHER_AGENT, concerns: ['Token expiry is not tested'] });
    assert.equal(claimed.phase, 'synthesis');
    assert.equal(claimed.session.reviewer_agent_id, OTHER_AGENT);
  });

  it('Session Identity: the headers block runs (Python)', async () => {
    assert.equal(await python([blocks().sessionIdentity, 'print(headers["X-Session-ID"])'], '__main__'), 'codex_agent_001\n');
  });

  it('Advanced: Streaming Responses: deltas printed as they come, then the work logged (TypeScript)', async () => {
    const text = await agent(AGENT_ID).runCodexWithStreaming('Explain list comprehensions in one sentence');
    assert.equal(text, 'Done: Explain list comprehensions in one sentence');
    assert.equal(out, text);
    assert.equal(fake.requests[0]!.body.stream, true);
    assert.deepEqual(await operations(AGENT_ID), ['Streamed completion: Explain list comprehensions in one sentence...']);
  });
});
