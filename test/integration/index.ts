/**
 * The tests module VS Code loads into the extension host (`extensionTestsPath`): runs the suites
 * with mocha and resolves when all pass. Used by both run-code-server.mjs and run-electron.mjs.
 */
import Mocha from 'mocha';
import { askRunner, bridgeDir } from './bridge';
import { activateExtension } from './helpers';
import { registerAgentRunSuite } from './suites/agent-run.suite';
import { registerApprovalsSuite } from './suites/approvals.suite';
import { registerApprovalsPanelSuite } from './suites/approvals-panel.suite';
import { registerConnectionConfigSuite } from './suites/connection-config.suite';
import { registerManifestSuite } from './suites/manifest.suite';
import { registerMcpSettingsSuite } from './suites/mcp-settings.suite';
import { registerPanelsSuite } from './suites/panels.suite';
import { registerRemotePanelsSuite } from './suites/remote-panels.suite';
import { registerReviewsSuite } from './suites/reviews.suite';
import { registerServerSuite } from './suites/server.suite';
import { registerSessionsSuite } from './suites/sessions.suite';
import { registerTeamDatabaseSuite } from './suites/team-database.suite';
import { registerViewsSuite } from './suites/views.suite';

/** CODEX_GOV_IT_ONLY=sessions,panels runs only the named suites (a quick local run); unset runs all. */
const only = process.env.CODEX_GOV_IT_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const on = (suite: string): boolean => !only?.length || only.includes(suite);

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000 });
  // The suites are bundled, not loaded from files: give them mocha's globals the way a file load would.
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  if (on('server')) registerServerSuite();
  if (on('manifest')) registerManifestSuite();
  if (on('connection-config')) registerConnectionConfigSuite();
  // Pending requests are answered by clicking the Approvals view: only the code-server runner can.
  if (bridgeDir && on('approvals')) registerApprovalsSuite();
  // Typing into the settings form needs the workbench runner.
  if (bridgeDir && on('mcp-settings')) registerMcpSettingsSuite();
  // Before the suites whose agents PAUSE: their automatic reviews may pick vscode-user as reviewer.
  if (bridgeDir && on('reviews')) registerReviewsSuite();
  // Reading tree rows needs the workbench runner.
  if (bridgeDir && on('views')) registerViewsSuite();
  if (bridgeDir && on('panels')) registerPanelsSuite();
  if (bridgeDir && on('sessions')) registerSessionsSuite();
  if (bridgeDir && on('approvals-panel')) registerApprovalsPanelSuite();
  if (bridgeDir && on('agent-run')) registerAgentRunSuite();
  // Stops this window's server while "another window" serves; starts it again at the end.
  if (bridgeDir && on('remote-panels')) registerRemotePanelsSuite();
  // Last: it moves this window's server to a PostgreSQL database and back to the SQLite file.
  if (bridgeDir && on('team-database')) registerTeamDatabaseSuite();
  if (bridgeDir) {
    // Deactivation happens after run() resolves, so the runner checks it once the extension host ends.
    after(async function () {
      const url = (await activateExtension()).serverUrl();
      if (url) await askRunner({ op: 'expect-closed-after-exit', name: 'final-port', port: Number(new URL(url).port) });
    });
  }
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed.`);
}
