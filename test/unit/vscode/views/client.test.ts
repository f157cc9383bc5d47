import assert from 'node:assert/strict';
import { HttpGovernanceClient } from '../../../../src/client/http';
import { InProcessGovernanceClient } from '../../../../src/client/in-process';
import { GovernanceClientSource } from '../../../../src/client/select';
import { GovernanceClientError, type GovernanceClient, type GovernanceTopic } from '../../../../src/client/types';
import { startTestServer, type TestServer } from '../../../helpers/governance-server';

/** Resolves with the topics of the next change event, or rejects after `ms`. */
function nextChange(client: GovernanceClient, ms = 3000): { topics: Promise<ReadonlySet<GovernanceTopic>>; calls: () => number } {
  let calls = 0;
  let off = () => {};
  const topics = new Promise<ReadonlySet<GovernanceTopic>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no change event within ${ms} ms`)), ms);
    off = client.onDidChange((t) => {
      calls++;
      clearTimeout(timer);
      resolve(t);
    });
  });
  return { topics: topics.finally(() => setTimeout(off, 400)), calls: () => calls };
}

describe('GovernanceClient', function () {
  let srv: TestServer;
  const callHttp = async (name: string, args: Record<string, unknown>, sessionId = 'agent-http') => {
    const res = await fetch(`${srv.url}/v1/tools/call`, { method: 'POST', headers: { ...srv.auth, 'x-session-id': sessionId }, body: JSON.stringify({ name, arguments: args }) });
    return (await res.json()) as { success: boolean; result: Record<string, unknown> };
  };

  beforeEach(async () => {
    srv = await startTestServer();
  });
  afterEach(async () => {
    await srv.stop();
  });

  describe('in process', () => {
    it('lists an agent updated over HTTP with its last decision, and reports one "agents" change for a burst of updates', async () => {
      // A window wide enough that a loaded 2-core machine still lands the whole burst inside it.
      const client = new InProcessGovernanceClient(srv.url, srv.server.app, { coalesceMs: 400 });
      const change = nextChange(client);
      await Promise.all(Array.from({ length: 5 }, (_, i) => callHttp('process_agent_update', { agent_id: 'burst-agent', operation: `step ${i}`, complexity: 0.3, confidence: 0.8 })));
      assert.deepEqual([...(await change.topics)], ['agents']);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(change.calls(), 1, 'five updates inside the coalescing window are one change');
      const agents = await client.listAgents();
      const agent = agents.find((a) => a.agent_id === 'burst-agent');
      assert.ok(agent, JSON.stringify(agents));
      assert.equal(agent.update_count, 5);
      assert.match(agent.last_decision?.action ?? '', /^(PROCEED|PAUSE)$/);
      assert.ok(agent.last_decision?.reason);
      const observed = await client.observeAgent('burst-agent');
      assert.equal(observed.history.length, 5);
      client.dispose();
    });

    it('stores a discovery as vscode-user, reports a "knowledge" change, finds it by search and in details', async () => {
      const client = new InProcessGovernanceClient(srv.url, srv.server.app, { coalesceMs: 10 });
      const topics = new Set<GovernanceTopic>();
      const off = client.onDidChange((t) => t.forEach((x) => topics.add(x)));
      const stored = await client.storeDiscovery({ discoveryType: 'bug_found', summary: 'Tokenizer drops trailing newline', details: 'Seen in parser tests', tags: ['parser'] });
      assert.equal(stored.agent_id, 'vscode-user');
      // The first store also registers the author (agent-created): both views hear of it (in one
      // change or two, as a loaded machine spreads the events over the coalescing window).
      for (const deadline = Date.now() + 3000; topics.size < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
      off();
      assert.deepEqual([...topics].sort(), ['agents', 'knowledge']);
      const hits = await client.searchDiscoveries('tokenizer newline');
      assert.equal(hits.discoveries[0]?.id, stored.id);
      const recent = await client.listDiscoveries(5);
      assert.equal(recent.total, 1);
      const details = await client.getDiscoveryDetails(stored.id);
      assert.equal(details.discovery.details, 'Seen in parser tests');
      client.dispose();
    });

    it('throws GovernanceClientError with the tool error code for an unknown discovery and for a bad argument', async () => {
      const client = new InProcessGovernanceClient(srv.url, srv.server.app);
      await assert.rejects(client.getDiscoveryDetails('nope'), (e: unknown) => e instanceof GovernanceClientError && e.code === 'not_found');
      await assert.rejects(client.storeDiscovery({ discoveryType: 'note', summary: '' }), (e: unknown) => e instanceof GovernanceClientError && e.code === 'invalid_arguments' && /summary/.test(e.message));
      client.dispose();
    });

    it('stops listening to the server once the last listener unsubscribes', () => {
      const client = new InProcessGovernanceClient(srv.url, srv.server.app, { coalesceMs: 10 });
      const before = srv.server.app.events.listenerCount('discovery-stored');
      const off = client.onDidChange(() => {});
      assert.equal(srv.server.app.events.listenerCount('discovery-stored'), before + 1);
      off();
      assert.equal(srv.server.app.events.listenerCount('discovery-stored'), before);
    });
  });

  describe('over HTTP', () => {
    it('reads the same data through /v1/tools/call with the token', async () => {
      await callHttp('process_agent_update', { agent_id: 'remote-agent', operation: 'edit', complexity: 0.5 });
      const client = new HttpGovernanceClient(srv.url, () => Promise.resolve(srv.token));
      const agents = await client.listAgents();
      assert.ok(agents.some((a) => a.agent_id === 'remote-agent' && a.last_decision !== null));
      const stored = await client.storeDiscovery({ discoveryType: 'insight', summary: 'Remote insight about caching' });
      assert.equal(stored.agent_id, 'vscode-user');
      assert.equal((await client.searchDiscoveries('caching')).discoveries[0]?.id, stored.id);
      assert.deepEqual(await client.listSessions(), []);
      await assert.rejects(client.getDiscoveryDetails('missing'), (e: unknown) => e instanceof GovernanceClientError && e.code === 'not_found');
      client.dispose();
    });

    it('names the failure for a wrong token and for a server that is gone', async () => {
      const bad = new HttpGovernanceClient(srv.url, () => Promise.resolve('wrong-token'));
      await assert.rejects(bad.listAgents(), (e: unknown) => e instanceof GovernanceClientError && e.code !== 'unreachable');
      const gone = new HttpGovernanceClient('http://127.0.0.1:9', () => Promise.resolve(srv.token), { timeoutMs: 2000 });
      await assert.rejects(gone.listAgents(), (e: unknown) => e instanceof GovernanceClientError && e.code === 'unreachable' && e.message.includes('127.0.0.1:9'));
    });

    it('polls while subscribed: a discovery stored elsewhere is reported as a "knowledge" change, an agent update as "agents"', async () => {
      const client = new HttpGovernanceClient(srv.url, () => Promise.resolve(srv.token), { pollMs: 50 });
      const seen: GovernanceTopic[][] = [];
      const off = client.onDidChange((t) => seen.push([...t]));
      await new Promise((r) => setTimeout(r, 120)); // baseline
      await srv.server.app.knowledge.store({ agentId: 'other', discoveryType: 'note', summary: 'Stored in process' });
      const deadline = Date.now() + 3000;
      while (!seen.some((t) => t.includes('knowledge')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(seen.some((t) => t.includes('knowledge')), JSON.stringify(seen));
      await callHttp('process_agent_update', { agent_id: 'late-agent', operation: 'x', complexity: 0.2 });
      while (!seen.some((t) => t.includes('agents')) && Date.now() < deadline + 3000) await new Promise((r) => setTimeout(r, 20));
      assert.ok(seen.some((t) => t.includes('agents')), JSON.stringify(seen));
      off();
      const count = seen.length;
      await srv.server.app.knowledge.store({ agentId: 'other', discoveryType: 'note', summary: 'Nobody listens' });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(seen.length, count, 'no polling without a listener');
      client.dispose();
    });
  });

  describe('the "reviews" topic (dialectic reviews)', () => {
    const clients = (): [string, GovernanceClient][] => [
      ['in process', new InProcessGovernanceClient(srv.url, srv.server.app, { coalesceMs: 10 })],
      ['over HTTP', new HttpGovernanceClient(srv.url, () => Promise.resolve(srv.token), { pollMs: 50 })],
    ];
    const waitFor = async (seen: GovernanceTopic[][], topic: GovernanceTopic, from: number, what: string) => {
      const deadline = Date.now() + 3000;
      while (!seen.slice(from).some((t) => t.includes(topic)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(seen.slice(from).some((t) => t.includes(topic)), `${what}: ${JSON.stringify(seen)}`);
    };

    it('is reported when a review opens, when its open reviewer slot is claimed and on a synthesis, in process and over HTTP', async () => {
      for (const id of ['req-a', 'req-b', 'peer']) await callHttp('process_agent_update', { agent_id: id, operation: 'warm up', complexity: 0.2 }, id);
      let requester = 0;
      for (const [how, client] of clients()) {
        const agent = ['req-a', 'req-b'][requester++]!;
        const seen: GovernanceTopic[][] = [];
        const off = client.onDidChange((t) => seen.push([...t]));
        await new Promise((r) => setTimeout(r, 120)); // the HTTP client's baseline
        const opened = await callHttp('request_dialectic_review', { agent_id: agent, reviewer_mode: 'any', auto_progress: true, reason: 'check me' }, agent);
        await waitFor(seen, 'reviews', 0, `${how}: opened`);
        const id = opened.result.session_id as string;
        let from = seen.length;
        await callHttp('submit_antithesis', { session_id: id, agent_id: 'peer', reasoning: 'looks risky' }, 'peer');
        await waitFor(seen, 'reviews', from, `${how}: claimed`);
        from = seen.length;
        await callHttp('submit_synthesis', { session_id: id, agent_id: agent, agrees: false, reasoning: 'no' }, agent);
        await waitFor(seen, 'reviews', from, `${how}: a synthesis`);
        off();
        client.dispose();
        // 'peer' reviews one session at a time: end this one before the next client's round.
        for (let round = 0; round < 4; round++) await callHttp('submit_synthesis', { session_id: id, agent_id: round % 2 ? agent : 'peer', agrees: false, reasoning: 'still no' }, round % 2 ? agent : 'peer');
      }
    });
  });

  describe('what the panels read, the same in process and over HTTP', () => {
    const clients = (): [string, GovernanceClient][] => [
      ['in process', new InProcessGovernanceClient(srv.url, srv.server.app, { coalesceMs: 10 })],
      ['over HTTP', new HttpGovernanceClient(srv.url, () => Promise.resolve(srv.token), { pollMs: 50 })],
    ];

    it('pages the knowledge graph (most recent or ranked, filtered, with a cursor), pages agents with their total, reads the audit log', async () => {
      for (let i = 0; i < 5; i++) await callHttp('store_discovery_graph', { discovery_type: i % 2 ? 'insight' : 'bug_found', summary: `cache finding ${i}`, tags: [i % 2 ? 'cache' : 'db'] }, `author-${i % 2}`);
      await callHttp('process_agent_update', { agent_id: 'pager', operation: 'edit', complexity: 0.4 });
      await srv.server.app.approvals.decide({ source: 'codex-full-access', agentId: 'asker', sandbox: 'danger-full-access', approvalPolicy: 'on-request' });
      for (const [how, client] of clients()) {
        const first = await client.knowledgePage({ limit: 2 });
        assert.deepEqual([first.total, first.discoveries.map((d) => d.summary)], [5, ['cache finding 4', 'cache finding 3']], how);
        const second = await client.knowledgePage({ limit: 2, cursor: first.next_cursor });
        assert.deepEqual(second.discoveries.map((d) => d.summary), ['cache finding 2', 'cache finding 1'], how);
        const filtered = await client.knowledgePage({ limit: 10, agentId: 'author-1', tags: ['cache'], discoveryType: 'insight' });
        assert.deepEqual(filtered.discoveries.map((d) => d.summary), ['cache finding 3', 'cache finding 1'], how);
        const ranked = await client.knowledgePage({ query: 'finding 2', limit: 1 });
        assert.equal(ranked.discoveries[0]?.summary, 'cache finding 2', how);
        const agents = await client.agentsPage(1);
        assert.equal(agents.agents.length, 1, how);
        assert.ok(agents.total >= 3, `${how}: ${agents.total}`);
        const audit = await client.readAudit({ type: 'approval.answered', order: 'desc', limit: 5 });
        assert.deepEqual(audit.entries.map((e) => [e.agent, e.decision]), [['asker', 'deny']], how);
        await assert.rejects(client.readAudit({ limit: 1, cursor: '3' }), (e: unknown) => e instanceof GovernanceClientError && /cursor 3/.test(e.message), how);
        client.dispose();
      }
    });

    it('reports every agent update and every stored discovery: at once in process, by polling over HTTP', async () => {
      for (const [how, client] of clients()) {
        const updates: { agentId: string; action: string; operation: string }[] = [];
        const stored: number[] = [];
        const offs = [client.onAgentUpdate((u) => updates.push(u)), client.onDiscoveriesStored((n) => stored.push(n))];
        await new Promise((r) => setTimeout(r, 150)); // the HTTP baseline
        await callHttp('process_agent_update', { agent_id: `one-${client.kind}`, operation: 'a', complexity: 0.3 });
        for (const op of ['b', 'c', 'd']) await callHttp('process_agent_update', { agent_id: `three-${client.kind}`, operation: op, complexity: 0.3 });
        await srv.server.app.knowledge.store({ agentId: 'other', discoveryType: 'note', summary: `stored ${how} 1` });
        await srv.server.app.knowledge.store({ agentId: 'other', discoveryType: 'note', summary: `stored ${how} 2` });
        const deadline = Date.now() + 3000;
        while ((updates.length < 4 || stored.reduce((a, b) => a + b, 0) < 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const mine = (id: string) => updates.filter((u) => u.agentId === id);
        assert.equal(mine(`one-${client.kind}`).length, 1, `${how}: ${JSON.stringify(updates)}`);
        assert.match(mine(`one-${client.kind}`)[0]!.action, /^(PROCEED|PAUSE)$/);
        // Three updates between two polls come from the agent's history, with their operations.
        const three = mine(`three-${client.kind}`);
        assert.equal(three.length, 3, how);
        // Over HTTP the operations come from the history when a poll saw several updates; an update
        // a poll saw alone comes from the agent list, which has no operation text ('').
        if (client.kind === 'http') assert.deepEqual(three.map((u, i) => u.operation || ['b', 'c', 'd'][i]), ['b', 'c', 'd'], JSON.stringify(three.map((u) => u.operation)));
        assert.equal(stored.reduce((a, b) => a + b, 0), 2, how);
        for (const off of offs) off();
        client.dispose();
      }
    });
  });

  describe('GovernanceClientSource', () => {
    it('uses the in-process app for this window, HTTP for another window, nothing when stopped; keeps the client across equal states', async () => {
      const source = new GovernanceClientSource({ app: (url) => (url === srv.url ? srv.server.app : undefined), token: () => Promise.resolve(srv.token) });
      const changes: (string | undefined)[] = [];
      source.onDidChangeClient((c) => changes.push(c?.kind));
      source.update({ kind: 'running', url: srv.url });
      const first = source.current;
      assert.equal(first?.kind, 'in-process');
      source.update({ kind: 'running', url: srv.url });
      assert.equal(source.current, first, 'same server, same client');
      source.update({ kind: 'external', url: srv.url });
      assert.equal(source.current?.kind, 'http');
      assert.equal((await source.current.listDiscoveries()).total, 0);
      source.update({ kind: 'stopped' });
      assert.equal(source.current, undefined);
      assert.deepEqual(changes, ['in-process', 'http', undefined]);
      source.dispose();
    });
  });
});
