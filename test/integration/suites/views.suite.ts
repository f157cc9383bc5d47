/**
 * The activity bar views as a user sees them (issue 5): the Agents view lists an agent created by
 * a real `process_agent_update` over HTTP with its PROCEED/PAUSE; the Knowledge view lists a
 * discovery stored over HTTP and narrows to search results. Screenshots of the sidebar in the dark
 * and the light theme go to test-results/vscode/. Needs the code-server runner (it reads the DOM).
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { askRunner } from '../bridge';
import { activateExtension, callTool, readToken, until, waitForState, type ToolBody } from '../helpers';

export function registerViewsSuite(): void {
  describe('activity bar views', function () {
    this.timeout(60_000);
    let url: string;
    let token: string;
    const call = (name: string, args: Record<string, unknown>, agent: string) => callTool(url, token, agent, name, args);
    const decisionOf = (b: ToolBody) => (b.result as { governance_decision: { action: string } }).governance_decision.action;

    before(async function () {
      const api = await activateExtension();
      await waitForState(api, (s) => s.kind === 'running');
      url = api.serverUrl()!;
      token = await readToken();
      await vscode.commands.executeCommand('codexGovernance.agents.focus');
    });

    it('the Agents view shows agents reporting over HTTP with their last decision, live', async function () {
      const calm = decisionOf(await call('process_agent_update', { agent_id: 'views-calm-agent', operation: 'read docs', complexity: 0.2, confidence: 0.9 }, 'views-calm-agent'));
      let risky = '';
      for (let i = 0; i < 15 && risky !== 'PAUSE'; i++) {
        risky = decisionOf(await call('process_agent_update', { agent_id: 'views-risky-agent', operation: `rewrite ${i}`, complexity: 1, confidence: 0.05 }, 'views-risky-agent'));
      }
      assert.equal(risky, 'PAUSE');
      // Live: the view catches up with the last decision (rows read "<id><decision> · <time>").
      const view = await askRunner({ op: 'view', name: 'views-agents', title: 'Agents', items: [`views-calm-agent${calm}`, 'views-risky-agentPAUSE'] });
      assert.ok(view.ok, view.error);
      const row = (id: string) => view.items?.find((r) => r.includes(id)) ?? '';
      assert.match(row('views-calm-agent'), new RegExp(`${calm} · just now`));
      // The PAUSE opened a peer review (dialectic.autoReviewOnPause); a risk spike may be flagged too.
      assert.match(row('views-risky-agent'), /PAUSE · (in review · )?(⚠ [^·]+ · )?just now/);
    });

    it('the Knowledge view shows a discovery stored over HTTP; search narrows it and clearing restores the list', async function () {
      await vscode.commands.executeCommand('codexGovernance.knowledge.focus');
      const a = await call('store_discovery_graph', { discovery_type: 'bug_found', summary: 'Views suite: flaky parser on Windows', tags: ['parser'] }, 'views-calm-agent');
      const b = await call('store_discovery_graph', { discovery_type: 'insight', summary: 'Views suite: batching halves latency' }, 'views-risky-agent');
      assert.ok(a.success && b.success, JSON.stringify([a, b]));
      const list = await askRunner({ op: 'view', name: 'views-knowledge', title: 'Knowledge', items: ['Views suite: flaky parser on Windows', 'Views suite: batching halves latency'] });
      assert.ok(list.ok, list.error);
      assert.ok(list.items?.some((r) => r.includes('bug_found · views-calm-agent')), JSON.stringify(list.items));

      assert.equal(await vscode.commands.executeCommand('codexGovernance.searchKnowledge', 'parser windows'), 'parser windows');
      const found = await askRunner({ op: 'view', name: 'views-knowledge-search', title: 'Knowledge', items: ['Search: "parser windows"', '1 result · clear search', 'Views suite: flaky parser on Windows'] });
      assert.ok(found.ok, found.error);
      assert.ok(!found.items?.some((r) => r.includes('batching halves latency')), JSON.stringify(found.items));

      await vscode.commands.executeCommand('codexGovernance.clearKnowledgeSearch');
      const back = await askRunner({ op: 'view', name: 'views-knowledge-cleared', title: 'Knowledge', items: ['Views suite: batching halves latency', 'Views suite: flaky parser on Windows'] });
      assert.ok(back.ok, back.error);
      assert.ok(!back.items?.some((r) => r.includes('Search:')), JSON.stringify(back.items));
    });

    it('Store Discovery (with arguments) writes as vscode-user and Open Discovery Details shows it read-only', async function () {
      const id = await vscode.commands.executeCommand<string>('codexGovernance.storeDiscovery', { discoveryType: 'note', summary: 'Views suite: stored from VS Code', details: 'Written by the integration suite.' });
      assert.ok(id);
      const view = await askRunner({ op: 'view', name: 'views-knowledge-stored', title: 'Knowledge', items: ['Views suite: stored from VS Code'] });
      assert.ok(view.ok, view.error);
      assert.ok(view.items?.some((r) => r.includes('note · vscode-user')), JSON.stringify(view.items));
      await vscode.commands.executeCommand('codexGovernance.knowledge.open', id);
      const editor = vscode.window.activeTextEditor;
      assert.equal(editor?.document.uri.scheme, 'codex-governance');
      assert.match(editor?.document.getText() ?? '', /# Views suite: stored from VS Code[\s\S]*note by vscode-user[\s\S]*Written by the integration suite\./);
      await vscode.commands.executeCommand('codexGovernance.agents.observe', 'views-risky-agent');
      assert.match(vscode.window.activeTextEditor?.document.getText() ?? '', /# Agent views-risky-agent[\s\S]*\*\*PAUSE\*\*/);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('the Getting Started walkthrough opens (screenshot views-walkthrough)', async function () {
      await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'codex-governance.codex-governance#codexGovernance.gettingStarted', false);
      await new Promise((r) => setTimeout(r, 1500));
      const shot = await askRunner({ op: 'statusbar', name: 'views-walkthrough', contains: ['Governance'] });
      assert.ok(shot.ok, shot.error);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('a wrong codex.path is named at once (setting, path, fix) with Open Setting, which opens it; clearing it restarts the server for the person', async function () {
      const api = await activateExtension();
      const config = vscode.workspace.getConfiguration('codexGovernance');
      const wrong = '/nonexistent/views-suite/codex';
      await config.update('codex.path', wrong, vscode.ConfigurationTarget.Global);
      try {
        const n = await askRunner({ op: 'notification', name: 'codex-path-wrong', contains: wrong, click: 'Open Setting' });
        assert.ok(n.ok, n.error);
        assert.match(n.text ?? '', /codexGovernance\.codex\.path/);
        assert.match(n.text ?? '', /does not exist\. Fix the setting codexGovernance\.codex\.path.*or clear it/);
        await until(() => Promise.resolve(vscode.window.tabGroups.activeTabGroup.activeTab?.label === 'Settings' ? true : undefined), 15_000);
      } finally {
        await config.update('codex.path', undefined, vscode.ConfigurationTarget.Global);
      }
      const restart = await askRunner({ op: 'notification', name: 'codex-path-cleared', contains: 'restarting the server' });
      assert.ok(restart.ok, restart.error);
      // The restart may be over already: then the first wait gives up after 10 s.
      await waitForState(api, (st) => st.kind !== 'running', 10_000).catch(() => undefined);
      await waitForState(api, (st) => st.kind === 'running', 60_000);
      url = api.serverUrl()!;
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('reads in the dark theme too (screenshots)', async function () {
      const config = vscode.workspace.getConfiguration('workbench');
      const before = config.inspect<string>('colorTheme')?.globalValue;
      await config.update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
      try {
        await vscode.commands.executeCommand('codexGovernance.agents.focus');
        const agents = await askRunner({ op: 'view', name: 'views-agents-dark', title: 'Agents', items: ['views-risky-agent'] });
        assert.ok(agents.ok, agents.error);
        await vscode.commands.executeCommand('codexGovernance.knowledge.focus');
        const knowledge = await askRunner({ op: 'view', name: 'views-knowledge-dark', title: 'Knowledge', items: ['Views suite: flaky parser on Windows'] });
        assert.ok(knowledge.ok, knowledge.error);
      } finally {
        await config.update('colorTheme', before, vscode.ConfigurationTarget.Global);
      }
    });
  });
}
