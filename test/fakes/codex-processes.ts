/**
 * Starting the real Codex binaries in their two server modes for tests, each in its own process
 * group (see ./child-process):
 * - `codex mcp-server` (<= 0.153.x): MCP over stdio, driven by the SDK `Client`.
 * - `codex app-server` (0.154 on): JSON-RPC lines, driven by {@link RecordingRpc}; the handshake
 *   is `initialize {clientInfo, capabilities}` then the notification `initialized`
 *   (openai/codex `codex-rs/app-server/README.md`).
 *
 * The Codex versions under test are the devDependency copies (src/supervisor/locate.ts,
 * `bundledCodexPaths`): `legacy` (0.153.4, mcp-server), `previous` (0.169.0, app-server) and
 * `current` (the pinned `@openai/codex`, app-server). Suites loop over {@link codexMatrix} (all
 * three) or {@link codexPerBackend} (legacy and current; all three when the environment sets
 * CODEX_E2E_ALL_VERSIONS=1).
 */
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { bundledCodexPaths, type BundledCodexLabel, type CodexBackend, type LocatedCodex } from '../../src/supervisor/locate';
import type { ChildHandle } from '../../src/supervisor/process';
import { ChildStdioTransport } from '../../src/supervisor/stdio-transport';
import { spawnDetached } from './child-process';
import type { CodexHome } from './codex-home';
import { RecordingRpc } from './recording-rpc';

/** One installed Codex copy under test, with the backend it is driven through. */
export interface CodexUnderTest {
  label: BundledCodexLabel;
  /** The npm version of the copy (its package.json), which `codex --version` prints. */
  version: string;
  backend: CodexBackend;
  /** Native binary. */
  path: string;
  /** As the supervisor's `located` option takes it. */
  located: LocatedCodex;
  /** For test titles, e.g. `app-server, Codex 0.171.0`. */
  title: string;
}

/** Which backend each copy is tested through: the legacy copy is the only one with mcp-server. */
const BACKEND_OF: Record<BundledCodexLabel, CodexBackend> = { legacy: 'mcp-server', previous: 'app-server', current: 'app-server' };

let cached: Record<BundledCodexLabel, CodexUnderTest> | undefined;

/** Every devDependency copy of Codex; throws naming the missing package if one is not installed (run `npm ci`). */
export function bundledCodex(): Record<BundledCodexLabel, CodexUnderTest> {
  if (cached) return cached;
  const out: Partial<Record<BundledCodexLabel, CodexUnderTest>> = {};
  for (const copy of bundledCodexPaths()) {
    if (!copy.path) throw new Error(`The Codex devDependency ${copy.packageName} (${copy.label}) or its platform package is missing; run npm ci.`);
    const { version } = JSON.parse(readFileSync(require.resolve(`${copy.packageName}/package.json`), 'utf8')) as { version: string };
    const backend = BACKEND_OF[copy.label];
    out[copy.label] = {
      label: copy.label,
      version,
      backend,
      path: copy.path,
      located: { path: copy.path, version, backend, source: 'bundled' },
      title: `${backend}, Codex ${version}`,
    };
  }
  const { current, previous, legacy } = out;
  if (!current || !previous || !legacy) throw new Error('bundledCodexPaths() lacks a copy');
  cached = { current, previous, legacy };
  return cached;
}

/** Native binaries of the devDependency copies; throws if one is missing (run `npm ci`). */
export function codexBinaries(): Record<BundledCodexLabel, string> {
  const all = bundledCodex();
  return { current: all.current.path, previous: all.previous.path, legacy: all.legacy.path };
}

/** Every tested Codex: 0.153.4 on mcp-server, 0.169.0 and the current one on app-server, oldest first. */
export function codexMatrix(): CodexUnderTest[] {
  const all = bundledCodex();
  return [all.legacy, all.previous, all.current];
}

/**
 * One Codex per backend (0.153.4 mcp-server, the current one app-server), for suites where the
 * app-server version adds run time but no coverage; the whole {@link codexMatrix} when the
 * environment sets CODEX_E2E_ALL_VERSIONS=1.
 */
export function codexPerBackend(): CodexUnderTest[] {
  if (process.env.CODEX_E2E_ALL_VERSIONS === '1') return codexMatrix();
  const all = bundledCodex();
  return [all.legacy, all.current];
}

/** The bundled Codex of each backend as the supervisor's `located` option takes it (0.153.4 mcp-server, the current one app-server). */
export function locatedCodex(backend: CodexBackend): LocatedCodex {
  const all = bundledCodex();
  return backend === 'mcp-server' ? all.legacy.located : all.current.located;
}

export interface CodexMcpServer {
  readonly client: Client;
  readonly proc: ChildHandle;
  /** Closes the client and kills the process group. */
  close(): Promise<void>;
}

/** Spawns `<binary> mcp-server` with `home`'s env and cwd and connects an SDK `Client` to it. */
export async function startCodexMcpServer(binary: string, home: CodexHome, clientOptions?: ConstructorParameters<typeof Client>[1]): Promise<CodexMcpServer> {
  const proc = await spawnDetached(binary, ['mcp-server'], { env: home.env, cwd: home.workDir });
  const client = new Client({ name: 'codex-governance-tests', version: '0.0.0' }, clientOptions);
  try {
    await client.connect(new ChildStdioTransport(proc));
  } catch (err) {
    await proc.kill();
    throw new Error(`codex mcp-server did not initialize: ${String(err)}; stderr: ${proc.stderrTail().slice(-2000)}`, { cause: err });
  }
  return {
    client,
    proc,
    close: async () => {
      await client.close().catch(() => undefined);
      await proc.kill();
    },
  };
}

export interface CodexAppServer {
  readonly rpc: RecordingRpc;
  readonly proc: ChildHandle;
  /** The `initialize` result (`userAgent`, `codexHome`, `platformFamily`, `platformOs`). */
  readonly initializeResult: Record<string, unknown>;
  close(): Promise<void>;
}

/** Spawns `<binary> app-server`, sends `initialize` and `initialized`. */
export async function startCodexAppServer(binary: string, home: CodexHome): Promise<CodexAppServer> {
  const proc = await spawnDetached(binary, ['app-server'], { env: home.env, cwd: home.workDir });
  const rpc = new RecordingRpc(proc);
  let initializeResult: Record<string, unknown>;
  try {
    initializeResult = await rpc.request<Record<string, unknown>>('initialize', { clientInfo: { name: 'codex-governance-tests', title: 'Codex Governance tests', version: '0.0.0' }, capabilities: null });
  } catch (err) {
    await proc.kill();
    throw err;
  }
  rpc.notify('initialized');
  return { rpc, proc, initializeResult, close: () => proc.kill() };
}
