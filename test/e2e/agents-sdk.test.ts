/**
 * The OpenAI Agents SDK (`@openai/agents`) as a client of the governance server: an `Agent` whose
 * tools come from `MCPServerStreamableHttp` pointed at `/mcp`, run against a fake Chat Completions
 * model. The SDK gives MCP tools no `needsApproval` (agents-core `mcpToFunctionTool`), so the
 * server must hold a `codex` call asking for full access itself: a real Codex is configured (with
 * its own fake Responses model) and never asked. The setup code is the README's ("OpenAI Agents SDK").
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { Agent, createMCPToolStaticFilter, MCPServerStreamableHttp, OpenAIChatCompletionsModel, run, setTracingDisabled } from '@openai/agents';
import { parseApprovalPolicy } from '../../src/approvals/policy';
import { ScriptedPrompter } from '../../src/approvals/prompters';
import type { RunningGovernanceServer } from '../../src/server/api';
import { startGovernanceServer } from '../../src/server/server';
import type { AuditRecord } from '../../src/store/audit';
import { killAllSpawned } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { bundledCodex } from '../fakes/codex-processes';
import { startFakeChatCompletions, offeredTools, type FakeChatCompletions, type FakeChatReply, type RecordedChatRequest } from '../fakes/fake-chat-completions';
import { replyExec, replyMessage, startFakeModelServer, type FakeModelServer } from '../fakes/fake-model-server';

const TOKEN = 'agents-sdk-token-0123456789abcdef';
const TOOLS = ['process_agent_update', 'store_discovery_graph', 'search_knowledge_graph', 'codex'];

/** The tool results the SDK sent back to the model so far (Chat Completions `role: "tool"` messages), as text. */
function toolResults(req: RecordedChatRequest): string[] {
  return (req.body.messages ?? []).filter((m) => m.role === 'tool').map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));
}

/** Unescapes a tool result that may be JSON inside a JSON string, so a regex can read it. */
const plain = (s: string) => s.replace(/\\"/g, '"');

describe('OpenAI Agents SDK as a client of the governance server (MCP over Streamable HTTP)', function () {
  this.timeout(120_000);
  let dataDir: string;
  let server: RunningGovernanceServer;
  let chat: FakeChatCompletions;
  let codexModel: FakeModelServer;
  let home: CodexHome;
  let model: (req: RecordedChatRequest) => FakeChatReply;
  let gov: MCPServerStreamableHttp;
  let agent: Agent;

  before(async () => {
    setTracingDisabled(true);
    codexModel = await startFakeModelServer({});
    home = await createCodexHome({ modelBaseUrl: codexModel.baseUrl });
    dataDir = mkdtempSync(join(tmpdir(), 'cg-agents-sdk-'));
    server = await startGovernanceServer({
      port: 0,
      dataDir,
      token: TOKEN,
      rateLimitPerMinute: 100_000,
      hostKind: 'test',
      codex: { located: bundledCodex().current.located, env: home.env, defaultCwd: home.workDir, warmSpares: 0, systemConfigPath: join(home.root, 'no-system-config.toml') },
      // Headless, no prompter: the policy alone decides (the defaults auto-approve low risk only).
      approvals: { policy: parseApprovalPolicy({ timeoutSeconds: 10 }) },
      workspaceRoots: [home.workDir],
    });
    chat = await startFakeChatCompletions({ reply: (req) => model(req) });

    // The README's setup, with the fake's base URL and the test server's token.
    const openai = new OpenAI({ baseURL: chat.baseUrl, apiKey: 'sk-test-key' });
    gov = new MCPServerStreamableHttp({
      url: `${server.url}/mcp`,
      name: 'codex-governance',
      requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
      toolFilter: createMCPToolStaticFilter({ allowed: TOOLS }),
    });
    await gov.connect();
    agent = new Agent({
      name: 'Governed agent',
      instructions: 'Report your work with process_agent_update and follow its decision; share what you learn with store_discovery_graph.',
      model: new OpenAIChatCompletionsModel(openai, 'gpt-test'),
      mcpServers: [gov],
    });
  });
  after(async () => {
    await gov?.close();
    await server?.close();
    await chat?.close();
    await codexModel?.close();
    await home?.cleanup();
    await killAllSpawned();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the model calls process_agent_update and store_discovery_graph; the server records both and the decision reaches the model', async () => {
    let decision: string | undefined;
    const from = chat.requests.length;
    model = (req) => {
      const results = toolResults(req);
      if (results.length === 0) return { content: null, toolCalls: [{ name: 'process_agent_update', arguments: { operation: 'Refactor the auth module', complexity: 0.4, confidence: 0.8 } }] };
      if (results.length === 1) {
        decision = /"action"\s*:\s*"(PROCEED|PAUSE)"/.exec(plain(results[0]!))?.[1];
        return { content: null, toolCalls: [{ name: 'store_discovery_graph', arguments: { summary: 'Session tokens compared with a constant-time check', details: 'Found while refactoring auth.', discovery_type: 'insight', tags: ['auth', 'agents-sdk'] } }] };
      }
      return { content: `Governance said ${decision ?? 'nothing'}; discovery stored.` };
    };
    const result = await run(agent, 'Refactor the auth module and share what you learn.');

    const mine = chat.requests.slice(from);
    assert.equal(mine.length, 3, 'tool call, tool call, answer');
    assert.deepEqual(offeredTools(mine[0]!).sort(), [...TOOLS].sort(), 'the tool filter offers exactly the allowed governance tools');
    assert.ok(decision, `a governance decision reached the model: ${toolResults(mine[1]!)[0]?.slice(0, 200)}`);
    assert.match(plain(toolResults(mine[1]!)[0]!), /"governance_decision"/);
    assert.equal(result.finalOutput, `Governance said ${decision}; discovery stored.`);

    // What the server recorded: the agent (named after the SDK's MCP client) and its discovery.
    const agentId = /"agent_id"\s*:\s*"([^"]+)"/.exec(plain(toolResults(mine[1]!)[0]!))?.[1];
    assert.match(agentId ?? '', /^codex-governance-[0-9a-f]{8}$/);
    const state = await callHttp('get_governance_metrics', { agent_id: agentId });
    assert.equal(state.update_count, 1);
    assert.equal(state.last_decision?.action, decision);
    assert.equal(state.history[0]?.operation, 'Refactor the auth module');
    assert.equal(state.client_name, 'codex-governance');
    const found = await callHttp('search_knowledge_graph', { query: 'constant-time session tokens' });
    const hits = (found.discoveries as Array<{ summary: string; agent_id: string; tags: string[] }>).filter((d) => d.agent_id === agentId);
    assert.equal(hits.length, 1, JSON.stringify(found).slice(0, 300));
    assert.equal(hits[0]!.summary, 'Session tokens compared with a constant-time check');
    assert.deepEqual(hits[0]!.tags.sort(), ['agents-sdk', 'auth']);
  });

  it('a codex call asking for danger-full-access is held by the server and denied headless; Codex is never asked', async () => {
    const marker = join(home.workDir, 'full-access-marker');
    // What Codex would do if it ran: the marker proves it did not.
    codexModel.enqueue(replyExec(`touch ${marker}`), replyMessage('done'));
    const from = chat.requests.length;
    model = (req) =>
      toolResults(req).length === 0
        ? { content: null, toolCalls: [{ name: 'codex', arguments: { prompt: 'Clean up the build folder', sandbox: 'danger-full-access', cwd: home.workDir } }] }
        : { content: `codex answered: ${toolResults(req)[0]}` };
    const result = await run(agent, 'Clean up the build folder with Codex.');

    const toModel = plain(toolResults(chat.requests.at(-1)!)[0] ?? '');
    assert.equal(chat.requests.length - from, 2);
    assert.match(toModel, /^forbidden: danger-full-access was not approved: Denied danger-full-access: no person can be asked on this headless server/);
    assert.match(String(result.finalOutput), /Denied/);
    assert.equal(codexModel.responsesRequests().length, 0, 'Codex was never asked');
    const denied = await audit('deny');
    const line = denied.find((d) => d.source === 'codex-full-access');
    assert.ok(line, JSON.stringify(denied).slice(0, 400));
    assert.equal(line.decided_by, 'policy');
  });

  it('with a person to ask (what VS Code plugs in), the request reaches the prompt showing full access, and the answer reaches the model', async () => {
    const prompter = new ScriptedPrompter([{ decision: 'deny', reason: 'not from an unattended agent' }]);
    server.app.approvals.setPrompter(prompter);
    try {
      model = (req) =>
        toolResults(req).length === 0
          ? { content: null, toolCalls: [{ name: 'codex', arguments: { prompt: 'Reinstall the toolchain', sandbox: 'danger-full-access', cwd: home.workDir } }] }
          : { content: 'ok' };
      await run(agent, 'Reinstall the toolchain with Codex.');
      assert.equal(prompter.seen.length, 1);
      const shown = prompter.seen[0]!;
      assert.equal(shown.sandbox, 'danger-full-access');
      assert.equal(shown.cwd, home.workDir);
      assert.match(shown.agentId ?? '', /^codex-governance-[0-9a-f]{8}$/);
      assert.ok(['high', 'critical'].includes(shown.risk));
      assert.match(plain(toolResults(chat.requests.at(-1)!)[0] ?? ''), /not from an unattended agent/);
      assert.equal(codexModel.responsesRequests().length, 0, 'Codex was never asked');
    } finally {
      server.app.approvals.setPrompter(undefined);
    }
  });

  async function callHttp(name: string, args: Record<string, unknown>): Promise<Record<string, any>> {
    const res = await fetch(`${server.url}/v1/tools/call`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', 'X-Session-ID': 'test-reader' }, body: JSON.stringify({ name, arguments: args }) });
    const body = (await res.json()) as { success: boolean; result: Record<string, any>; error?: unknown };
    assert.equal(body.success, true, JSON.stringify(body.error));
    return body.result;
  }
  async function audit(decision: string): Promise<AuditRecord[]> {
    const res = await fetch(`${server.url}/audit?type=approval.answered&decision=${decision}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return ((await res.json()) as { entries: AuditRecord[] }).entries;
  }
});
