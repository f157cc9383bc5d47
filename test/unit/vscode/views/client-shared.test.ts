/**
 * The in-process client on a PostgreSQL store shared with another server (team mode): what the
 * other server writes raises no event here, so the client polls the shared topics' fingerprints.
 */
import assert from 'node:assert/strict';
import { InProcessGovernanceClient } from '../../../../src/client/in-process';
import type { GovernanceTopic } from '../../../../src/client/types';
import { startTestServer, type TestServer } from '../../../helpers/governance-server';
import { testDatabase } from '../../../helpers/postgres';

describe('GovernanceClient in process on a shared PostgreSQL store', function () {
  this.timeout(180_000);
  let here: TestServer;
  let there: TestServer;

  before(async () => {
    const database = await testDatabase('client_shared');
    here = await startTestServer({ database });
    there = await startTestServer({ database });
  });
  after(async () => {
    await here?.stop();
    await there?.stop();
  });

  async function callThere(name: string, args: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${there.url}/v1/tools/call`, { method: 'POST', headers: { ...there.auth, 'x-session-id': 'agent-there' }, body: JSON.stringify({ name, arguments: args }) });
    assert.equal(res.status, 200, await res.text());
  }

  it("reports the other server's agent updates, discoveries and observed Codex sessions as changes, and lists them", async () => {
    const client = new InProcessGovernanceClient(here.url, here.server.app, { coalesceMs: 10, sharedPollMs: 100 });
    const seen: GovernanceTopic[] = [];
    const off = client.onDidChange((topics) => seen.push(...topics));
    try {
      // The first poll takes the baseline.
      await new Promise((r) => setTimeout(r, 300));
      await callThere('process_agent_update', { agent_id: 'teammate', operation: 'build on the CI machine', complexity: 0.3 });
      await waitUntil(() => seen.includes('agents'));
      assert.ok((await client.listAgents()).some((a) => a.agent_id === 'teammate'));
      await callThere('store_discovery_graph', { agent_id: 'teammate', summary: 'Flaky test traced to a shared temp dir' });
      await waitUntil(() => seen.includes('knowledge'));
      assert.match(JSON.stringify(await client.listDiscoveries(5)), /shared temp dir/);
      // A Codex session the other server observes through its hooks (a PostToolUse: no approval asked).
      const hook = await fetch(`${there.url}/v1/hooks/codex`, {
        method: 'POST',
        headers: there.auth,
        body: JSON.stringify({ session_id: '0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeee1', hook_event_name: 'PostToolUse', cwd: '/repo', permission_mode: 'default', tool_name: 'Bash', tool_input: { command: 'ls' }, tool_response: 'ok' }),
      });
      assert.equal(hook.status, 200, await hook.text());
      await waitUntil(() => seen.includes('sessions'));
      assert.ok((await client.callTool('list_observed_sessions', { limit: 10 })).sessions.some((o) => o.session_id === '0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeee1'));
    } finally {
      off();
      client.dispose();
    }
  });

  it('a client nobody listens to polls nothing', async () => {
    const client = new InProcessGovernanceClient(here.url, here.server.app, { coalesceMs: 10, sharedPollMs: 50 });
    const calls: string[] = [];
    const listAgents = client.listAgents.bind(client);
    (client as { listAgents: typeof listAgents }).listAgents = (limit?: number) => {
      calls.push('listAgents');
      return listAgents(limit);
    };
    const off = client.onDidChange(() => undefined);
    await waitUntil(() => calls.length >= 2);
    off();
    const after = calls.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(calls.length <= after + 1, `polls stopped with the last listener (${calls.length} after ${after})`);
    client.dispose();
  });
});

async function waitUntil(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
