/**
 * Starting the real Codex binaries in their two server modes for tests, each in its own process
 * group (see ./child-process):
 * - `codex mcp-server` (<= 0.153.x): MCP over stdio, driven by the SDK `Client`.
 * - `codex app-server` (current): JSON-RPC lines, driven by {@link RecordingRpc}; the handshake
 *   is `initialize {clientInfo, capabilities}` then the notification `initialized`
 *   (openai/codex `codex-rs/app-server/README.md`).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { bundledCodexPaths, type CodexBackend, type LocatedCodex } from '../../src/supervisor/locate';
import type { ChildHandle } from '../../src/supervisor/process';
import { ChildStdioTransport } from '../../src/supervisor/stdio-transport';
import { spawnDetached } from './child-process';
import type { CodexHome } from './codex-home';
import { RecordingRpc } from './recording-rpc';

/** Native binaries of the two devDependency copies; throws if one is missing (run `npm ci`). */
export function codexBinaries(): { current: string; legacy: string } {
  const copies = bundledCodexPaths();
  const current = copies.find((c) => c.label === 'current')?.path;
  const legacy = copies.find((c) => c.label === 'legacy')?.path;
  if (!current || !legacy) throw new Error('Codex devDependencies are missing (@openai/codex and codex-mcp-legacy); run npm ci.');
  return { current, legacy };
}

/** The bundled Codex of each backend as the supervisor's `located` option takes it (0.153.4 mcp-server, 0.169.0 app-server). */
export function locatedCodex(backend: CodexBackend): LocatedCodex {
  const bins = codexBinaries();
  return backend === 'mcp-server'
    ? { path: bins.legacy, version: '0.153.4', backend: 'mcp-server', source: 'bundled' }
    : { path: bins.current, version: '0.169.0', backend: 'app-server', source: 'bundled' };
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
