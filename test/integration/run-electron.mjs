#!/usr/bin/env node
// Runs the same integration tests module (out/test/integration/index.js) in VS Code desktop through
// @vscode/test-electron, for machines that can download VS Code (it fails at once with ENOTFOUND
// where update.code.visualstudio.com is unreachable; use run-code-server.mjs there). On Linux
// without a display, run it under `xvfb-run -a`. VS Code version: $VSCODE_TEST_VERSION, default
// "stable". No runner watches the workbench here, so the tests that need one (status bar text,
// notifications, quick picks) are not registered; the API-level tests all run.
import { runTests } from '@vscode/test-electron';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, prepareWorkspace, QUIET_USER_SETTINGS, writeJson } from './prepare.mjs';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

async function main() {
  build();
  const tmp = mkdtempSync(join(tmpdir(), 'codex-gov-electron-'));
  try {
    const { workspace } = await prepareWorkspace(tmp);
    const userDataDir = join(tmp, 'user-data');
    writeJson(join(userDataDir, 'User', 'settings.json'), QUIET_USER_SETTINGS);
    await runTests({
      version: process.env.VSCODE_TEST_VERSION || 'stable',
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: join(ROOT, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [
        workspace,
        '--user-data-dir', userDataDir,
        '--extensions-dir', join(tmp, 'extensions'),
        '--disable-workspace-trust',
        '--disable-telemetry',
        '--skip-welcome',
        '--skip-release-notes',
      ],
      extensionTestsEnv: { CODEX_GOV_IT_BRIDGE: '' },
    });
    return 0;
  } catch (err) {
    console.error(`VS Code integration tests failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

process.exit(await main());
