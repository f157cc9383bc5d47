/**
 * Codex sessions as a VS Code user meets them (issue 5): a real Codex started by "New Codex
 * Session..." (sandbox picked in the quick pick) against a fake model server running in this
 * extension host, listed in the Sessions view, its Session panel rendering the transcript, a reply
 * typed into the panel's reply box answered by the fake model, the page reloaded with its
 * transcript, and Cancel (with its confirmation) ending a running session. Screenshots of the view
 * and the panel in dark and light themes go to test-results/vscode/. Needs the code-server runner,
 * which points CODEX_HOME at a temp folder.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import * as vscode from 'vscode';
import { fakeProviderConfig } from '../../fakes/codex-home';
import { delayed, replyMessage, startFakeModelServer, userTexts, type FakeModelServer } from '../../fakes/fake-model-server';
import { askRunner, type WebviewAction } from '../bridge';
import { activateExtension, callTool, inBothThemes, readToken, until, waitForState } from '../helpers';

interface Render {
  sessionId: string;
  events: number;
  status: string;
  renders: number;
}

export function registerSessionsSuite(): void {
  describe('Codex sessions in VS Code', function () {
    this.timeout(120_000);
    let url: string;
    let token: string;
    let fake: FakeModelServer;
    let configPath: string;
    let originalConfig: string | undefined;
    let sessionId: string;

    const call = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const body = await callTool(url, token, 'sessions-it', name, args);
      if (!body.success) throw new Error(`${name} failed: ${JSON.stringify(body.error)}`);
      return body.result!;
    };
    const status = async (id: string) => ((await call('codex-session-info', { session_id: id })).session as { status: string }).status;

    async function page(name: string, actions: WebviewAction[]): Promise<string> {
      const r = await askRunner({ op: 'webview', name, actions });
      assert.ok(r.ok, `${r.error ?? ''}\npage text:\n${r.text ?? ''}`);
      return r.text ?? '';
    }


    before(async function () {
      const api = await activateExtension();
      await waitForState(api, (s) => s.kind === 'running');
      url = api.serverUrl()!;
      token = await readToken();
      const codexHome = process.env.CODEX_HOME;
      if (!codexHome) throw new Error('CODEX_HOME is not set: the runner (run-code-server.mjs) points it at a temp folder so Codex never reads the real one.');
      // Echoes the last prompt; one starting with "slow" is answered only after 60 s (a running turn to cancel).
      fake = await startFakeModelServer({
        script: Array.from({ length: 20 }, () => (req: Parameters<typeof userTexts>[0]) => {
          const last = userTexts(req).at(-1) ?? '';
          const reply = replyMessage(`echo: ${last}`, { input_tokens: 120, output_tokens: 8 });
          return last.startsWith('slow') ? delayed(60_000, reply) : reply;
        }),
      });
      mkdirSync(codexHome, { recursive: true });
      configPath = join(codexHome, 'config.toml');
      originalConfig = existsSync(configPath) ? readFileSync(configPath, 'utf8') : undefined;
      const merged = { ...(originalConfig ? parse(originalConfig) : {}), ...fakeProviderConfig(fake.baseUrl) };
      writeFileSync(`${configPath}.tmp`, stringify(merged));
      renameSync(`${configPath}.tmp`, configPath);
      // A spare Codex started by an earlier suite read the old config: end it (and any session).
      await call('codex-cleanup', { force: true });
    });

    after(async function () {
      await vscode.commands.executeCommand('codexGovernance.cleanUpSessions', 'all');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      if (originalConfig === undefined) writeFileSync(configPath, '');
      else writeFileSync(configPath, originalConfig);
      await fake?.close();
    });

    it('New Codex Session asks for the prompt and the sandbox, starts a real Codex and opens its panel with the transcript', async function () {
      const started = vscode.commands.executeCommand<string>('codexGovernance.newSession');
      const typed = await askRunner({ op: 'inputbox', name: 'session-new-prompt', contains: 'New Codex Session (1/2)', value: 'Integration: say hello' });
      assert.ok(typed.ok, typed.error);
      const pick = await askRunner({ op: 'quickpick', name: 'session-new-sandbox-pick', items: ['workspace-write', 'read-only', 'danger-full-access'], select: 'read-only' });
      assert.ok(pick.ok, pick.error);
      sessionId = (await started)!;
      assert.match(sessionId, /^[0-9a-f-]{36}$/);
      await until(async () => ((await status(sessionId)) === 'idle' ? true : undefined));
      const text = await page('session-panel-first', [
        { waitText: '#transcript', contains: 'echo: Integration: say hello' },
        { waitText: '#status', contains: 'idle' },
      ]);
      assert.match(text, /Sandbox read-only/);
      assert.match(text, /You[\s\S]*Integration: say hello[\s\S]*Codex[\s\S]*echo: Integration: say hello/);
      const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      if (cwd) assert.ok(text.includes(cwd), 'the session runs in the first workspace folder');
    });

    it('the Sessions view lists the session with its status and tokens', async function () {
      await vscode.commands.executeCommand('codexGovernance.showSessions');
      const view = await askRunner({ op: 'view', name: 'sessions-view-list', title: 'Sessions', items: ['Integration: say hello'] });
      assert.ok(view.ok, view.error);
      const row = view.items?.find((r) => r.includes('Integration: say hello')) ?? '';
      assert.match(row, /idle · 128 tok · (just now|\d+ s ago)/);
      await inBothThemes((suffix) => askRunner({ op: 'view', name: `sessions-view-${suffix}`, title: 'Sessions', items: ['Integration: say hello'] }).then((r) => assert.ok(r.ok, r.error)));
    });

    it('a reply typed into the panel round-trips through Codex and the fake model', async function () {
      await vscode.commands.executeCommand('codexGovernance.sessions.open', sessionId);
      const text = await page('session-panel-reply', [
        { fill: '#reply textarea', value: 'Integration: second turn' },
        { click: '#send' },
        { waitText: '#transcript', contains: 'echo: Integration: second turn' },
        { waitText: '#status', contains: 'idle' },
      ]);
      assert.match(text, /Turns 2/);
      const prompts = fake.responsesRequests().map((r) => userTexts(r).at(-1));
      assert.ok(prompts.includes('Integration: second turn'), JSON.stringify(prompts));
      await inBothThemes((suffix) => page(`session-panel-${suffix}`, [{ waitText: '#transcript', contains: 'echo: Integration: second turn' }]).then(() => undefined));
    });

    it('the panel comes back with its transcript when its page reloads', async function () {
      const before = await vscode.commands.executeCommand<Render>('codexGovernance.sessions.open', sessionId);
      assert.equal(before.sessionId, sessionId);
      await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
      const after = await until(async () => {
        const r = await vscode.commands.executeCommand<Render>('codexGovernance.sessions.open', sessionId);
        return r && r.renders > before.renders ? r : undefined;
      });
      assert.deepEqual([after.sessionId, after.events, after.status], [sessionId, before.events, 'idle']);
      await page('session-panel-reloaded', [{ waitText: '#transcript', contains: 'echo: Integration: second turn' }]);
    });

    it('Cancel in the panel asks while a turn runs, then ends the session', async function () {
      const started = vscode.commands.executeCommand<string>('codexGovernance.newSession', { prompt: 'slow integration work', sandbox: 'read-only' });
      const id = await started;
      await until(async () => ((await status(id)) === 'running' ? true : undefined));
      await page('session-panel-running', [{ waitText: '#status', contains: 'running' }, { click: '#cancel' }]);
      const confirm = await askRunner({ op: 'notification', name: 'session-cancel-confirm', contains: 'is running a turn', click: 'Cancel Session' });
      assert.ok(confirm.ok, confirm.error);
      await until(async () => ((await status(id)) === 'closed' ? true : undefined));
      await page('session-panel-cancelled', [{ waitText: '#status', contains: 'closed' }, { waitText: '#error', contains: 'Ended: Cancelled' }]);
      const view = await askRunner({ op: 'view', name: 'sessions-view-cancelled', title: 'Sessions', items: ['slow integration work', 'Integration: say hello'] });
      assert.ok(view.ok, view.error);
      assert.ok(view.items?.some((r) => r.includes('slow integration work') && r.includes('closed')), JSON.stringify(view.items));
    });
  });
}
