// Bundles the extension (cjs, `vscode` external) and the CLI for Node >= 22.13.
import * as esbuild from 'esbuild';
import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve, sep } from 'node:path';
import { pageBuildOptions, webviewPages } from './scripts/page-bundles.mjs';

const watch = process.argv.includes('--watch');
// `pg` (the PostgreSQL client) is a bundle of its own, dist/pg.js, required from beside the bundle
// that needs it (Node resolves './pg.js' from the requiring file): only a postgres:// database
// loads the PostgreSQL store (src/store/open.ts), so a SQLite start does not parse pg's 120 KB.
const pgApart = {
  name: 'pg-apart',
  setup(build) {
    build.onResolve({ filter: /^pg$/ }, () => ({ path: './pg.js', external: true }));
  },
};

// zod's `locales` namespace (z.locales, zod/locales) re-exports every language's error messages,
// 290 KB that the bundles parsed and ran on every server start; the code uses English only (zod's
// default, and `en` from zod/locales in src/approvals/policy.ts). Inside zod, the locales index is
// replaced by one exporting `en` alone, so `z.locales.<other>` is undefined in the bundles.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /(^|\/)locales\/index\.js$/ }, (args) => {
      if (!args.importer.includes(`${sep}node_modules${sep}zod${sep}`)) return undefined;
      return { path: resolve(args.resolveDir, args.path), namespace: 'zod-english-only' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({ contents: "export { default as en } from './en.js';", resolveDir: dirname(args.path), loader: 'js' }));
  },
};

// zod's entry files (`zod`, `zod/mini`, `zod/v4-mini`...) only re-export, and zod's package.json
// says `"sideEffects": false`, so esbuild may skip an entry file and point its importers at the
// modules behind it. When those modules are lazy `__esm` wrappers (everything a module required on
// first use imports is wrapped: ./mcp, the SDK's client and transports, and so zod), the skipped
// entry file took the call that initialises them with it: dist/on-demand.js failed at load
// ("Class2 is not a constructor", src/approvals/policy.ts's `zod/mini` schemas) once nothing else
// happened to initialise zod first. Marking the entry files as having side effects keeps that call.
const zodEntriesKept = {
  name: 'zod-entries-kept',
  setup(build) {
    build.onResolve({ filter: /^zod(\/[^/]+)?$/ }, async (args) => {
      if (args.pluginData?.zodEntriesKept) return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { zodEntriesKept: true } });
      return resolved.errors.length ? undefined : { path: resolved.path, namespace: resolved.namespace, external: resolved.external, sideEffects: true };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
  // pg's optional native binding (libpq); the pure-JS client is what the PostgreSQL store uses.
  external: ['pg-native'],
  plugins: [pgApart, zodEnglishOnly, zodEntriesKept],
};

const lean = { minifyWhitespace: true, minifySyntax: true };

const builds = [
  // The server and the MCP connection test are a second bundle, loaded on first use
  // (src/vscode/on-demand.ts), so activation does not parse the MCP SDK, ajv and prom-client. Whitespace and syntax are minified
  // (half the bytes to parse); identifiers are kept so stack traces in logs stay readable.
  { ...common, ...lean, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'pg-native'] },
  { ...common, ...lean, entryPoints: ['src/vscode/on-demand.ts'], outfile: 'dist/on-demand.js' },
  // The governed agent runner (the openai SDK): loaded on the first run, not on the first server start.
  { ...common, ...lean, entryPoints: ['src/vscode/on-demand-agent.ts'], outfile: 'dist/agent-run.js' },
  { ...common, ...lean, entryPoints: ['src/cli/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The pg client for the bundles above (see pgApart); in the VSIX beside them.
  { ...common, ...lean, plugins: [], entryPoints: [createRequire(import.meta.url).resolve('pg')], outfile: 'dist/pg.js' },
  // The Codex hook runs once per tool call: its own small bundle starts several times faster than dist/cli.js.
  { ...common, ...lean, entryPoints: ['src/cli/hook-main.ts'], outfile: 'dist/hook.js', banner: { js: '#!/usr/bin/env node' } },
  // The stdio MCP bridge Codex starts: Codex waits only ~1 s for it before its first model request.
  { ...common, ...lean, entryPoints: ['src/cli/bridge-main.ts'], outfile: 'dist/bridge.js' },
  // The search index build's worker thread, started from beside the server bundles (src/store/search-worker.ts).
  { ...common, ...lean, entryPoints: ['src/store/search-build-worker.ts'], outfile: 'dist/search-build-worker.js' },
];

// Webview pages: every src/webviews/<panel>/main.ts becomes media/dist/<panel>.js (browser, iife),
// plus its CSS if the page imports any. Host-only code cannot be imported: the pages' tsconfig
// (src/webviews/tsconfig.json) has DOM types and no Node types, and a page build that bundles zod
// fails (scripts/page-bundles.mjs: pages import their ./protocol, the host their ./schema).
for (const page of webviewPages()) builds.push(pageBuildOptions(page));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
  chmodSync('dist/hook.js', 0o755);
}
