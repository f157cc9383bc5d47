#!/usr/bin/env node
// Bundles the integration tests that run inside VS Code's extension host into
// out/test/integration/index.js (CommonJS, `vscode` external, mocha bundled so the tests module
// loads the same way under code-server and @vscode/test-electron).
import * as esbuild from 'esbuild';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['test/integration/index.ts'],
  outfile: 'out/test/integration/index.js',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode'],
  logLevel: 'warning',
  // Only mocha's parallel mode (never used here) resolves these files at run time.
  logOverride: { 'require-resolve-not-external': 'silent' },
});
