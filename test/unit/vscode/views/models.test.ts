import assert from 'node:assert/strict';
import { InProcessGovernanceClient } from '../../../../src/client/in-process';
import { HttpGovernanceClient } from '../../../../src/client/http';
import { AGENT_CONTEXT, loadAgents } from '../../../../src/vscode/views/agents-model';
import { CLEAR_SEARCH_COMMAND, DISCOVERY_CONTEXT, KnowledgeModel } from '../../../../src/vscode/views/knowledge-model';
import { ago, escapeMarkdown, oneLine } from '../../../../src/vscode/views/node';
import { renderAgent, renderDiscovery } from '../../../../src/vscode/views/render-docs';
import { agentIdOf, discoveryIdOf } from '../../../../src/vscode/views/targets';
import { startTestServer, type TestServer } from '../../../helpers/governance-server';

describe('views: Agents and Knowledge models', function () {
  let srv: TestServer;
  let client: InProcessGovernanceClient;
  const update = async (agentId: string, complexity: number, confidence: number, operation = 'work') => {
    const res = await fetch(`${srv.url}/v1/tools/call`, {
      method: 'POST',
      headers: { ...srv.auth, 'x-session-id': agentId, 'user-agent': 'codex-test/1.0' },
      body: JSON.stringify({ name: 'process_agent_update', arguments: { agent_id: agentId, operation, complexity, confidence } }),
    });
    return ((await res.json()) as { result: { governance_decision: { action: string; reason: string } } }).result.governance_decision;
  };

  beforeEach(async () => {
    srv = await startTestServer();
    client = new InProcessGovernanceClient(srv.url, srv.server.app);
  });
  afterEach(async () => {
    client.dispose();
    await srv.stop();
  });

  describe('Agents', () => {
    it('shows nothing without a server (the welcome content explains) and nothing while no agent reported', async () => {
      assert.deepEqual(await loadAgents(undefined), { nodes: [] });
      assert.deepEqual((await loadAgents(client)).nodes, []);
    });

    it('lists each agent with its last decision in the row and the reason in the tooltip; a PAUSE gets the warning icon and counts in the title', async () => {
      const calm = await update('calm-agent', 0.2, 0.9, 'read the docs');
      let risky = await update('risky-agent', 1, 0.05, 'rewrite everything');
      for (let i = 0; i < 12 && risky.action !== 'PAUSE'; i++) risky = await update('risky-agent', 1, 0.05, `rewrite ${i}`);
      assert.equal(risky.action, 'PAUSE', 'sustained maximal complexity with no confidence pauses the agent');
      const content = await loadAgents(client, Date.now());
      const rows = new Map(content.nodes.map((n) => [n.label, n]));
      const calmRow = rows.get('calm-agent')!;
      const riskyRow = rows.get('risky-agent')!;
      assert.match(calmRow.description!, new RegExp(`^${calm.action} · just now$`));
      // The PAUSE opened a peer review by itself (dialectic.autoReviewOnPause is on by default).
      assert.match(riskyRow.description!, /^PAUSE · in review · (⚠ [^·]+ · )?just now$/);
      assert.match(riskyRow.tooltip!, /Under peer review \\\(session [0-9a-f]+\\\)/);
      assert.equal(riskyRow.icon?.id, 'debug-pause');
      assert.equal(calmRow.icon?.id, calm.action === 'PAUSE' ? 'debug-pause' : 'pass');
      assert.ok(riskyRow.tooltip!.includes(escapeMarkdown(risky.reason)), riskyRow.tooltip);
      assert.match(riskyRow.tooltip!, /\*\*PAUSE\*\*/);
      assert.match(riskyRow.tooltip!, /risk \d\.\d\d · coherence \d\.\d\d/);
      assert.ok(riskyRow.tooltip!.includes('(codex\\-test/1\\.0)'), `client name from the User-Agent, escaped: ${riskyRow.tooltip}`);
      assert.equal(riskyRow.contextValue, AGENT_CONTEXT);
      assert.deepEqual(riskyRow.target, { kind: 'agent', agentId: 'risky-agent' });
      assert.deepEqual(riskyRow.command?.arguments, [{ kind: 'agent', agentId: 'risky-agent' }]);
      assert.equal(content.description, `2, ${calm.action === 'PAUSE' ? 2 : 1} paused`);
      assert.equal(content.nodes[0]?.label, 'risky-agent', 'most recently active first');
    });

    it('also lists the agents that touched the server without reporting: tool calls, approval requests (Codex hook), not this extension', async () => {
      const call = (sessionId: string, name: string, args: Record<string, unknown>) =>
        fetch(`${srv.url}/v1/tools/call`, { method: 'POST', headers: { ...srv.auth, 'x-session-id': sessionId, 'user-agent': 'probe/2.0' }, body: JSON.stringify({ name, arguments: args }) });
      await (await call('only-health', 'health_check', {})).json();
      await (await call('only-health', 'list_knowledge_graph', {})).json();
      // A Codex session asking through its PermissionRequest hook: an approval request, no update.
      const hook = await fetch(`${srv.url}/v1/hooks/codex`, {
        method: 'POST',
        headers: { ...srv.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ session_id: '0199aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee', hook_event_name: 'PermissionRequest', cwd: '/repo', permission_mode: 'default', tool_name: 'Bash', tool_input: { command: 'rm -rf ../x', description: 'clean up' } }),
      });
      const answered = (await hook.json()) as { agent_id: string };
      await update('reporter', 0.2, 0.9);
      await client.listAgents(10);
      const content = await loadAgents(client, Date.now());
      const rows = new Map(content.nodes.map((n) => [n.label, n]));
      assert.deepEqual([...rows.keys()].sort(), [answered.agent_id, 'only-health', 'reporter'].sort(), 'no row for the in-process reads of this extension');
      assert.equal(content.nodes[0]?.label, 'reporter', 'reporting agents first');
      assert.match(rows.get('only-health')!.description!, /^no report · 2 tool calls · just now$/);
      assert.ok(rows.get('only-health')!.tooltip!.includes(`(${escapeMarkdown('probe/2.0')})`), rows.get('only-health')!.tooltip);
      assert.match(rows.get(answered.agent_id)!.description!, /^no report · 1 approval · /);
      assert.deepEqual(rows.get(answered.agent_id)!.target, { kind: 'agent', agentId: answered.agent_id });
      assert.equal(content.description, '3');
    });

    it('shows a row naming the failure when the server cannot be read', async () => {
      const gone = new HttpGovernanceClient('http://127.0.0.1:9', () => Promise.resolve('x'), { timeoutMs: 1000 });
      const content = await loadAgents(gone);
      assert.equal(content.nodes.length, 1);
      assert.equal(content.nodes[0]?.label, 'Could not load agents');
      assert.match(content.nodes[0]?.description ?? '', /127\.0\.0\.1:9/);
      assert.equal(content.nodes[0]?.icon?.id, 'error');
    });
  });

  describe('Knowledge', () => {
    it('lists recent discoveries newest first with type, author and time; tooltip has details, tags and id', async () => {
      const first = await client.storeDiscovery({ discoveryType: 'bug_found', summary: 'Race in the cache layer', details: 'Two writers, one lock', tags: ['cache', 'race'], severity: 'high' });
      const second = await client.storeDiscovery({ agentId: 'codex-1', discoveryType: 'insight', summary: 'Batching halves latency' });
      const model = new KnowledgeModel();
      const content = await model.load(client);
      assert.deepEqual(content.nodes.map((n) => n.label), ['Batching halves latency', 'Race in the cache layer']);
      assert.equal(content.description, '2');
      const bug = content.nodes[1]!;
      assert.equal(bug.description, 'bug_found · vscode-user · just now');
      assert.deepEqual(bug.icon, { id: 'bug', color: 'list.errorForeground' });
      assert.equal(content.nodes[0]?.icon?.id, 'lightbulb');
      assert.match(bug.tooltip!, /Two writers, one lock/);
      assert.match(bug.tooltip!, /tags cache, race/);
      assert.match(bug.tooltip!, /severity high/);
      assert.ok(bug.tooltip!.includes(escapeMarkdown(first.id)));
      assert.equal(bug.contextValue, DISCOVERY_CONTEXT);
      assert.deepEqual(content.nodes[0]?.target, { kind: 'discovery', id: second.id, summary: 'Batching halves latency' });
    });

    it('search shows a "clear search" row first and the matches best first; clearing returns to the recent list', async () => {
      await client.storeDiscovery({ discoveryType: 'note', summary: 'Flaky parser test on Windows', details: 'parser parser parser' });
      await client.storeDiscovery({ discoveryType: 'note', summary: 'Deploy checklist' });
      await client.storeDiscovery({ discoveryType: 'note', summary: 'Parser is slow', details: 'profile it' });
      const model = new KnowledgeModel();
      model.setQuery('  parser ');
      assert.equal(model.query, 'parser');
      const content = await model.load(client);
      const [search, ...hits] = content.nodes;
      assert.equal(search?.label, 'Search: "parser"');
      assert.equal(search?.description, '2 results · clear search');
      assert.equal(search?.command?.command, CLEAR_SEARCH_COMMAND);
      assert.deepEqual(hits.map((h) => h.label).sort(), ['Flaky parser test on Windows', 'Parser is slow']);
      assert.equal(content.description, '2 results');
      model.setQuery('zebra-nothing-matches');
      const none = await model.load(client);
      assert.equal(none.nodes.length, 1, 'only the search row, so clearing stays one click away');
      assert.equal(none.nodes[0]?.description, '0 results · clear search');
      model.setQuery('   ');
      assert.equal(model.query, undefined);
      assert.equal((await model.load(client)).nodes.length, 3);
    });

    it('escapes agent-written Markdown in tooltips so a summary cannot add links or images', async () => {
      await client.storeDiscovery({ discoveryType: 'note', summary: 'See [this](command:workbench.action.quit) ![x](http://evil/x.png) <b>hi</b>' });
      const [row] = (await new KnowledgeModel().load(client)).nodes;
      assert.ok(!/\]\(/.test(row!.tooltip!.replace(/\\\]\\\(/g, '')), row!.tooltip);
      assert.ok(row!.tooltip!.includes('\\[this\\]\\(command:workbench\\.action\\.quit\\)'));
      assert.ok(row!.tooltip!.includes('\\<b\\>'));
    });
  });

  describe('documents and helpers', () => {
    it('renders an observed agent with its decision, state, trend and recent updates', async () => {
      await update('doc-agent', 0.4, 0.7, 'edit | parser');
      const text = renderAgent(await client.observeAgent('doc-agent'));
      assert.match(text, /^# Agent doc-agent/);
      assert.match(text, /\*\*(PROCEED|PAUSE)\*\*/);
      assert.match(text, /Reason: \S/);
      assert.match(text, /\| E \| I \| S \| V \| coherence \| risk \|/);
      assert.match(text, /Trend over the last 1 update:/);
      assert.ok(text.includes('edit \\| parser'), 'a pipe in an operation does not break the table');
    });

    it('renders a discovery with its details and links in both directions', async () => {
      const a = await client.storeDiscovery({ discoveryType: 'question', summary: 'Why is CI slow?' });
      const b = await srv.server.app.knowledge.store({ agentId: 'codex-2', discoveryType: 'answer', summary: 'Cold caches', details: 'The cache key changes per run.', relatedTo: [a.id] });
      const textB = renderDiscovery(await client.getDiscoveryDetails(b.id));
      assert.match(textB, /^# Cold caches/);
      assert.match(textB, /answer by codex-2/);
      assert.match(textB, /## Details\n\nThe cache key changes per run\./);
      assert.ok(textB.includes(`- related_to: Why is CI slow? (question, id ${a.id})`));
      assert.match(renderDiscovery(await client.getDiscoveryDetails(a.id)), /## Linked from\n\n- related_to: Cold caches/);
    });

    it('reads the target of a command from a tree row, a click argument or an id', () => {
      assert.equal(agentIdOf({ id: 'agent:x', label: 'x', target: { kind: 'agent', agentId: 'x' } }), 'x');
      assert.equal(agentIdOf({ kind: 'agent', agentId: 'y' }), 'y');
      assert.equal(agentIdOf('z'), 'z');
      assert.equal(agentIdOf({ kind: 'discovery', id: 'd', summary: '' }), undefined);
      assert.equal(discoveryIdOf({ target: { kind: 'discovery', id: 'd1', summary: 's' } }), 'd1');
      assert.equal(discoveryIdOf(undefined), undefined);
    });

    it('formats times and one-line cuts', () => {
      const now = Date.parse('2026-01-01T12:00:00Z');
      assert.equal(ago('2026-01-01T11:59:58Z', now), 'just now');
      assert.equal(ago('2026-01-01T11:59:30Z', now), '30 s ago');
      assert.equal(ago('2026-01-01T11:57:00Z', now), '3 min ago');
      assert.equal(ago('2026-01-01T09:00:00Z', now), '3 h ago');
      assert.equal(ago('2025-12-30T12:00:00Z', now), '2 d ago');
      assert.equal(oneLine('a\n b   c', 10), 'a b c');
      assert.equal(oneLine('abcdefghijkl', 5), 'abcd…');
    });
  });
});
