/**
 * The real Codex CLI as an MCP client of the governance server: Codex 0.153.4 (`codex mcp-server`,
 * driven by the SDK Client) and the current Codex (`codex app-server`), each with a temp CODEX_HOME whose
 * config.toml lists the governance server under [mcp_servers] (url + bearer_token_env_var). The
 * fake model's scripted turn calls `store_discovery_graph`; the discovery must land in the SQLite file.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { killAllSpawned } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { bundledCodex, codexBinaries, startCodexAppServer, startCodexMcpServer } from '../fakes/codex-processes';
import { functionCallOutput, replyMessage, scriptMcpToolCall, startFakeModelServer, type FakeModelServer } from '../fakes/fake-model-server';
import { startTestServer, type TestServer } from '../helpers/governance-server';

const bins = codexBinaries();

function discoveriesInDb(dataDir: string, summary: string): Array<{ id: string; agent_id: string; discovery_type: string; tags: string }> {
  const db = new DatabaseSync(join(dataDir, 'governance.db'), { readOnly: true });
  try {
    return db.prepare('SELECT id, agent_id, discovery_type, tags FROM discoveries WHERE summary = ?').all(summary) as never;
  } finally {
    db.close();
  }
}

describe('Codex as an MCP client of the governance server', function () {
  this.timeout(120_000);
  let gov: TestServer;
  let fake: FakeModelServer;
  let home: CodexHome;

  beforeEach(async () => {
    gov = await startTestServer();
    fake = await startFakeModelServer();
    home = await createCodexHome({
      modelBaseUrl: fake.baseUrl,
      mcpServers: {
        governance: {
          url: `${gov.url}/mcp`,
          bearerTokenEnvVar: 'CODEX_GOVERNANCE_TOKEN',
          bearerToken: gov.token,
          // The governance tools only touch the governance database; let Codex call them unasked.
          defaultToolsApprovalMode: 'approve',
        },
      },
    });
  });

  afterEach(async () => {
    await killAllSpawned();
    await home.cleanup();
    await fake.close();
    await gov.stop();
  });

  /** Script: call store_discovery_graph, then answer with the tool output Codex fed back. */
  function scriptStore(summary: string): void {
    fake.enqueue(
      scriptMcpToolCall('governance', 'store_discovery_graph', {
        discovery_type: 'bug_found',
        summary,
        details: 'Seen while running the integration suite',
        tags: ['codex', 'e2e'],
      }),
      (request) => replyMessage(`governance said: ${functionCallOutput(request) ?? 'nothing'}`),
    );
  }

  it('codex mcp-server 0.153.4 stores a discovery through the governance tools', async () => {
    const summary = 'Codex 0.153 stored this through the governance server';
    scriptStore(summary);
    const codex = await startCodexMcpServer(bins.legacy, home);
    try {
      const result = (await codex.client.callTool(
        { name: 'codex', arguments: { prompt: 'Record what you found.', 'approval-policy': 'never', sandbox: 'read-only', cwd: home.workDir } },
        undefined,
        { timeout: 90_000 },
      )) as CallToolResult;
      assert.ok(!result.isError, JSON.stringify(result.content));
      const rows = discoveriesInDb(gov.dataDir, summary);
      assert.equal(rows.length, 1, 'the discovery is in the database');
      assert.equal(rows[0]!.discovery_type, 'bug_found');
      assert.deepEqual(JSON.parse(rows[0]!.tags).sort(), ['codex', 'e2e']);
      // No agent_id argument: the MCP session (Codex's clientInfo) is the agent.
      assert.match(rows[0]!.agent_id, /^[a-z0-9_.-]+-[0-9a-f]{8}$/);
      const content = (result.structuredContent as { content?: string } | undefined)?.content ?? '';
      assert.match(content, new RegExp(rows[0]!.id), 'the model saw the stored discovery id');
    } finally {
      await codex.close();
    }
  });

  it(`codex app-server ${bundledCodex().current.version} stores a discovery through the governance tools`, async () => {
    const summary = 'Codex app-server stored this through the governance server';
    scriptStore(summary);
    const app = await startCodexAppServer(bins.current, home);
    try {
      const done = app.rpc.waitForNotification((n) => n.method === 'turn/completed', 90_000);
      const started = await app.rpc.request<{ thread: { id: string } }>('thread/start', { cwd: home.workDir, sandbox: 'read-only', approvalPolicy: 'never' });
      await app.rpc.request('turn/start', { threadId: started.thread.id, input: [{ type: 'text', text: 'Record what you found.' }] });
      const completed = await done;
      assert.ok(completed, 'turn completed');
      const rows = discoveriesInDb(gov.dataDir, summary);
      assert.equal(rows.length, 1, 'the discovery is in the database');
      assert.equal(rows[0]!.discovery_type, 'bug_found');
    } finally {
      await app.close();
    }
  });
});
