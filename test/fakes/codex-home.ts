/**
 * A throw-away Codex home for tests: a temp folder holding `CODEX_HOME` (with a `config.toml` whose
 * model provider is the fake Responses API server) and `HOME`, plus the environment to spawn Codex
 * with. Config keys follow Codex's config.toml (see the project's notes on observed Codex behaviour):
 * `model`, `model_provider`, `[model_providers.NAME] base_url/wire_api`, `[mcp_servers.NAME]`.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';

/** Name of the model provider written into the config. */
export const FAKE_PROVIDER_ID = 'fake';
/** Model name written into the config. */
export const FAKE_MODEL = 'fake-model';

/**
 * Codex's `default_tools_approval_mode` for an MCP server (values from Codex's own validation
 * message: `auto`, `prompt`, `writes`, `approve`). Observed with both Codex versions: under the
 * default mode a tool without `readOnlyHint: true` needs approval; `approve` runs it without asking.
 * Under approval policy `never` an unapproved call fails ("MCP tool call requires approval, but
 * approval policy is never"); under `on-request` `codex mcp-server` 0.153.4 only emits an
 * `elicitation_request` event and never asks the MCP client, so the turn hangs, while
 * `codex app-server` 0.169.0 sends a `mcpServer/elicitation/request` request.
 */
export type ToolsApprovalMode = 'auto' | 'prompt' | 'writes' | 'approve';

interface CommonMcpServerEntry {
  startupTimeoutSec?: number;
  toolTimeoutSec?: number;
  defaultToolsApprovalMode?: ToolsApprovalMode;
}

/** A streamable-HTTP MCP server entry (`url`, token read by Codex from the env var `bearerTokenEnvVar`). */
export interface HttpMcpServerEntry extends CommonMcpServerEntry {
  url: string;
  bearerTokenEnvVar?: string;
  /** Value put into the spawn env under `bearerTokenEnvVar`. */
  bearerToken?: string;
}

/** A stdio MCP server entry. */
export interface StdioMcpServerEntry extends CommonMcpServerEntry {
  command: string;
  args?: string[];
  env?: Record<string, string>;
}

export interface CodexHomeOptions {
  /** `base_url` of the provider, e.g. the fake's `baseUrl` (`http://127.0.0.1:PORT/v1`). */
  modelBaseUrl: string;
  /** Codex `[mcp_servers.NAME]` tables. */
  mcpServers?: Record<string, HttpMcpServerEntry | StdioMcpServerEntry>;
  /** Provider retries (`request_max_retries`, `stream_max_retries`). Default 0 so failures surface fast. */
  maxRetries?: number;
  /** Provider `stream_idle_timeout_ms`: how long Codex waits on a silent stream (ms). Codex's default when omitted. */
  streamIdleTimeoutMs?: number;
  /** Extra top-level config keys merged in (e.g. `{ approval_policy: "never" }`). */
  extraConfig?: Record<string, unknown>;
  /** Extra variables for the spawn env. */
  env?: Record<string, string>;
  /**
   * Write the fake provider into config.toml (default true). With false, pass
   * {@link fakeProviderConfig} per call instead (the `config` argument of the `codex` MCP tool or
   * of app-server `thread/start`).
   */
  writeProvider?: boolean;
}

export interface CodexHome {
  /** The temp root (removed by `cleanup`). */
  readonly root: string;
  /** `CODEX_HOME` (root/codex-home). */
  readonly codexHome: string;
  /** `HOME` (root/home). */
  readonly home: string;
  /** A scratch working directory (root/work) to use as Codex's `cwd`. */
  readonly workDir: string;
  readonly configPath: string;
  /** The config written, as an object (handy for the `config` argument of the `codex` MCP tool). */
  readonly config: Record<string, unknown>;
  /** Environment to spawn Codex with: the parent's PATH and basics, HOME/CODEX_HOME here, bearer tokens set, OpenAI keys removed. */
  readonly env: Record<string, string>;
  /** Removes the whole temp root. Idempotent. */
  cleanup(): Promise<void>;
}

/**
 * The model-provider part of a Codex config pointing at `baseUrl`; usable both as config.toml
 * content and as the `config` argument of `codex mcp-server`'s `codex` tool.
 */
export function fakeProviderConfig(baseUrl: string, opts: { maxRetries?: number; streamIdleTimeoutMs?: number } = {}): Record<string, unknown> {
  const retries = opts.maxRetries ?? 0;
  const provider: Record<string, unknown> = {
    name: 'Fake local Responses API',
    base_url: baseUrl,
    wire_api: 'responses',
    request_max_retries: retries,
    stream_max_retries: retries,
  };
  if (opts.streamIdleTimeoutMs !== undefined) provider.stream_idle_timeout_ms = opts.streamIdleTimeoutMs;
  return { model: FAKE_MODEL, model_provider: FAKE_PROVIDER_ID, model_providers: { [FAKE_PROVIDER_ID]: provider } };
}

function mcpEntryToml(entry: HttpMcpServerEntry | StdioMcpServerEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('url' in entry) {
    out.url = entry.url;
    if (entry.bearerTokenEnvVar) out.bearer_token_env_var = entry.bearerTokenEnvVar;
  } else {
    out.command = entry.command;
    if (entry.args) out.args = entry.args;
    if (entry.env) out.env = entry.env;
  }
  if (entry.startupTimeoutSec !== undefined) out.startup_timeout_sec = entry.startupTimeoutSec;
  if (entry.toolTimeoutSec !== undefined) out.tool_timeout_sec = entry.toolTimeoutSec;
  if (entry.defaultToolsApprovalMode !== undefined) out.default_tools_approval_mode = entry.defaultToolsApprovalMode;
  return out;
}

// Variables copied from the parent; everything else (API keys, the parent's CODEX_* settings) stays out.
const PASS_THROUGH = ['PATH', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ', 'SYSTEMROOT', 'COMSPEC', 'PATHEXT'];

/** Creates the temp homes and writes `config.toml`. Call `cleanup()` in an `after` hook. */
export async function createCodexHome(opts: CodexHomeOptions): Promise<CodexHome> {
  const root = await mkdtemp(join(tmpdir(), 'codex-gov-test-'));
  const codexHome = join(root, 'codex-home');
  const home = join(root, 'home');
  const workDir = join(root, 'work');
  await Promise.all([mkdir(codexHome), mkdir(home), mkdir(workDir)]);

  const providerOpts: { maxRetries?: number; streamIdleTimeoutMs?: number } = {};
  if (opts.maxRetries !== undefined) providerOpts.maxRetries = opts.maxRetries;
  if (opts.streamIdleTimeoutMs !== undefined) providerOpts.streamIdleTimeoutMs = opts.streamIdleTimeoutMs;
  const config: Record<string, unknown> = {
    ...(opts.writeProvider === false ? {} : fakeProviderConfig(opts.modelBaseUrl, providerOpts)),
    // Keeps Codex off the network for anything but the fake.
    check_for_update_on_startup: false,
    ...opts.extraConfig,
  };
  const env: Record<string, string> = {};
  for (const k of PASS_THROUGH) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  env.HOME = home;
  env.CODEX_HOME = codexHome;
  // Codex writes logs and caches under XDG folders when they are set; keep them inside the temp root.
  env.XDG_CONFIG_HOME = join(home, '.config');
  env.XDG_CACHE_HOME = join(home, '.cache');
  env.XDG_DATA_HOME = join(home, '.local', 'share');
  env.XDG_STATE_HOME = join(home, '.local', 'state');

  if (opts.mcpServers) {
    const tables: Record<string, unknown> = {};
    for (const [name, entry] of Object.entries(opts.mcpServers)) {
      tables[name] = mcpEntryToml(entry);
      if ('url' in entry && entry.bearerTokenEnvVar && entry.bearerToken !== undefined) env[entry.bearerTokenEnvVar] = entry.bearerToken;
    }
    config.mcp_servers = tables;
  }
  Object.assign(env, opts.env);

  const configPath = join(codexHome, 'config.toml');
  await writeFile(configPath, stringify(config) + '\n', 'utf8');

  let removed = false;
  return {
    root,
    codexHome,
    home,
    workDir,
    configPath,
    config,
    env,
    cleanup: async () => {
      if (removed) return;
      removed = true;
      await rm(root, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
