/**
 * The MCP Servers settings panel as a user meets it in a real VS Code: a server added by typing into
 * the form and saving lands in the config file with every original byte (comments included) kept;
 * invalid input is shown inline and writes nothing; a file with invalid TOML is shown with its line
 * and column and nothing is written. Codex's home is a temp folder (setting
 * codexGovernance.mcp.codexHome), never the real ~/.codex.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import * as vscode from 'vscode';
import { loadConfigFile } from '../../../src/config';
import { testConnection } from '../../../src/config/connection';
import { askRunner, bridgeDir, type WebviewAction } from '../bridge';
import { activateExtension, EXTENSION_ID, until } from '../helpers';

const ORIGINAL = `# Codex config used by the settings UI test
model = "o3"  # the model

# A server that was here before
[mcp_servers.existing]
command = "npx"   # keep this comment
args = ["-y", "some-server"]
env = { SECRET_KEY = "do-not-show-me" }
`;

/** The open editor tab whose label starts with `title` (the connect commands' diff editors). */
const diffTab = (title: string): vscode.Tab | undefined => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label.startsWith(title));

export function registerMcpSettingsSuite(): void {
  describe('MCP servers settings UI', function () {
    let home: string;
    let file: string;

    async function page(name: string, actions: WebviewAction[]): Promise<string> {
      const r = await askRunner({ op: 'webview', name, actions });
      assert.ok(r.ok, `${r.error ?? ''}\npage text:\n${r.text ?? ''}`);
      return r.text ?? '';
    }

    before(async function () {
      await activateExtension();
      home = mkdtempSync(path.join(tmpdir(), 'codex-home-it-'));
      file = path.join(home, 'config.toml');
      writeFileSync(file, ORIGINAL);
      await vscode.workspace.getConfiguration('codexGovernance.mcp').update('codexHome', home, vscode.ConfigurationTarget.Workspace);
    });

    after(async function () {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.getConfiguration('codexGovernance.mcp').update('codexHome', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(home, { recursive: true, force: true });
    });

    it('adds a server through the form; the file keeps every original byte and gains the table', async function () {
      assert.equal(await vscode.commands.executeCommand('codexGovernance.addMcpServer', { file }), file);
      const shown = await page('mcp-settings-new', [
        { waitText: 'h2', contains: 'New server' },
        { fill: '#f-name input', value: 'docs' },
        { fill: '#f-command input', value: 'node' },
        { fill: '#f-args textarea', value: 'server.js\n--stdio' },
        { fill: '#f-tool_timeout_sec input', value: '30' },
        { click: '#save' },
        { waitText: '#status', contains: 'Saved docs' },
        { waitText: '.server.active', contains: 'docs' },
      ]);
      assert.ok(!shown.includes('do-not-show-me'), 'env values stay masked in the page');
      // The form now edits the saved server: a validation typed before Save (debounced 250 ms)
      // must not come back calling it a duplicate of itself.
      await new Promise((r) => setTimeout(r, 700));
      const after = await page('mcp-settings-saved', [{ waitText: 'h2', contains: 'docs' }]);
      assert.ok(!after.includes('already exists'), `the saved server is flagged as a duplicate of itself:\n${after}`);
      const text = readFileSync(file, 'utf8');
      assert.ok(text.startsWith(ORIGINAL), `the original text must stay byte for byte:\n${text}`);
      assert.deepEqual(JSON.parse(JSON.stringify(parse(text.slice(ORIGINAL.length)))), { mcp_servers: { docs: { command: 'node', args: ['server.js', '--stdio'], tool_timeout_sec: 30 } } });
      assert.equal(readFileSync(`${file}.bak`, 'utf8'), ORIGINAL);

      // Screenshots in both themes (looked at by a person when the layout changes).
      const workbench = vscode.workspace.getConfiguration('workbench');
      const before = workbench.get<string>('colorTheme');
      try {
        await workbench.update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
        await new Promise((r) => setTimeout(r, 800));
        await page('mcp-settings-light', [{ waitText: '.server.active', contains: 'docs' }]);
      } finally {
        await workbench.update('colorTheme', before, vscode.ConfigurationTarget.Global);
      }
    });

    it('env values are masked; a reloaded page comes back with the server it showed (state kept for the serializer)', async function () {
      await page('mcp-settings-masked', [
        { click: '.server[data-server="existing"]' },
        { waitText: 'h2', contains: 'existing' },
        // The env row shows its name and a read-only mask, not the value.
        { waitFor: '#f-env vscode-textfield[label="Environment value 1 (hidden)"][value="*****"][readonly]' },
        // Not the first server: without the saved state the page would show the first one.
        { click: '.server[data-server="docs"]' },
        { waitText: 'h2', contains: 'docs' },
      ]);
      await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
      await page('mcp-settings-reloaded', [{ waitText: '.server.active', contains: 'docs' }, { waitText: 'h2', contains: 'docs' }]);
    });

    it('Test connection lists the tools (failures show stderr), ticking Allow fills enabled_tools, Save writes it', async function () {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext);
      const server = path.join(ext.extensionPath, 'test', 'unit', 'vscode', 'mcp-settings', 'stdio-server.mjs');
      await page('mcp-settings-test-failed', [
        { click: '.server[data-server="docs"]' },
        { fill: '#f-command input', value: process.execPath },
        { fill: '#f-args textarea', value: `${server}\n--fail` },
        { click: '#test' },
        { waitText: 'pre.stderr', contains: 'tiny-stdio: missing API key' },
      ]);
      await page('mcp-settings-test-ok', [
        { fill: '#f-args textarea', value: server },
        { click: '#test' },
        { waitText: '#tool-picker', contains: 'greet' },
        { click: 'vscode-checkbox[aria-label="Allow echo"]' },
        { click: '#save' },
        { waitText: '#status', contains: 'Saved docs' },
      ]);
      const docs = (parse(readFileSync(file, 'utf8')) as any).mcp_servers.docs;
      assert.equal(docs.command, process.execPath);
      assert.deepEqual([...docs.args], [server]);
      assert.deepEqual([...docs.enabled_tools], ['echo']);
      assert.ok(readFileSync(file, 'utf8').startsWith(ORIGINAL));
    });

    it('shows invalid input inline and writes nothing', async function () {
      const saved = readFileSync(file, 'utf8');
      const backup = readFileSync(`${file}.bak`, 'utf8');
      await vscode.commands.executeCommand('codexGovernance.addMcpServer', { file });
      await page('mcp-settings-invalid', [
        { waitText: 'h2', contains: 'New server' },
        { fill: '#f-name input', value: 'bad' },
        { fill: '#f-command input', value: 'node' },
        { fill: '#f-startup_timeout_sec input', value: '-5' },
        { waitText: '.field-error[data-for="startup_timeout_sec"]', contains: 'negative' },
        { click: '#save' },
        { waitText: '#status', contains: 'Not saved' },
        // Neither command nor url.
        { fill: '#f-startup_timeout_sec input', value: '' },
        { fill: '#f-command input', value: '' },
        { waitText: '.field-error[data-for="command"]', contains: 'command' },
        { click: '#save' },
        { waitText: '#status', contains: 'Not saved' },
      ]);
      assert.equal(readFileSync(file, 'utf8'), saved, 'nothing may be written');
      assert.equal(readFileSync(`${file}.bak`, 'utf8'), backup, 'no new backup either');
    });

    it('shows invalid TOML with its line and column and writes nothing', async function () {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const broken = '# broken on purpose\n[mcp_servers.a]\ncommand = "unterminated\n';
      writeFileSync(file, broken);
      rmSync(`${file}.bak`, { force: true });
      await vscode.commands.executeCommand('codexGovernance.openMcpSettings');
      const text = await page('mcp-settings-invalid-toml', [{ waitText: '.parse-error', contains: 'line 3, column' }]);
      assert.match(text, /Invalid TOML at line 3, column \d+/);
      // Connect Codex to Governance refuses the same file (and reports the error) without writing.
      assert.equal(await vscode.commands.executeCommand('codexGovernance.connectCodexToGovernance'), undefined);
      assert.equal(readFileSync(file, 'utf8'), broken);
      assert.ok(!existsSync(`${file}.bak`));
    });

    if (bridgeDir) {
      it('Connect Codex to Governance shows the diff, writes it on Connect, and Test connection of the entry succeeds with no variable', async function () {
        this.timeout(300_000);
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        writeFileSync(file, ORIGINAL);
        const api = await activateExtension();
        assert.ok(api.serverUrl(), 'the server runs');
        await vscode.commands.executeCommand('notifications.clearAll');
        const done = vscode.commands.executeCommand<{ outcome: string; hooks: number; trusted: boolean }>('codexGovernance.connectCodexToGovernance');
        // The question follows the diff editor; on a loaded machine opening it can take longer than the runner waits for a notification.
        await until(() => Promise.resolve(diffTab('Connect Codex')), 90_000);
        const note = await askRunner({ op: 'notification', name: 'connect-codex-diff', contains: 'as shown in the diff', click: 'Connect' });
        assert.ok(note.ok, note.error);
        const result = await done;
        assert.deepEqual({ ...result }, { file, outcome: 'connected', hooks: 5, trusted: false });
        assert.ok(diffTab('Connect Codex')?.input instanceof vscode.TabInputTextDiff, 'the diff editor was shown');
        const text = readFileSync(file, 'utf8');
        assert.ok(text.startsWith(ORIGINAL), 'the file before the block is unchanged');
        assert.ok(!/url\s*=|bearer_token/.test(text.slice(ORIGINAL.length)), 'no URL or token variable added');
        // The MCP settings' Test connection runs this entry the way Codex would, with an empty environment.
        const loaded = await loadConfigFile(file);
        const entry = loaded.servers.find((x) => x.name === 'codex-governance');
        assert.ok(entry, 'the entry is there');
        const tested = await testConnection(entry, { env: {}, timeoutMs: 60_000 });
        assert.equal(tested.ok, true, tested.error);
        assert.ok(tested.tools.some((t) => t.name === 'health_check'));
        // Disconnect gives the file back byte for byte.
        const undone = vscode.commands.executeCommand<{ outcome: string }>('codexGovernance.disconnectCodexFromGovernance');
        await until(() => Promise.resolve(diffTab('Disconnect Codex')), 90_000);
        const confirm = await askRunner({ op: 'notification', name: 'disconnect-codex-diff', contains: 'remove the governance server', click: 'Disconnect' });
        assert.ok(confirm.ok, confirm.error);
        assert.equal((await undone).outcome, 'restored');
        assert.equal(readFileSync(file, 'utf8'), ORIGINAL);
      });
    }

    it('Remove MCP Server removes nothing unless the modal is confirmed', async function () {
      writeFileSync(file, `${ORIGINAL}\n[mcp_servers.codex-governance]\nurl = "http://127.0.0.1:8765/mcp"\n`);
      const before = readFileSync(file, 'utf8');
      // VS Code refuses modals while it runs extension tests: the refusal must count as "no".
      assert.equal(await vscode.commands.executeCommand('codexGovernance.removeMcpServer', { file, name: 'codex-governance' }), undefined);
      assert.equal(readFileSync(file, 'utf8'), before);
    });

    it('Remove in the page asks in the page, then removes only that table', async function () {
      await vscode.commands.executeCommand('codexGovernance.openMcpSettings');
      // The notification centre, left open by earlier suites, covers the form's buttons.
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.commands.executeCommand('notifications.hideList');
      await page('mcp-settings-remove', [
        { click: '.server[data-server="codex-governance"]' },
        { click: '#remove' },
        { waitText: '[role="alertdialog"]', contains: 'Remove codex-governance' },
        { click: '#confirm-yes' },
        { waitText: '#status', contains: 'Removed codex-governance' },
      ]);
      const text = readFileSync(file, 'utf8');
      assert.ok(text.startsWith(ORIGINAL), text);
      // The blank line that separated the removed table may stay; nothing else does.
      assert.equal(text.trimEnd(), ORIGINAL.trimEnd());
    });
  });
}
