/**
 * The governed OpenAI agent in VS Code (issue 13): "Set OpenAI API Key" through its password input
 * box (reached from the missing-key message's action), a task posted to the queue and run from the
 * Tasks view against a fake Chat Completions model that streams text, calls a governance tool and
 * then an MCP tool that needs approval (a real MCP server over Streamable HTTP); the Agent run panel
 * shows the text growing, the tool calls, the approval card answered from the panel, the result,
 * and the task ends done in the Tasks view; a wrong base URL ends the run with a message naming the
 * setting, and its task goes back to the queue. Needs the code-server runner.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { offeredTools, startFakeChatCompletions, toolMessages, type FakeChatAnswer, type FakeChatCompletions, type RecordedChatRequest } from '../../fakes/fake-chat-completions';
import { startTinyMcpServer, type TinyMcpServer } from '../../fakes/tiny-mcp-server';
import { askRunner, type WebviewAction } from '../bridge';
import { activateExtension, callTool, readToken, until, waitForState } from '../helpers';

interface Render {
  runId: string;
  events: number;
  status: string;
  textChars: number;
  toolCalls: number;
  pending: number;
}

const KEY = `sk-it-${Math.random().toString(36).slice(2, 12)}`;
const TOKEN_VAR = 'CODEX_GOV_IT_AGENT_MCP_TOKEN';
const STREAMED = Array.from({ length: 40 }, (_, i) => `word${i + 1}`).join(' ');

/** Resolved by the test once the run's panel shows: the first answer streams only then, so the page sees it grow. */
let panelShown: () => void = () => undefined;
const shown = new Promise<void>((resolve) => (panelShown = resolve));

/** Turn 1 streams text and calls a governance tool; turn 2 calls the MCP tool that needs approval; turn 3 answers. */
async function model(request: RecordedChatRequest): Promise<FakeChatAnswer> {
  const results = toolMessages(request);
  const offered = offeredTools(request);
  if (results.length === 0) {
    await shown;
    return { content: `Checking the server first. ${STREAMED}`, wordDelayMs: 150, toolCalls: [{ name: 'health_check', arguments: {} }] };
  }
  if (results.length === 1) {
    if (!offered.includes('tiny__add')) return { status: 400, message: `tiny__add was not offered: ${offered.join(', ')}` };
    return { content: 'Now adding the numbers.', toolCalls: [{ name: 'tiny__add', arguments: { a: 2, b: 3 } }] };
  }
  return { content: `The sum is **${results.at(-1)?.content.match(/\d+/)?.[0] ?? '?'}**.` };
}

export function registerAgentRunSuite(): void {
  describe('Governed OpenAI agent in VS Code', function () {
    this.timeout(180_000);
    let url: string;
    let token: string;
    let fake: FakeChatCompletions;
    let tiny: TinyMcpServer;
    let dir: string;
    const agents = () => vscode.workspace.getConfiguration('codexGovernance.agents');

    const tasks = async (): Promise<Array<{ task_id: string; status: string; claimed_by: string | null; result?: string | null }>> => {
      const body = await callTool(url, token, 'agent-run-it', 'list_tasks', { limit: 200 });
      if (!body.success) throw new Error(JSON.stringify(body.error));
      return (body.result as { tasks: Array<{ task_id: string; status: string; claimed_by: string | null; result?: string | null }> }).tasks;
    };
    const taskStatus = async (id: string) => (await tasks()).find((t) => t.task_id === id);

    async function page(name: string, actions: WebviewAction[]): Promise<string> {
      const r = await askRunner({ op: 'webview', name, actions }, 90_000);
      assert.ok(r.ok, `${r.error ?? ''}\npage text:\n${r.text ?? ''}`);
      return r.text ?? '';
    }

    /** Waits for the run's page to show `title` (each runner wait is 15 s; a loaded machine may take longer to start a webview). */
    async function opened(name: string, title: string): Promise<void> {
      let last = '';
      for (let attempt = 0; attempt < 6; attempt++) {
        const r = await askRunner({ op: 'webview', name, actions: [{ waitText: '#title', contains: title }] }, 90_000);
        if (r.ok) return;
        last = `${r.error ?? ''} ${r.text ?? ''}`;
      }
      assert.fail(`The Agent run panel did not show "${title}" within 90 s: ${last}`);
    }

    before(async function () {
      const api = await activateExtension();
      await waitForState(api, (s) => s.kind === 'running');
      url = api.serverUrl()!;
      token = await readToken();
      fake = await startFakeChatCompletions({ reply: model });
      // Open-world, not destructive: medium risk, so the prompter shows a notification (not a modal) beside the panel's card.
      tiny = await startTinyMcpServer({ token: 'tiny-secret', annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true } });
      process.env[TOKEN_VAR] = 'tiny-secret';
      dir = mkdtempSync(join(tmpdir(), 'agent-run-it-'));
      const config = join(dir, 'config.toml');
      writeFileSync(config, `[mcp_servers.tiny]\nurl = "${tiny.url}"\nbearer_token_env_var = "${TOKEN_VAR}"\n`);
      const g = vscode.ConfigurationTarget.Global;
      await agents().update('baseUrl', fake.baseUrl, g);
      await agents().update('model', 'fake-agent-model', g);
      await agents().update('maxRetries', 0, g);
      await agents().update('requestTimeoutSeconds', 90, g);
      await agents().update('mcpConfig', config, g);
      await vscode.commands.executeCommand('codexGovernance.agents.clearApiKey');
    });

    after(async function () {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      for (const k of ['baseUrl', 'model', 'maxRetries', 'requestTimeoutSeconds', 'mcpConfig']) await agents().update(k, undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('codexGovernance.agents.clearApiKey');
      delete process.env[TOKEN_VAR];
      await fake?.close();
      await tiny?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('with no API key a run does not start and offers "Set OpenAI API Key", whose password box stores the key', async function () {
      const started = await vscode.commands.executeCommand('codexGovernance.agents.run', { prompt: 'IT: never runs' });
      assert.equal(started, undefined);
      const note = await askRunner({ op: 'notification', name: 'agent-no-key', contains: 'no OpenAI API key is set', click: 'Set OpenAI API Key' });
      assert.ok(note.ok, note.error);
      assert.ok(note.buttons?.includes('Set OpenAI API Key'), JSON.stringify(note.buttons));
      const typed = await askRunner({ op: 'inputbox', name: 'agent-set-key', contains: 'Set OpenAI API Key', value: KEY });
      assert.ok(typed.ok, typed.error);
      const stored = await askRunner({ op: 'notification', name: 'agent-key-stored', contains: `OpenAI API key stored (…${KEY.slice(-4)})` });
      assert.ok(stored.ok, stored.error);
      assert.equal(fake.requests.length, 0, 'no model request without a key');
      assert.ok(!JSON.stringify(agents()).includes(KEY), 'the key is not in the settings');
    });

    it('a task run from the Tasks view streams text, calls the tools, asks approval in the panel and ends done', async function () {
      const taskId = await vscode.commands.executeCommand<string>('codexGovernance.tasks.post', { description: 'IT agent: add 2 and 3 with the tiny server', task_id: 'IT_AGENT_ADD', priority: 'high' });
      assert.equal(taskId, 'IT_AGENT_ADD');
      await vscode.commands.executeCommand('codexGovernance.showTasks');
      const listed = await askRunner({ op: 'view', name: 'agent-tasks-open', title: 'Tasks', items: ['Open', 'IT agent: add 2 and 3'], click: { row: 'IT agent: add 2 and 3', action: 'Run Governed Agent on Task' } });
      assert.ok(listed.ok, listed.error);
      await until(async () => ((await taskStatus('IT_AGENT_ADD'))?.status === 'claimed' ? true : undefined));
      // The panel opens with the run (a loaded machine may take a while to start a webview).
      await opened('agent-run-opened', 'IT agent: add 2 and 3');
      panelShown();
      // The text grows while the model streams: an early part is on the page before the last word.
      const early = await page('agent-run-streaming', [{ waitText: '#log', contains: 'word5' }]);
      assert.ok(!early.includes('word40'), 'the page showed the text before the stream ended');
      const asked = await page('agent-run-approval', [
        { waitText: '#log', contains: 'word40' },
        { waitText: '#log', contains: 'health_check' },
        { waitText: '#pending', contains: 'Approve tiny/add?' },
      ]);
      assert.match(asked, /Allowed once \(governance tool, not asked\)/);
      assert.match(asked, /risk medium/);
      assert.match(asked, /"a":\s*2/);
      const done = await page('agent-run-done', [
        { click: '#pending vscode-button[data-decision="allow_once"]' },
        { waitText: '#end', contains: 'Done' },
        { waitText: '#log', contains: 'The sum is 5' },
      ]);
      assert.match(done, /Allowed once \(by you, risk medium\)/);
      assert.match(done, /Task IT_AGENT_ADD: completed/);
      assert.match(done, /Model fake-agent-model/);
      assert.equal(tiny.calls.filter((c) => c.tool === 'add').length, 1);
      assert.equal(fake.requests[0]?.headers.authorization, `Bearer ${KEY}`);
      const task = await until(async () => {
        const t = await taskStatus('IT_AGENT_ADD');
        return t?.status === 'completed' ? t : undefined;
      });
      assert.match(task.claimed_by ?? '', /^openai-agent-/);
      const report = await vscode.commands.executeCommand<Render>('codexGovernance.tasks.openRun', 'IT_AGENT_ADD');
      assert.equal(report.status, 'done');
      assert.equal(report.toolCalls, 2);
      assert.equal(report.pending, 0);
      assert.ok(report.textChars > STREAMED.length, JSON.stringify(report));
      await vscode.commands.executeCommand('codexGovernance.showTasks');
      const view = await askRunner({ op: 'view', name: 'agent-tasks-done', title: 'Tasks', items: ['Done', 'IT agent: add 2 and 3'] });
      assert.ok(view.ok, view.error);
      const row = view.items?.find((r) => r.includes('IT agent: add 2 and 3')) ?? '';
      assert.match(row, /done by openai-agent-\w+/);
    });

    it('a wrong base URL ends the run with a message naming the setting, and its task goes back to the queue', async function () {
      await agents().update('baseUrl', 'http://127.0.0.1:9/v1', vscode.ConfigurationTarget.Global);
      try {
        await vscode.commands.executeCommand('codexGovernance.tasks.post', { description: 'IT agent: a run that cannot reach its model', task_id: 'IT_AGENT_BAD_URL', priority: 'low' });
        const runId = await vscode.commands.executeCommand<string>('codexGovernance.tasks.run', 'IT_AGENT_BAD_URL');
        assert.match(runId ?? '', /^[0-9a-f-]{36}$/);
        await opened('agent-run-bad-url-opened', 'IT agent: a run that cannot reach its model');
        const text = await page('agent-run-bad-url', [
          { waitText: '#end', contains: 'Failed' },
          { waitText: '#end', contains: 'released back to the queue' },
        ]);
        assert.match(text, /Cannot reach the model at http:\/\/127\.0\.0\.1:9\/v1/);
        assert.match(text, /codexGovernance\.agents\.baseUrl/);
        assert.doesNotMatch(text, /--base-url/);
        const task = await taskStatus('IT_AGENT_BAD_URL');
        assert.equal(task?.status, 'pending', JSON.stringify(task));
      } finally {
        await agents().update('baseUrl', fake.baseUrl, vscode.ConfigurationTarget.Global);
      }
    });
  });
}
