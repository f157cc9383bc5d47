// The webview page bundles (src/webviews/<panel>/main.ts -> media/dist/<panel>.js) and the rule they
// must keep: no zod. A page imports its panel's ./protocol (types and constants); the zod schemas
// in ./schema are for the host. esbuild.mjs builds the pages with this plugin, which fails the build
// when a page's inputs include zod and names the import chain that brought it in;
// test/unit/webviews/page-bundles.test.ts builds every page in memory with the same options.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const WEBVIEW_ROOT = 'src/webviews';

/** Packages no page may bundle (the host validates; pages trust the host). */
const FORBIDDEN = [/(^|\/)node_modules\/zod\//];

/** Names of the pages: every folder of src/webviews with a main.ts. */
export function webviewPages(root = WEBVIEW_ROOT) {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'main.ts')))
    .map((d) => d.name)
    .sort();
}

/**
 * The forbidden inputs of a build's metafile, each with the import chain from the entry point.
 * @returns e.g. `[{ input: 'node_modules/zod/v4/mini/...', chain: ['src/webviews/x/main.ts', 'src/webviews/x/schema.ts', ...] }]`
 */
export function forbiddenInputs(metafile) {
  const inputs = Object.keys(metafile.inputs);
  const bad = inputs.filter((i) => FORBIDDEN.some((re) => re.test(i)));
  if (bad.length === 0) return [];
  // Breadth-first from the entry points: the shortest chain to each input.
  const entries = Object.values(metafile.outputs).map((o) => o.entryPoint).filter(Boolean);
  const parent = new Map(entries.map((e) => [e, undefined]));
  const queue = [...entries];
  while (queue.length) {
    const at = queue.shift();
    for (const imp of metafile.inputs[at]?.imports ?? []) {
      if (imp.external || parent.has(imp.path)) continue;
      parent.set(imp.path, at);
      queue.push(imp.path);
    }
  }
  const chainTo = (input) => {
    const chain = [];
    for (let at = input; at !== undefined; at = parent.get(at)) chain.unshift(at);
    return chain;
  };
  // One report per way in: the first forbidden input on each chain.
  const firsts = bad.filter((i) => !FORBIDDEN.some((re) => re.test(parent.get(i) ?? '')));
  return firsts.map((input) => ({ input, chain: chainTo(input) }));
}

/** esbuild plugin: fails a page build whose bundle includes zod (needs `metafile: true`). */
export const noZodInPages = {
  name: 'no-zod-in-pages',
  setup(build) {
    build.onEnd((result) => {
      if (!result.metafile) return { errors: [{ text: 'no-zod-in-pages needs metafile: true' }] };
      const found = forbiddenInputs(result.metafile);
      return {
        errors: found.map(({ input, chain }) => ({
          text: `A webview page bundles ${input}: ${chain.join(' -> ')}. Pages import their panel's ./protocol (types and constants) only; zod schemas belong in ./schema, which only the host imports.`,
        })),
      };
    });
  },
};

/** The esbuild options of one page (browser, iife, minified), with the no-zod check. */
export function pageBuildOptions(page, root = WEBVIEW_ROOT) {
  return {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: 'linked',
    logLevel: 'warning',
    legalComments: 'none',
    minify: true,
    metafile: true,
    entryPoints: [join(root, page, 'main.ts')],
    outfile: `media/dist/${page}.js`,
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
    plugins: [noZodInPages],
  };
}
