import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';

interface PageBundles {
  webviewPages(): string[];
  pageBuildOptions(page: string): BuildOptions;
  forbiddenInputs(metafile: Metafile): { input: string; chain: string[] }[];
}

const ROOT = path.join(__dirname, '..', '..', '..');

describe('webview page bundles', function () {
  this.timeout(120_000);
  let kit: PageBundles;
  let esbuild: typeof import('esbuild');

  before(async () => {
    // scripts/page-bundles.mjs is what esbuild.mjs builds the pages with.
    kit = (await import(path.join(ROOT, 'scripts', 'page-bundles.mjs'))) as PageBundles;
    esbuild = await import('esbuild');
  });

  it('every page builds without zod (types and constants from ./protocol only)', async () => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const pages = kit.webviewPages();
      assert.deepEqual(pages, ['agent-dashboard', 'agent-run', 'approvals', 'knowledge-graph', 'mcp-settings', 'review', 'session']);
      for (const page of pages) {
        const result = await esbuild.build({ ...kit.pageBuildOptions(page), write: false, sourcemap: false, logLevel: 'silent' });
        const inputs = Object.keys(result.metafile!.inputs);
        assert.ok(inputs.includes(`src/webviews/${page}/main.ts`), `${page}: ${inputs.length} inputs`);
        assert.deepEqual(inputs.filter((i) => /node_modules\/zod\//.test(i)), [], `${page} bundles zod`);
        assert.deepEqual(kit.forbiddenInputs(result.metafile!), []);
      }
    } finally {
      process.chdir(cwd);
    }
  });

  it('names the import chain that brings zod into a page', () => {
    const metafile = {
      inputs: {
        'src/webviews/x/main.ts': { bytes: 1, imports: [{ path: 'src/webviews/x/schema.ts', kind: 'import-statement' }] },
        'src/webviews/x/schema.ts': { bytes: 1, imports: [{ path: 'node_modules/zod/mini/index.js', kind: 'import-statement' }] },
        'node_modules/zod/mini/index.js': { bytes: 1, imports: [{ path: 'node_modules/zod/v4/core/index.js', kind: 'import-statement' }] },
        'node_modules/zod/v4/core/index.js': { bytes: 1, imports: [] },
      },
      outputs: { 'media/dist/x.js': { bytes: 1, inputs: {}, imports: [], exports: [], entryPoint: 'src/webviews/x/main.ts' } },
    } as unknown as Metafile;
    assert.deepEqual(kit.forbiddenInputs(metafile), [
      { input: 'node_modules/zod/mini/index.js', chain: ['src/webviews/x/main.ts', 'src/webviews/x/schema.ts', 'node_modules/zod/mini/index.js'] },
    ]);
  });
});
