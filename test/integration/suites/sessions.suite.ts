/**
 * Codex sessions as a VS Code user meets them (issues 5 and 15): a real Codex started by "New Codex
 * Session..." (sandbox picked in the quick pick) against a fake model server running in this
 * extension host, listed in the Sessions view, its Session panel rendering the transcript, a reply
 * typed into the panel's reply box answered by the fake model, the page reloaded with its
 * transcript; a model streaming for 20 s whose text grows in the panel before the turn ends (and
 * the delta-to-screen time the page measured), the 5,000-character markdown answer shown whole and
 * rendered, Stop turn keeping the session, an ended session resumed by a reply, and End session
 * (confirmed on the page) ending a running one. Screenshots of the view and the panel in dark and
 * light themes go to test-results/vscode/. Needs the code-server runner, which points CODEX_HOME
 * at a temp folder.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'smol-toml';
import * as vscode from 'vscode';
import { fakeProviderConfig } from '../../fakes/codex-home';
import { delayed, replyMessage, startFakeModelServer, streamText, userTexts, type FakeModelServer, type RecordedRequest } from '../../fakes/fake-model-server';
import { longMarkdown } from '../../fakes/long-markdown';
import { askRunner, type WebviewAction } from '../bridge';
import { activateExtension, callTool, inBothThemes, readToken, until, waitForState } from '../helpers';

interface Render {
  sessionId: string;
  events: number;
  status: string;
  renders: number;
  stream?: { deltas: number; p50Ms: number; p95Ms: number; maxMs: number; pageP50Ms: number };
  heapBytes?: number;
  nodes?: number;
}

const LONG = longMarkdown();

/** Echoes the last prompt; `slow...` is answered after 60 s (a running turn to end), `stream N ...` streams the long markdown answer over N s. */
function respond(req: RecordedRequest) {
  const last = userTexts(req).at(-1) ?? '';
  const stream = /^stream (\d+)/.exec(last);
  if (stream) return streamText(LONG, Number(stream[1]) * 1000, { chunks: Number(stream[1]) * 10, usage: { input_tokens: 80, output_tokens: 900 } });
  const reply = replyMessage(`echo: ${last}`, { input_tokens: 120, output_tokens: 8 });
  return last.startsWith('slow') ? delayed(60_000, reply) : reply;
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
    /** Polled once a second: the server allows an agent 100 calls a minute, and a turn can run 90 s. */
    const status = async (id: string) => ((await call('codex-session-info', { session_id: id })).session as { status: string }).status;

    async function page(name: string, actions: WebviewAction[]): Promise<string> {
      const r = await askRunner({ op: 'webview', name, actions });
      assert.ok(r.ok, `${r.error ?? ''}\npage text:\n${r.text ?? ''}`);
      return r.text ?? '';
    }

    /** Like {@link page}, trying again (each step waits 15 s) while a slow machine catches up. */
    async function pageWithin(name: string, actions: WebviewAction[], tries = 4): Promise<string> {
      let last: Awaited<ReturnType<typeof askRunner>> | undefined;
      for (let i = 0; i < tries; i++) {
        last = await askRunner({ op: 'webview', name, actions });
        if (last.ok) return last.text ?? '';
      }
      assert.fail(`${last?.error ?? ''}\npage text:\n${last?.text ?? ''}`);
    }

    /** The highest "Step N" heading of the long answer in the page's text (0 when none). */
    const lastStep = (text: string) => Math.max(0, ...Array.from(text.matchAll(/Step (\d+): parse section/g), (m) => Number(m[1])));


    before(async function () {
      const api = await activateExtension();
      await waitForState(api, (s) => s.kind === 'running');
      url = api.serverUrl()!;
      token = await readToken();
      const codexHome = process.env.CODEX_HOME;
      if (!codexHome) throw new Error('CODEX_HOME is not set: the runner (run-code-server.mjs) points it at a temp folder so Codex never reads the real one.');
      fake = await startFakeModelServer({ whenExhausted: respond });
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
      await until(async () => ((await status(sessionId)) === 'idle' ? true : undefined), 30_000, 1000);
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

    it('a model streaming for 60 s: the text grows in the panel before the turn ends, and the whole markdown answer is shown rendered', async function () {
      const id = await vscode.commands.executeCommand<string>('codexGovernance.newSession', { prompt: 'stream 60 a long plan', sandbox: 'read-only' });
      // Two looks at the live answer a few seconds apart, while the turn still runs: it grew.
      const early = await pageWithin('session-stream-early', [{ waitText: '.event.live', contains: 'Step 1' }]);
      await new Promise((r) => setTimeout(r, 6000));
      const later = await pageWithin('session-stream-later', [{ waitFor: '.event.live' }, { waitText: '#status', contains: 'running' }]);
      assert.ok(lastStep(later) > lastStep(early), `the answer grew: step ${lastStep(early)} then ${lastStep(later)}`);
      assert.ok(!later.includes('END-OF-ANSWER'), 'the answer is still growing');
      await until(async () => ((await status(id)) === 'idle' ? true : undefined), 90_000, 1000);
      const text = await pageWithin('session-stream-done', [
        { waitText: '#transcript', contains: 'END-OF-ANSWER' },
        { waitFor: '#transcript .event.agent .markdown table' },
        { waitFor: '#transcript .event.agent .markdown pre.code button.copy' },
        { waitFor: '#transcript .event.agent .markdown h2' },
      ]);
      // Rendered, not raw: no markdown syntax on screen, every step there.
      assert.ok(!/\*\*every\*\*|^## Step/m.test(text), 'markdown is rendered');
      const steps = (LONG.match(/## Step \d+/g) ?? []).length;
      for (let i = 1; i <= steps; i++) assert.ok(text.includes(`Step ${i}: parse section ${i}`), `step ${i} shown`);
      const done = await vscode.commands.executeCommand<Render>('codexGovernance.sessions.open', id);
      const p50 = done.stream?.p50Ms ?? Infinity;
      console.log(`[perf] Session panel streaming: ${done.stream?.deltas} deltas, delta-to-screen p50 ${p50} ms (target <= 50 ms ${p50 <= 50 ? 'met' : 'MISSED'}) (in the page ${done.stream?.pageP50Ms} ms), p95 ${done.stream?.p95Ms} ms, max ${done.stream?.maxMs} ms; renderer heap ${done.heapBytes} bytes`);
      assert.ok((done.stream?.deltas ?? 0) >= 100, JSON.stringify(done.stream));
      // The target (p50 <= 50 ms) is a measurement reported in the README, not a timed assertion:
      // a loaded CI machine would fail it for reasons that are not the panel's.
      await inBothThemes((suffix) => page(`session-panel-markdown-${suffix}`, [{ waitText: '#transcript', contains: 'END-OF-ANSWER' }]).then(() => undefined));
    });

    it('Stop turn stops only the turn: the partial answer stays and the session waits for the next prompt', async function () {
      const id = await vscode.commands.executeCommand<string>('codexGovernance.newSession', { prompt: 'stream 40 then stop', sandbox: 'read-only' });
      await pageWithin('session-stop-before', [{ waitText: '.event.live', contains: 'Step 1' }]);
      // Under load the click may land while the runner still waits for the page: the status says whether it did.
      await askRunner({ op: 'webview', name: 'session-stop-click', actions: [{ click: '#stop' }] });
      await until(async () => ((await status(id)) === 'idle' ? true : undefined), 60_000, 1000);
      const text = await pageWithin('session-stopped', [{ waitText: '#status', contains: 'idle' }, { waitText: '#transcript', contains: 'stopped before the end' }]);
      assert.ok(!text.includes('END-OF-ANSWER'));
      const reply = await page('session-after-stop', [{ fill: '#reply textarea', value: 'Integration: after the stop' }, { click: '#send' }, { waitText: '#transcript', contains: 'echo: Integration: after the stop' }]);
      assert.match(reply, /Turns 2/);
    });

    it('an ended session takes a reply: End session, then the reply resumes its thread', async function () {
      await vscode.commands.executeCommand('codexGovernance.sessions.open', sessionId);
      await pageWithin('session-end-idle', [{ waitText: '#status', contains: 'idle' }, { click: '#cancel' }, { waitText: '#status', contains: 'closed' }]);
      assert.equal(await status(sessionId), 'closed');
      const text = await page('session-resumed', [
        { waitText: '#reply-status', contains: 'resumes its thread' },
        { fill: '#reply textarea', value: 'Integration: after the end' },
        { click: '#send' },
        { waitText: '#transcript', contains: 'echo: Integration: after the end' },
        { waitText: '#status', contains: 'idle' },
      ]);
      assert.match(text, /Turns 3/);
    });

    it('End session asks on the page while a turn runs, then ends the session', async function () {
      const started = vscode.commands.executeCommand<string>('codexGovernance.newSession', { prompt: 'slow integration work', sandbox: 'read-only' });
      const id = await started;
      await until(async () => ((await status(id)) === 'running' ? true : undefined), 30_000, 1000);
      await page('session-panel-running', [{ waitText: '#status', contains: 'running' }, { click: '#cancel' }, { waitText: '#confirm-end', contains: 'End the session?' }, { click: '#confirm-end-no' }]);
      assert.equal(await status(id), 'running', 'Keep it keeps the turn');
      await page('session-panel-confirm', [{ click: '#cancel' }, { click: '#confirm-end-yes' }]);
      await until(async () => ((await status(id)) === 'closed' ? true : undefined), 30_000, 1000);
      await page('session-panel-cancelled', [{ waitText: '#status', contains: 'closed' }, { waitText: '#error', contains: 'Ended: Cancelled' }]);
      const view = await askRunner({ op: 'view', name: 'sessions-view-cancelled', title: 'Sessions', items: ['slow integration work', 'Integration: say hello'] });
      assert.ok(view.ok, view.error);
      assert.ok(view.items?.some((r) => r.includes('slow integration work') && r.includes('closed')), JSON.stringify(view.items));
    });
  });
}
