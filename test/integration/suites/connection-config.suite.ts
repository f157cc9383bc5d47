/** "Copy MCP Connection Config" and "Copy Server Token" as a user runs them. */
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';
import * as vscode from 'vscode';
import type { CodexGovernanceApi } from '../../../src/vscode/api';
import { askRunner, bridgeDir } from '../bridge';
import { activateExtension, readToken } from '../helpers';

export function registerConnectionConfigSuite(): void {
  describe('copy MCP connection config', function () {
    let api: CodexGovernanceApi;
    let url: string;

    before(async function () {
      api = await activateExtension();
      const state = await api.whenIdle();
      if (state.kind !== 'running') throw new Error(`Server not running: ${JSON.stringify(state)}`);
      url = state.url;
    });

    it('puts a Codex config.toml table for the running server on the clipboard', async function () {
      assert.equal(await vscode.commands.executeCommand('codexGovernance.copyConnectionConfig', 'codex'), 'codex');
      const text = await vscode.env.clipboard.readText();
      assert.deepEqual(JSON.parse(JSON.stringify(parse(text))), {
        mcp_servers: { 'codex-governance': { url: `${url}/mcp`, bearer_token_env_var: 'CODEX_GOVERNANCE_TOKEN', default_tools_approval_mode: 'approve' } },
      });
    });

    it('puts a VS Code mcp.json on the clipboard without the token itself', async function () {
      const token = await readToken();
      assert.equal(await vscode.commands.executeCommand('codexGovernance.copyConnectionConfig', 'vscode'), 'vscode');
      const text = await vscode.env.clipboard.readText();
      const config = JSON.parse(text) as { servers: Record<string, { type: string; url: string; headers: Record<string, string> }> };
      const server = config.servers['codex-governance'];
      assert.equal(server?.type, 'http');
      assert.equal(server?.url, `${url}/mcp`);
      assert.match(server?.headers.Authorization ?? '', /^Bearer \$\{input:[\w-]+\}$/);
      assert.ok(!text.includes(token), 'the snippet must not contain the token');
    });

    if (bridgeDir) {
      it('offers Codex, mcp.json and curl in a quick pick and copies the one picked', async function () {
        await vscode.env.clipboard.writeText('');
        const copied = vscode.commands.executeCommand('codexGovernance.copyConnectionConfig');
        const pick = await askRunner({ op: 'quickpick', name: 'snippet-quick-pick', items: ['Codex config.toml', 'VS Code mcp.json', 'curl /health'], select: 'curl /health' });
        assert.ok(pick.ok, pick.error ?? JSON.stringify(pick.items));
        assert.equal(await copied, 'curl');
        assert.equal(await vscode.env.clipboard.readText(), `curl -sS -H "Authorization: Bearer $CODEX_GOVERNANCE_TOKEN" ${url}/health\n`);
      });

      it('the status bar item opens the server actions, which lead to the same snippets', async function () {
        await vscode.env.clipboard.writeText('');
        const host = new URL(url).host;
        const click = await askRunner({ op: 'statusbar-click', name: 'statusbar-click', contains: `Governance: ${host}` });
        assert.ok(click.ok, click.error);
        const actions = await askRunner({
          op: 'quickpick',
          name: 'server-actions',
          items: ['Show Sessions', 'Show Approvals', 'Open MCP Servers Settings', 'Stop Server', 'Restart Server', 'Copy MCP Connection Config', 'Copy Server Token', 'Show Logs'],
          select: 'Copy MCP Connection Config',
        });
        assert.ok(actions.ok, actions.error ?? JSON.stringify(actions.items));
        assert.ok(!actions.items?.some((i) => i.includes('Start Server')), `a running server offers no Start: ${JSON.stringify(actions.items)}`);
        // Safe ordering: the row an Enter would pick is a shortcut; Stop Server is the last row.
        const rows = actions.items ?? [];
        assert.match(rows[0] ?? '', /^Show Sessions/, JSON.stringify(rows));
        assert.match(rows.at(-1) ?? '', /^Stop Server/, JSON.stringify(rows));
        assert.ok(rows.findIndex((r) => r.startsWith('Show Approvals')) < rows.findIndex((r) => r.startsWith('Restart Server')), JSON.stringify(rows));
        const pick = await askRunner({ op: 'quickpick', name: 'actions-snippet-pick', items: ['Codex config.toml'], select: 'Codex config.toml' });
        assert.ok(pick.ok, pick.error);
        const deadline = Date.now() + 10_000;
        let text = '';
        while (!text && Date.now() < deadline) {
          text = await vscode.env.clipboard.readText();
          if (!text) await new Promise((r) => setTimeout(r, 100));
        }
        assert.match(text, /^\[mcp_servers\.codex-governance\]$/m);
        assert.ok(text.includes(`url = "${url}/mcp"`), text);
      });
    }
  });
}
