// Bundles the extension (cjs, `vscode` external) and the CLI for Node >= 22.13.
import * as esbuild from 'esbuild';
import { chmodSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

const lean = { minifyWhitespace: true, minifySyntax: true };

const builds = [
  // The server and the MCP connection test are a second bundle, loaded on first use
  // (src/vscode/on-demand.ts), so activation does not parse the MCP SDK, ajv and prom-client. Whitespace and syntax are minified
  // (half the bytes to parse); identifiers are kept so stack traces in logs stay readable.
  { ...common, ...lean, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, ...lean, entryPoints: ['src/vscode/on-demand.ts'], outfile: 'dist/on-demand.js' },
  { ...common, ...lean, entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];

// Webview pages: every src/webviews/<panel>/main.ts becomes media/dist/<panel>.js (browser, iife),
// plus its CSS if the page imports any. Host-only code cannot be imported: the pages' tsconfig
// (src/webviews/tsconfig.json) has DOM types and no Node types.
const webviewRoot = 'src/webviews';
const pages = existsSync(webviewRoot)
  ? readdirSync(webviewRoot, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(webviewRoot, d.name, 'main.ts')))
      .map((d) => d.name)
  : [];
for (const page of pages) {
  builds.push({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: 'linked',
    logLevel: 'warning',
    legalComments: 'none',
    minify: true,
    entryPoints: [join(webviewRoot, page, 'main.ts')],
    outfile: `media/dist/${page}.js`,
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
  });
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
}
