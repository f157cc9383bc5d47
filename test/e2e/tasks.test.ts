/**
 * The task queue through a real server: MCP (SDK client), /v1/tools/call, and seed 003's REST
 * shapes on POST/GET /tasks (repository hvrryh-web/test, `tools/chatgpt_adapter.py` posts
 * `{task_id, description, status, due_date}` with X-AGENT-TOKEN).
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestServer, type TestServer } from '../helpers/governance-server';

interface CallResponse {
  success: boolean;
  result?: Record<string, any>;
  error?: { code: string; message: string };
}

describe('task queue over HTTP and MCP', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.stop());

  const seedHeaders = (token: string | null): Record<string, string> => ({ 'Content-Type': 'application/json', ...(token === null ? {} : { 'X-AGENT-TOKEN': token }) });
  async function postTask(body: unknown, token: string | null = t.token): Promise<{ status: number; body: any }> {
    const res = await fetch(`${t.url}/tasks`, { method: 'POST', headers: seedHeaders(token), body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }
  async function call(name: string, args: unknown, sessionId: string): Promise<{ status: number; body: CallResponse }> {
    const res = await fetch(`${t.url}/v1/tools/call`, { method: 'POST', headers: { ...t.auth, 'X-Session-ID': sessionId }, body: JSON.stringify({ name, arguments: args }) });
    return { status: res.status, body: (await res.json()) as CallResponse };
  }

  it("POST /tasks takes seed 003's task JSON with X-AGENT-TOKEN and GET /tasks lists it", async () => {
    const ok = await postTask({ task_id: 'T_CHAT_001', description: 'Summarise the release notes', status: 'pending', due_date: '2026-12-31' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.ok, true);
    assert.equal(ok.body.task_id, 'T_CHAT_001');
    const noId = await postTask({ description: 'Generated id' });
    assert.equal(noId.status, 200);
    assert.match(noId.body.task_id as string, /^task-/);
    const dup = await postTask({ task_id: 'T_CHAT_001', description: 'again' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error, 'conflict');

    const res = await fetch(`${t.url}/tasks?status=pending&limit=1`, { headers: seedHeaders(t.token) });
    assert.equal(res.status, 200);
    const list = (await res.json()) as { ok: boolean; tasks: Array<Record<string, unknown>>; total: number; next_offset: number | null };
    assert.equal(list.ok, true);
    assert.equal(list.total, 2);
    assert.equal(list.tasks.length, 1);
    assert.equal(list.next_offset, 1);
    // Same priority: the one with a due date comes first.
    assert.equal(list.tasks[0]!.task_id, 'T_CHAT_001');
    assert.equal(list.tasks[0]!.due_date, '2026-12-31');
  });

  it('POST /tasks answers 400 naming the field, 401 without or with a wrong token, and stores nothing', async () => {
    const missing = await postTask({ task_id: 'T_BAD_1', status: 'pending', due_date: '2026-12-31' });
    assert.equal(missing.status, 400);
    assert.deepEqual([missing.body.error, missing.body.field], ['invalid payload', 'description']);
    assert.match(missing.body.message as string, /description/);
    const badDate = await postTask({ task_id: 'T_BAD_2', description: 'x', due_date: '12/31/2026' });
    assert.equal(badDate.status, 400);
    assert.deepEqual([badDate.body.error, badDate.body.field], ['invalid payload', 'due_date']);
    const unknown = await postTask({ description: 'x', owner: 'me' });
    assert.deepEqual([unknown.status, unknown.body.field], [400, 'owner']);
    const notJson = await fetch(`${t.url}/tasks`, { method: 'POST', headers: seedHeaders(t.token), body: '{"description":' });
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as { error: string }).error, 'invalid payload');

    const noToken = await postTask({ task_id: 'T_BAD_3', description: 'x' }, null);
    assert.deepEqual([noToken.status, noToken.body], [401, { error: 'unauthorized' }]);
    const wrong = await postTask({ task_id: 'T_BAD_4', description: 'x' }, 'wrong-token-0123456789');
    assert.deepEqual([wrong.status, wrong.body], [401, { error: 'unauthorized' }]);
    const listNoToken = await fetch(`${t.url}/tasks`);
    assert.equal(listNoToken.status, 401);

    const all = (await (await fetch(`${t.url}/tasks?limit=200`, { headers: seedHeaders(t.token) })).json()) as { tasks: Array<{ task_id: string }> };
    assert.ok(!all.tasks.some((x) => x.task_id.startsWith('T_BAD_')));
    const badLimit = await fetch(`${t.url}/tasks?limit=abc`, { headers: seedHeaders(t.token) });
    assert.deepEqual([badLimit.status, ((await badLimit.json()) as { field: string }).field], [400, 'limit']);
  });

  it('16 agents claiming one task at once through /v1/tools/call: exactly one wins, 15 get conflict', async () => {
    await call('post_task', { task_id: 'RACE_1', description: 'one winner', priority: 'high' }, 'poster');
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => call('claim_task', { task_id: 'RACE_1' }, `racer-${i}`)));
    const winners = results.filter((r) => r.status === 200 && r.body.success);
    const conflicts = results.filter((r) => r.status === 409 && r.body.error?.code === 'conflict');
    assert.equal(winners.length, 1);
    assert.equal(conflicts.length, 15);
    const winner = winners[0]!.body.result!.task.claimed_by as string;
    assert.match(winner, /^racer-\d+$/);

    // Only the winner may complete it.
    const loser = winner === 'racer-0' ? 'racer-1' : 'racer-0';
    const refused = await call('complete_task', { task_id: 'RACE_1', result: 'mine' }, loser);
    assert.deepEqual([refused.status, refused.body.error?.code], [409, 'invalid_state']);
    const done = await call('complete_task', { task_id: 'RACE_1', result: 'done by the winner' }, winner);
    assert.equal(done.status, 200);
    assert.equal(done.body.result!.task.status, 'completed');
    const bad = await call('claim_task', { task_id: 'RACE_1', lease_seconds: 0 }, winner);
    assert.deepEqual([bad.status, bad.body.error?.code], [400, 'invalid_arguments']);
    assert.match(bad.body.error!.message, /lease_seconds/);
  });

  it('an MCP agent posts, claims, renews and fails a task with requeue; list_tasks shows it pending again', async () => {
    const client = new Client({ name: 'task-agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${t.token}` } } }));
    try {
      const tools = (await client.listTools()).tools.map((x) => x.name);
      for (const n of ['post_task', 'list_tasks', 'claim_task', 'complete_task', 'fail_task']) assert.ok(tools.includes(n), n);
      const posted = await client.callTool({ name: 'post_task', arguments: { task_id: 'MCP_1', description: 'via MCP', tags: ['mcp'], agent_id: 'mcp-agent' } });
      assert.equal(posted.isError, undefined);
      const claimed = (await client.callTool({ name: 'claim_task', arguments: { task_id: 'MCP_1', agent_id: 'mcp-agent', lease_seconds: 30 } })).structuredContent as any;
      assert.equal(claimed.task.claimed_by, 'mcp-agent');
      const renewed = (await client.callTool({ name: 'claim_task', arguments: { task_id: 'MCP_1', agent_id: 'mcp-agent', renew: true } })).structuredContent as any;
      assert.ok(Date.parse(renewed.task.lease_expires_at) > Date.parse(claimed.task.lease_expires_at));
      const other = await client.callTool({ name: 'claim_task', arguments: { task_id: 'MCP_1', agent_id: 'someone-else' } });
      assert.equal(other.isError, true);
      await client.callTool({ name: 'fail_task', arguments: { task_id: 'MCP_1', agent_id: 'mcp-agent', reason: 'needs a human', requeue: true } });
      const list = (await client.callTool({ name: 'list_tasks', arguments: { tag: 'mcp' } })).structuredContent as any;
      assert.equal(list.tasks[0].task_id, 'MCP_1');
      assert.equal(list.tasks[0].status, 'pending');
      assert.equal(list.tasks[0].result, 'needs a human');
    } finally {
      await client.close();
    }
  });
});
