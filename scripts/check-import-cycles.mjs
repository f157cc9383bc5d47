#!/usr/bin/env node
// Finds import cycles between the TypeScript files of a folder (default src/), the way
// `madge --circular --extensions ts` does: every relative `import ... from`, `import type`,
// `export ... from`, `import('...')` and `require('...')` counts (type-only imports too, since a
// cycle of types is still two modules that cannot be understood one without the other). Prints
// each cycle and exits 1 when there is one. test/unit/architecture.test.ts runs it on src/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SPECIFIER = /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

function tsFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveImport(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The relative imports of every .ts file under `root`: Map<file, Set<file>>. */
export function importGraph(root) {
  const graph = new Map();
  for (const file of tsFiles(resolve(root))) {
    // Comments may quote import lines; drop them first.
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    const deps = new Set();
    for (const m of text.matchAll(SPECIFIER)) {
      const target = resolveImport(file, m[1]);
      if (target && target !== file) deps.add(target);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan), each as a cycle of paths relative to `root`'s parent. */
export function findCycles(root) {
  const graph = importGraph(root);
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  const base = dirname(resolve(root));
  return components.map((c) => c.map((f) => relative(base, f)).sort());
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? 'src';
  const cycles = findCycles(root);
  if (cycles.length === 0) {
    console.log(`No import cycles under ${root}/ (${importGraph(root).size} files).`);
  } else {
    for (const c of cycles) console.error(`Import cycle (${c.length} files): ${c.join(' <-> ')}`);
    process.exit(1);
  }
}
