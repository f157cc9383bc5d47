/**
 * Activation time of the extension's own code (target <= 50 ms; the server starts afterwards, in
 * the background): loads the bundle dist/extension.js and times `require` and `activate()` until
 * it returns, 20 times in fresh module caches; prints p50 and max. The on-demand bundle
 * (dist/on-demand.js: the server) loads later, on the first server start; its load time is printed too.
 *
 * `vscode` exists only inside VS Code, so this measurement swaps in a tiny stand-in object whose
 * calls return inert values. It is a measurement aid, not a test: it checks no behaviour. The
 * same number is visible in a real VS Code as "activate" in the extension host's startup timings.
 *
 * Run: `npm run build && node --import tsx bench/activation.ts`.
 */
import Module from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const requireBundle = Module.createRequire(__filename);
const ROUNDS = Number(process.env.BENCH_ACTIVATION_ROUNDS ?? 20);
const bundle = join(__dirname, '..', 'dist', 'extension.js');

/** Anything callable, constructible and indexable; returns more of itself. */
function inert(): unknown {
  const target = function () {} as unknown as object;
  return new Proxy(target, {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => '' : key === 'then' ? undefined : inert()),
    apply: () => inert(),
    construct: () => inert() as object,
  });
}

class EventEmitter<T> {
  private listeners: ((e: T) => void)[] = [];
  event = (l: (e: T) => void) => {
    this.listeners.push(l);
    return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
  };
  fire(e: T) {
    for (const l of this.listeners) l(e);
  }
  dispose() {
    this.listeners = [];
  }
}

const disposable = { dispose() {} };
function fakeVscode(): unknown {
  const base: Record<string, unknown> = {
    EventEmitter,
    Disposable: Object.assign(function () {}, { from: () => disposable }),
    workspace: {
      // autoStart off: the number is the extension's own code, not the server start that follows it.
      getConfiguration: () => ({ get: (key: string) => (key === 'server.autoStart' ? false : undefined), inspect: () => undefined }),
      onDidChangeConfiguration: () => disposable,
      registerTextDocumentContentProvider: () => disposable,
    },
    commands: { registerCommand: () => disposable, executeCommand: () => Promise.resolve(undefined) },
    window: new Proxy({}, { get: (_t, key) => (String(key).startsWith('on') ? () => disposable : () => ({ ...disposable, show() {}, hide() {}, onDidChangeVisibility: () => disposable, visible: false, info() {}, warn() {}, error() {}, debug() {}, trace() {}, appendLine() {} })) }),
  };
  // The bundle copies the module's own keys (esbuild's __toESM), so every name it uses must exist.
  for (const name of ['StatusBarAlignment', 'TreeItemCollapsibleState', 'ThemeIcon', 'ThemeColor', 'TreeItem', 'MarkdownString', 'Uri', 'ViewColumn', 'ConfigurationTarget', 'env', 'extensions', 'l10n', 'LogLevel', 'ProgressLocation', 'McpHttpServerDefinition']) {
    base[name] ??= inert();
  }
  return new Proxy(base, { get: (t, key) => (key in t ? t[key as string] : inert()) });
}

function context(dir: string): unknown {
  return {
    subscriptions: [],
    extensionUri: { fsPath: join(__dirname, '..'), path: join(__dirname, '..'), with: () => inert() },
    extensionPath: join(__dirname, '..'),
    globalStorageUri: { fsPath: dir },
    secrets: { get: () => Promise.resolve(undefined), store: () => Promise.resolve(), delete: () => Promise.resolve(), onDidChange: () => disposable },
    globalState: { get: () => undefined, update: () => Promise.resolve() },
    workspaceState: { get: () => undefined, update: () => Promise.resolve() },
  };
}

async function main(): Promise<void> {
  const M = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = M._load;
  const stub = fakeVscode();
  M._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? stub : load.call(this, request, ...rest);
  };
  const requireMs: number[] = [];
  const activateMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    delete requireBundle.cache[requireBundle.resolve(bundle)];
    const dir = mkdtempSync(join(tmpdir(), 'cg-activation-'));
    const t0 = performance.now();
    const ext = requireBundle(bundle) as { activate(c: unknown): unknown; deactivate(): Promise<void> };
    const t1 = performance.now();
    ext.activate(context(dir));
    const t2 = performance.now();
    requireMs.push(t1 - t0);
    activateMs.push(t2 - t1);
    await ext.deactivate();
    rmSync(dir, { recursive: true, force: true });
  }
  const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[]) => `p50 ${p50(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms, first ${xs[0]!.toFixed(1)} ms`;
  console.log(`Extension activation (${ROUNDS} rounds, target <= 50 ms for activate):`);
  console.log(`  load dist/extension.js: ${fmt(requireMs)}`);
  console.log(`  activate() until it returns: ${fmt(activateMs)}`);
  console.log(`  load + activate, first round (cold): ${(requireMs[0]! + activateMs[0]!).toFixed(1)} ms`);
  // Paid once, when the server first starts (after activation): src/vscode/server-module.ts.
  const s0 = performance.now();
  requireBundle(join(__dirname, '..', 'dist', 'on-demand.js'));
  console.log(`  load dist/on-demand.js on the first server start (after activation): ${(performance.now() - s0).toFixed(1)} ms`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
