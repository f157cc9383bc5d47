/**
 * The MCP servers of a Codex config as tool sources of a run: each enabled `[mcp_servers.NAME]`
 * (read and validated by ../config) is started or connected with the MCP SDK `Client` (stdio or
 * Streamable HTTP, built as Codex builds it: ../config/connection `createMcpTransport`), its tools
 * listed, filtered by `enabled_tools` (only those) then `disabled_tools` (never those), and offered
 * as `<server>__<tool>` (./naming).
 *
 * Left out, with the reason in `skipped`: `enabled = false` entries, entries Codex would refuse
 * (an error-level validation issue), the governance server's own entry (its tools come from the
 * governance client), and servers that fail to start within their `startup_timeout_sec` (default
 * 10 s). A failing server marked `required = true` fails the run instead, as it fails Codex.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createMcpTransport } from '../config/connection';
import { loadConfigFile } from '../config/file';
import { DEFAULT_STARTUP_TIMEOUT_SEC, DEFAULT_TOOL_TIMEOUT_SEC, type McpServerEntry } from '../config/model';
import { maskSecrets } from '../util/log';
import { VERSION } from '../version';
import { exposedToolName } from './naming';
import { CLI_OPTION_NAMES, type OptionNames } from './option-names';
import type { AgentTool, ToolOutcome } from './tool-set';

export interface McpSourcesOptions {
  /** The Codex config file (`$CODEX_HOME/config.toml` or the one the caller names). A missing file means no MCP servers. */
  configFile: string;
  /** Where `env_vars`, `bearer_token_env_var` and `env_http_headers` are read. */
  env: NodeJS.ProcessEnv;
  /** The governance server's base URL: an entry pointing at it is left out. */
  governanceUrl: string;
  /** Names already taken by the governance tools. */
  takenNames: ReadonlySet<string>;
  /** How messages name the config option; default {@link CLI_OPTION_NAMES}. */
  names?: OptionNames;
}

export interface McpSources {
  tools: AgentTool[];
  skipped: Array<{ server: string; reason: string }>;
  /** Ends every stdio child and HTTP session. Never throws. */
  close(): Promise<void>;
}

/** A required MCP server failed to start: the run cannot go on. */
export class McpSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'McpSourceError';
  }
}

/** Most characters of one tool result given to the model. */
export const MAX_TOOL_OUTPUT = 20_000;

/**
 * @throws McpSourceError naming the file when it is not valid TOML, or naming the server when a
 *   `required = true` server fails to start
 */
export async function openMcpSources(options: McpSourcesOptions): Promise<McpSources> {
  const loaded = await loadConfigFile(options.configFile).catch((err: unknown) => {
    throw new McpSourceError(`Cannot read the MCP servers of ${options.configFile}: ${err instanceof Error ? err.message : String(err)}`);
  });
  if (loaded.parseError) throw new McpSourceError(`${options.configFile} is not valid TOML (${loaded.parseError.message}); fix it or name another file with ${(options.names ?? CLI_OPTION_NAMES).mcpConfig}.`);
  const skipped: McpSources['skipped'] = [];
  const candidates: McpServerEntry[] = [];
  for (const entry of loaded.servers) {
    const why = leaveOut(entry, options.governanceUrl);
    if (why) skipped.push({ server: entry.name, reason: why });
    else candidates.push(entry);
  }
  const clients: Client[] = [];
  const connected = await Promise.all(
    candidates.map(async (entry) => {
      try {
        const c = await connect(entry, options.env);
        clients.push(c.client);
        return { entry, ...c };
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        if (entry.required) return { entry, error: new McpSourceError(`The required MCP server ${entry.name} (${options.configFile}) did not start: ${reason}`) };
        skipped.push({ server: entry.name, reason: `did not start: ${reason}` });
        return undefined;
      }
    }),
  );
  const close = async () => void (await Promise.all(clients.map((c) => c.close().catch(() => undefined))));
  const failure = connected.flatMap((c) => (c && 'error' in c ? [c.error] : []))[0];
  if (failure) {
    await close();
    throw failure;
  }
  const taken = new Set(options.takenNames);
  const tools: AgentTool[] = [];
  for (const c of connected) {
    if (!c || 'error' in c) continue;
    for (const t of c.tools) {
      if (!toolAllowed(c.entry, t.name)) continue;
      const name = exposedToolName(c.entry.name, t.name, taken);
      taken.add(name);
      tools.push(mcpTool(c.client, c.entry, t, name, c.secrets));
    }
  }
  return { tools, skipped, close };
}

/** Why an entry is not started, or undefined to start it. */
function leaveOut(entry: McpServerEntry, governanceUrl: string): string | undefined {
  if (!entry.enabled) return 'disabled (enabled = false)';
  const error = entry.issues.find((i) => i.severity === 'error');
  if (error) return `Codex would refuse this entry: ${error.message}`;
  if (!entry.transport) return 'it has neither command nor url';
  const self = 'the governance server itself (its tools come from the governance client)';
  if (entry.transport.type === 'streamable_http' && sameOrigin(entry.transport.url, governanceUrl)) return self;
  if (entry.transport.type === 'stdio' && /(^|[/\\])codex-governance(\.js)?$/.test(entry.transport.command) && entry.transport.args.includes('stdio')) return self;
  return undefined;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    const local = (h: string) => (h === 'localhost' || h === '[::1]' ? '127.0.0.1' : h);
    return x.protocol === y.protocol && local(x.hostname) === local(y.hostname) && x.port === y.port;
  } catch {
    return false;
  }
}

/** Codex's filter order: `enabled_tools` (when set) admits, then `disabled_tools` removes. */
export function toolAllowed(entry: Pick<McpServerEntry, 'enabled_tools' | 'disabled_tools'>, tool: string): boolean {
  if (entry.enabled_tools && !entry.enabled_tools.includes(tool)) return false;
  return !entry.disabled_tools?.includes(tool);
}

type ListedTool = Awaited<ReturnType<Client['listTools']>>['tools'][number];

async function connect(entry: McpServerEntry, env: NodeJS.ProcessEnv): Promise<{ client: Client; tools: ListedTool[]; secrets: string[] }> {
  const opened = createMcpTransport({ name: entry.name, transport: entry.transport }, env);
  if ('error' in opened) throw new Error(opened.error);
  const client = new Client({ name: 'codex-governance-agent', version: VERSION });
  const timeoutMs = (entry.startup_timeout_sec ?? DEFAULT_STARTUP_TIMEOUT_SEC) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const work = (async () => {
    await client.connect(opened.transport);
    const tools: ListedTool[] = [];
    if (!client.getServerCapabilities()?.tools) return tools;
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, { timeout: timeoutMs });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  })();
  try {
    const tools = await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no MCP answer within ${timeoutMs / 1000} s (startup_timeout_sec)`)), timeoutMs);
      }),
    ]);
    return { client, tools, secrets: opened.secrets };
  } catch (err) {
    work.catch(() => undefined);
    await client.close().catch(() => undefined);
    const tail = opened.stderrTail().trim();
    const text = `${err instanceof Error ? err.message : String(err)}${tail ? `; stderr: ${tail.slice(-300)}` : ''}`;
    throw new Error(mask(text, opened.secrets), { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

function mcpTool(client: Client, entry: McpServerEntry, t: ListedTool, name: string, secrets: string[]): AgentTool {
  const timeoutMs = (entry.tool_timeout_sec ?? DEFAULT_TOOL_TIMEOUT_SEC) * 1000;
  return {
    name,
    server: entry.name,
    tool: t.name,
    description: t.description ?? t.title ?? `${t.name} (MCP server ${entry.name})`,
    parameters: { ...t.inputSchema },
    annotations: { ...t.annotations },
    kind: 'mcp',
    call: async (args, signal) => {
      try {
        const result = await client.callTool({ name: t.name, arguments: args }, undefined, { timeout: timeoutMs, signal });
        return resultText(result as CallToolResult);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return { ok: false, text: mask(`${entry.name}/${t.name} failed: ${why}`, secrets) };
      }
    },
  };
}

/** The text the model gets: text parts as they are, other parts described, structured content when there is no text. */
export function resultText(result: CallToolResult): ToolOutcome {
  const parts: string[] = [];
  for (const c of result.content ?? []) {
    if (c.type === 'text') parts.push(c.text);
    else if (c.type === 'resource') parts.push('text' in c.resource ? c.resource.text : `[resource ${c.resource.uri}]`);
    else if (c.type === 'resource_link') parts.push(`[resource ${c.uri}]`);
    else parts.push(`[${c.type} ${'mimeType' in c ? c.mimeType : ''}]`.replace(' ]', ']'));
  }
  if (!parts.length && result.structuredContent) parts.push(JSON.stringify(result.structuredContent));
  const text = parts.join('\n');
  return { ok: result.isError !== true, text: text.length > MAX_TOOL_OUTPUT ? `${text.slice(0, MAX_TOOL_OUTPUT)}\n[... ${text.length - MAX_TOOL_OUTPUT} more characters cut]` : text };
}

function mask(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('*****');
  return maskSecrets(out);
}
