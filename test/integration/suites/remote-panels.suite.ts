/**
 * The panels when another VS Code window owns the server: this window's server is stopped, a
 * governance server of "another window" (the CLI, same port and token, its own data) answers, and
 * Start Server recognises it (state `external`). The Knowledge graph, the Agent dashboard and the
 * Approvals panel then read it over HTTP through the governance client, and each says where its
 * data comes from (the Approvals panel: that window's requests wait there). Afterwards this
 * window's server runs again for whatever follows.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CodexGovernanceApi } from '../../../src/vscode/api';
import { askRunner, type WebviewAction } from '../bridge';
import { activateExtension, callTool, EXTENSION_ID, readToken, until, waitForState } from '../helpers';

interface GraphReport {
  loaded: number;
  total: number;
  nodes: number;
}
interface DashboardReport {
  agentIds: string[];
  points: number;
}

export function registerRemotePanelsSuite(): void {
  describe('panels with the server of another window', function () {
    let api: CodexGovernanceApi;
    let url: string;
    let port: number;
    let token: string;
    let dataDir: string;
    let other: ChildProcess | undefined;

    async function page(name: string, actions: WebviewAction[]): Promise<string> {
      const r = await askRunner({ op: 'webview', name, actions });
      assert.ok(r.ok, `${r.error ?? ''}\npage text:\n${r.text ?? ''}`);
      return r.text ?? '';
    }

    before(async function () {
      this.timeout(90_000);
      api = await activateExtension();
      const running = await waitForState(api, (s) => s.kind === 'running');
      assert.ok(running.kind === 'running');
      url = running.url;
      port = running.port;
      token = await readToken();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      assert.equal(await vscode.commands.executeCommand('codexGovernance.stopServer'), 'stopped');
      // "Another window": the same port and token, data of its own.
      dataDir = mkdtempSync(path.join(tmpdir(), 'cg-other-window-'));
      const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
      other = spawn(process.execPath, [cli, 'serve', '--port', String(port), '--data-dir', dataDir, '--workspace-root', dataDir], {
        env: { ...process.env, CODEX_GOVERNANCE_TOKEN: token, ELECTRON_RUN_AS_NODE: '1' },
        stdio: 'ignore',
      });
      await until(async () => ((await fetch(`${url}/health`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined))?.ok ? true : undefined), 30_000);
      for (let i = 0; i < 3; i++) {
        const r = await callTool(url, token, `remote-author-${i % 2}`, 'store_discovery_graph', { discovery_type: 'insight', summary: `Remote finding ${i}`, tags: ['remote'] });
        assert.ok(r.success, JSON.stringify(r.error));
      }
      for (const complexity of [0.2, 0.6]) assert.ok((await callTool(url, token, 'remote-agent', 'process_agent_update', { operation: `remote step ${complexity}`, complexity })).success);
      assert.equal(await vscode.commands.executeCommand('codexGovernance.startServer'), 'external');
    });

    after(async function () {
      this.timeout(60_000);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      if (other && other.exitCode === null) {
        const exited = new Promise((r) => other!.once('exit', r));
        other.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
      // This window runs its own server again for the suites and checks that follow.
      assert.equal(await vscode.commands.executeCommand('codexGovernance.startServer'), 'running');
      await waitForState(api, (s) => s.kind === 'running');
    });

    it('the Knowledge graph reads the other window\'s discoveries over HTTP and says so', async function () {
      const r = await vscode.commands.executeCommand<GraphReport>('codexGovernance.showKnowledgeGraph');
      assert.deepEqual({ loaded: r.loaded, total: r.total, nodes: r.nodes }, { loaded: 3, total: 3, nodes: 5 });
      await page('remote-knowledge-graph', [{ waitText: '#status', contains: 'another VS Code window' }]);
    });

    it('the Agent dashboard reads the other window\'s agents over HTTP and says so', async function () {
      const r = await vscode.commands.executeCommand<DashboardReport>('codexGovernance.showAgentDashboard');
      assert.deepEqual(r.agentIds, ['remote-agent']);
      assert.equal(r.points, 2);
      await page('remote-agent-dashboard', [{ waitText: '#status', contains: 'another VS Code window' }]);
    });

    it('the Approvals panel shows the other window\'s history and says its requests wait there', async function () {
      await callTool(url, token, 'remote-asker', 'codex', { prompt: 'x', sandbox: 'danger-full-access' });
      await until(async () => {
        const res = await fetch(`${url}/audit?type=approval.answered&limit=5`, { headers: { authorization: `Bearer ${token}` } });
        return ((await res.json()) as { entries: unknown[] }).entries.length > 0 ? true : undefined;
      });
      await vscode.commands.executeCommand('codexGovernance.showApprovals');
      const text = await page('remote-approvals', [
        { waitText: '#pending-note', contains: 'another VS Code window' },
        { waitText: '#history-rows', contains: 'remote-asker' },
      ]);
      assert.match(text, /No approval requests are waiting/);
    });
  });
}
