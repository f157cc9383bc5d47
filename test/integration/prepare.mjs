// Shared by both integration runners: builds what VS Code loads and writes the settings files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** User settings that keep a test workbench fast and quiet (no AI features, no startup editor, no network chatter). */
export const QUIET_USER_SETTINGS = {
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'git.enabled': false,
  'workbench.tips.enabled': false,
};

/** Newest modification time (ms) of any file under `dir`. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds the extension (`npm run build`'s esbuild.mjs) when dist/ is missing or older than src/, and always the tests module. */
export function build() {
  const bundle = join(ROOT, 'dist', 'extension.js');
  const steps = ['scripts/build-tests.mjs'];
  if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestMtime(join(ROOT, 'src'))) steps.unshift('esbuild.mjs');
  for (const script of steps) {
    const r = spawnSync(process.execPath, [join(ROOT, script)], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`Build step ${script} failed (exit ${r.status ?? r.signal}).`);
  }
  for (const f of ['dist/extension.js', 'out/test/integration/index.js']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`Build did not produce ${f}.`);
  }
}

export function writeJson(path, value) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}


/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Creates the test workspace under `tmp` with a non-default governance port in its
 * `.vscode/settings.json`, so a run never collides with a server a developer runs on 8765, and a
 * per-token rate limit above the default 1,000 a minute: the suites call tools with the one server
 * token from many agents, the panels suite alone stores 2,001 discoveries within a minute.
 * @returns {Promise<{ workspace: string, governancePort: number }>}
 */
export async function prepareWorkspace(tmp) {
  const workspace = join(tmp, 'workspace');
  const governancePort = await freePort();
  writeJson(join(workspace, '.vscode', 'settings.json'), { 'codexGovernance.server.port': governancePort, 'codexGovernance.server.rateLimitPerTokenPerMinute': 20_000 });
  return { workspace, governancePort };
}
