/** The governance server as a VS Code user meets it: activation, /health, status bar, stop/start, port conflicts. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CodexGovernanceApi } from '../../../src/vscode/api';
import { askRunner, bridgeDir } from '../bridge';
import { activateExtension, configuredPort, occupyPort, probePort, readToken, waitForState } from '../helpers';

export function registerServerSuite(): void {
  describe('governance server in VS Code', function () {
    let api: CodexGovernanceApi;
    let port: number;
    let token: string;

    before(async function () {
      api = await activateExtension();
      port = configuredPort();
    });

    it('starts on activation on the configured (non-default) port', async function () {
      const state = await api.whenIdle();
      assert.equal(state.kind, 'running', JSON.stringify(state));
      assert.notEqual(port, 8765);
      assert.equal(api.serverUrl(), `http://127.0.0.1:${port}`);
    });

    it('answers GET /health with 200 for the SecretStorage token and 401 without it', async function () {
      token = await readToken();
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      const ok = await fetch(`${api.serverUrl()}/health`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as { status: string }).status, 'ok');
      const denied = await fetch(`${api.serverUrl()}/health`);
      assert.equal(denied.status, 401);
      const wrong = await fetch(`${api.serverUrl()}/health`, { headers: { authorization: `Bearer ${token.slice(1)}x` } });
      assert.equal(wrong.status, 401);
    });

    if (bridgeDir) {
      it('shows the server address in the status bar', async function () {
        const seen = await askRunner({ op: 'statusbar', name: 'statusbar-running', contains: [`Governance: 127.0.0.1:${port}`] });
        assert.ok(seen.ok, `status bar: ${seen.text ?? seen.error}`);
      });
    }

    it('Stop Server closes the port; Start Server opens it again with the same token', async function () {
      assert.equal(await vscode.commands.executeCommand('codexGovernance.stopServer'), 'stopped');
      assert.equal(api.state().kind, 'stopped');
      assert.equal(api.serverUrl(), undefined);
      assert.equal(await probePort(port), 'refused');
      if (bridgeDir) {
        const seen = await askRunner({ op: 'statusbar', name: 'statusbar-stopped', contains: ['Governance stopped'] });
        assert.ok(seen.ok, `status bar: ${seen.text ?? seen.error}`);
      }
      assert.equal(await vscode.commands.executeCommand('codexGovernance.startServer'), 'running');
      const res = await fetch(`http://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
    });

    it('reports a port taken by another program, naming the port', async function () {
      const blocker = await occupyPort();
      try {
        await vscode.workspace.getConfiguration('codexGovernance').update('server.port', blocker.port, vscode.ConfigurationTarget.Workspace);
        assert.equal(await vscode.commands.executeCommand('codexGovernance.restartServer'), 'error');
        const state = api.state();
        assert.deepEqual(state.kind === 'error' ? { reason: state.reason, port: state.port } : state, { reason: 'port-in-use', port: blocker.port });
        assert.match(state.kind === 'error' ? state.message : '', new RegExp(`Port ${blocker.port} on 127\\.0\\.0\\.1 is already in use`));
        assert.equal(api.serverUrl(), undefined);
        if (!bridgeDir) return;

        const bar = await askRunner({ op: 'statusbar', name: 'statusbar-port-in-use', contains: [`port ${blocker.port} in use`] });
        assert.ok(bar.ok, `status bar: ${bar.text ?? bar.error}`);
        const note = await askRunner({
          op: 'notification',
          name: 'port-in-use-notification',
          contains: `port ${blocker.port} on 127.0.0.1 is already in use`,
          click: 'Use Another Port',
        });
        assert.ok(note.ok, note.error ?? note.text);
        assert.deepEqual(note.buttons, ['Use Another Port', 'Show Logs']);

        // "Use Another Port" -> a free port for this session, then the offer to save it.
        const pick = await askRunner({ op: 'quickpick', name: 'port-quick-pick', items: ['Use free port', 'Enter a port...'], select: 'Use free port' });
        assert.ok(pick.ok, pick.error ?? JSON.stringify(pick.items));
        const running = await waitForState(api, (s) => s.kind === 'running');
        assert.ok(running.kind === 'running' && running.port !== blocker.port && running.port > 0, JSON.stringify(running));
        const health = await fetch(`${running.url}/health`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(health.status, 200);

        const save = await askRunner({ op: 'notification', name: 'save-port-offer', contains: `Save port ${running.port}`, click: 'Save to Settings' });
        assert.ok(save.ok, save.error ?? save.text);
        await waitFor(() => vscode.workspace.getConfiguration('codexGovernance').get('server.port') === running.port, 'the saved port setting');
        const after = await api.whenIdle();
        assert.deepEqual(after, running, 'saving the running port must not restart the server');
      } finally {
        await new Promise((r) => blocker.server.close(r));
      }
    });
  });
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
