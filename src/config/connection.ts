/**
 * "Test connection": starts a configured server the way Codex would (stdio child process, or a
 * streamable HTTP connection), initializes an MCP session with the SDK's `Client`, lists its tools and
 * closes. Environment values and tokens never appear in the result: they are masked in any error text.
 *
 * The stdio child gets the SDK's default inherited variables (`getDefaultEnvironment`: HOME, PATH, ...),
 * plus `env_vars` copied from `env`, plus the literal `env` table, like Codex's launcher.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { maskSecrets } from '../util/log';
import { DEFAULT_STARTUP_TIMEOUT_SEC, type McpTransport } from './model';
import { VERSION } from '../version';

export interface ConnectionTarget {
  name: string;
  transport: McpTransport | null;
  /** Seconds; used when `options.timeoutMs` is not given. */
  startup_timeout_sec?: number | null;
}

export interface TestConnectionOptions {
  /** Deadline for spawn/connect + initialize + tools/list, in ms. Default: the server's startup timeout (10 s). */
  timeoutMs?: number;
  /** Environment to read `env_vars`, `env_http_headers` and `bearer_token_env_var` from. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface TestConnectionResult {
  ok: boolean;
  /** Tools the server listed (first page). */
  tools: { name: string; description?: string }[];
  serverInfo?: { name: string; version: string };
  /** Masked, human-readable failure reason. */
  error?: string;
  /** Last lines the stdio child wrote to stderr (masked), when it failed. */
  stderrTail?: string;
  /** Elapsed time in ms. */
  durationMs: number;
}

const STDERR_TAIL_BYTES = 2000;

/**
 * @returns never throws; failures come back as `{ ok: false, error }`.
 */
export async function testConnection(target: ConnectionTarget, options: TestConnectionOptions = {}): Promise<TestConnectionResult> {
  const started = performance.now();
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? (target.startup_timeout_sec ?? DEFAULT_STARTUP_TIMEOUT_SEC) * 1000;
  const secrets: string[] = [];
  const done = (r: Omit<TestConnectionResult, 'durationMs'>): TestConnectionResult => ({
    ...r,
    error: r.error === undefined ? undefined : mask(r.error, secrets),
    stderrTail: r.stderrTail ? mask(r.stderrTail, secrets) : undefined,
    durationMs: Math.round(performance.now() - started),
  });

  const t = target.transport;
  const opened = t ? createMcpTransport(target, env) : { error: `mcp_servers.${target.name} has neither command nor url; add one before testing.` };
  if (!t || 'error' in opened) return done({ ok: false, tools: [], error: 'error' in opened ? opened.error : '' });
  secrets.push(...opened.secrets);
  const transport = opened.transport;
  const stderrOf = () => opened.stderrTail();

  const client = new Client({ name: 'codex-governance-config-test', version: VERSION });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    const work = (async () => {
      await client.connect(transport);
      const listed = client.getServerCapabilities()?.tools ? await client.listTools() : { tools: [] };
      return listed.tools.map((x) => (x.description === undefined ? { name: x.name } : { name: x.name, description: x.description }));
    })();
    work.catch(() => undefined);
    const tools = await Promise.race([work, deadline]);
    const info = client.getServerVersion();
    return done({ ok: true, tools, serverInfo: info ? { name: info.name, version: info.version } : undefined });
  } catch (e) {
    const stderr = stderrOf();
    return done({ ok: false, tools: [], error: explain(e, target, t, timeoutMs, stderr), stderrTail: stderr.trim() || undefined });
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
    await transport.close().catch(() => undefined);
  }
}

/** An MCP client transport opened the way Codex starts a configured server, and the secret values it carries (to mask in any text). */
export interface OpenedMcpTransport {
  transport: Transport;
  /** Values of `env`, `env_vars`, headers and the bearer token: mask them in messages. */
  secrets: string[];
  /** The last 2000 characters the stdio child wrote to stderr ('' for HTTP). */
  stderrTail(): string;
}

/**
 * Builds the transport of a configured server: a stdio child (the SDK's default inherited
 * variables, plus `env_vars` copied from `env`, plus the literal `env` table, as Codex's launcher
 * does) or Streamable HTTP (`http_headers`, `env_http_headers`, `bearer_token_env_var` read from
 * `env`). Nothing is started or connected until the transport is.
 * @returns `{error}` naming the config key to fix (no transport, a missing cwd, an unset token variable, a bad url)
 */
export function createMcpTransport(target: ConnectionTarget, env: NodeJS.ProcessEnv = process.env): OpenedMcpTransport | { error: string } {
  const t = target.transport;
  if (!t) return { error: `mcp_servers.${target.name} has neither command nor url; add one.` };
  const secrets: string[] = [];
  if (t.type === 'stdio') {
    const childEnv: Record<string, string> = { ...getDefaultEnvironment() };
    for (const ref of t.env_vars) {
      const name = typeof ref === 'string' ? ref : ref.name;
      const value = env[name];
      if (value !== undefined) {
        childEnv[name] = value;
        secrets.push(value);
      }
    }
    for (const [k, v] of Object.entries(t.env ?? {})) {
      childEnv[k] = v;
      secrets.push(v);
    }
    const cwd = t.cwd ?? undefined;
    if (cwd !== undefined && !existsSync(cwd)) return { error: `cwd ${cwd} does not exist; fix mcp_servers.${target.name}.cwd.` };
    let stderr = '';
    const stdio = new StdioClientTransport({ command: t.command, args: t.args, env: childEnv, cwd, stderr: 'pipe' });
    stdio.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    return { transport: stdio, secrets, stderrTail: () => stderr };
  }
  const headers: Record<string, string> = { ...(t.http_headers ?? {}) };
  for (const v of Object.values(t.http_headers ?? {})) secrets.push(v);
  for (const [header, varName] of Object.entries(t.env_http_headers ?? {})) {
    const value = env[varName];
    if (value !== undefined) {
      headers[header] = value;
      secrets.push(value);
    }
  }
  if (t.bearer_token_env_var) {
    const token = env[t.bearer_token_env_var];
    if (!token) return { error: `bearer_token_env_var names ${t.bearer_token_env_var}, which is not set in the environment; set it (or remove bearer_token_env_var) and test again.` };
    headers.Authorization = `Bearer ${token}`;
    secrets.push(token);
  }
  let url: URL;
  try {
    url = new URL(t.url);
  } catch {
    return { error: `url ${JSON.stringify(t.url)} is not a valid URL; use e.g. http://127.0.0.1:8765/mcp.` };
  }
  return { transport: new StreamableHTTPClientTransport(url, { requestInit: { headers } }), secrets, stderrTail: () => '' };
}

class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms} ms`);
  }
}

function explain(e: unknown, target: ConnectionTarget, t: McpTransport, timeoutMs: number, stderr: string): string {
  const err = e as NodeJS.ErrnoException;
  if (t.type === 'stdio') {
    if (err.code === 'ENOENT') {
      const hint = path.isAbsolute(t.command) ? 'check the path' : 'install it or use an absolute path (the PATH Codex passes is the one it was started with)';
      return `command not found: ${t.command} (spawn ENOENT); ${hint}, then fix mcp_servers.${target.name}.command.`;
    }
    if (err.code === 'EACCES') return `command ${t.command} is not executable (EACCES); check its permissions.`;
  }
  if (e instanceof TimeoutError) {
    const tail = stderr.trim() ? ' See the stderr output below.' : '';
    return `no MCP answer from ${t.type === 'stdio' ? t.command : t.url} within ${timeoutMs} ms (startup timeout); the server may be hanging, or slow to start (raise startup_timeout_sec).${tail}`;
  }
  const message = err?.message ?? String(e);
  if (t.type === 'stdio' && /closed/i.test(message)) {
    return `the server process exited before answering (${message}); check the command, args and the stderr output below.`;
  }
  if (t.type === 'streamable_http') {
    // fetch() fails with TypeError('fetch failed') whose cause is the socket's error (connect ECONNREFUSED ...).
    const cause = err?.cause instanceof Error ? String(err.cause) : typeof err?.cause === 'string' ? err.cause : '';
    if (/ECONNREFUSED|fetch failed/i.test(message + cause)) return `nothing is listening at ${t.url} (connection refused); start the server or fix the url.`;
    const status = e instanceof StreamableHTTPError ? e.code : undefined;
    if (status === 401 || status === 403) {
      const where = t.bearer_token_env_var ? `the token in ${t.bearer_token_env_var}` : 'bearer_token_env_var (no token was sent)';
      return `${t.url} refused the credentials (HTTP ${status}); check ${where}. Server said: ${message}`;
    }
    if (status === 404 || status === 405) return `${t.url} has no MCP endpoint (HTTP ${status}); check the path (the governance server serves /mcp). Server said: ${message}`;
  }
  return message;
}

function mask(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('*****');
  return maskSecrets(out);
}
