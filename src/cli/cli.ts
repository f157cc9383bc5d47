/**
 * `codex-governance`: the governance server outside VS Code.
 *   serve [--host H] [--port P] [--data-dir D] [--allow-non-loopback --tls-cert F --tls-key F]
 *         [--public-host NAME[:PORT]] [--rate-limit N] [--rate-limit-per-token N] [--max-mcp-sessions N] [--verbose]
 *         [--approval-policy-file F] [--approval-prompt none|tty]
 *   stdio [--data-dir D] [--approval-policy-file F]
 *   mcp list|get|add|remove|set ...   (edit Codex's [mcp_servers] tables)
 *   codex --prompt TEXT [--sandbox ...]   (one Codex turn through the supervisor)
 *   tasks generate|list ...   (a model proposes tasks for the queue; a look at the queue)
 *   agent run "<task>" ...   (a governed OpenAI agent run against the running server)
 *   tokens create|list|revoke ...   (per-agent and admin bearer tokens of a team's servers)
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startGovernanceServer, DEFAULT_PORT } from '../server/server';
import { runStdioServer } from '../server/stdio';
import { loadApprovalPolicyFile, type ApprovalPolicy } from '../approvals/policy';
import { TerminalPrompter } from '../approvals/prompters';
import { stderrLogger } from '../util/log';
import { VERSION } from '../version';
import { resolveToken } from './token';
import { defaultDataDir } from './running-server';
import { exitAfterFlush, guardStdio } from './exit';
import { loadPriceTableFile, type PriceTable } from '../agent/prices';
import { checkDatabaseUrl, DATABASE_URL_ENV } from '../store/open';
import { redactUrl } from '../store/postgres/url';
import { parsePublicHost, type PublicHost } from '../server/http/security';
import { isExposed } from '../server/http/exposure';

const USAGE = `codex-governance ${VERSION}

Usage:
  codex-governance serve [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--data-dir DIR] [--rate-limit N] [--verbose]
                         [--rate-limit-per-token N] [--max-mcp-sessions N]
                         [--approval-policy-file FILE.json] [--approval-prompt none|tty]
                         [--workspace-root DIR ...] [--price-table FILE.json] [--database postgres://...]
                         [--allow-non-loopback --tls-cert CERT.pem --tls-key KEY.pem] [--public-host NAME[:PORT] ...]
  codex-governance stdio [--data-dir DIR] [--approval-policy-file FILE.json] [--workspace-root DIR ...]
  codex-governance mcp list|get|add|remove|set ...   (Codex's [mcp_servers]; "codex-governance mcp --help")
  codex-governance codex --prompt TEXT [--sandbox MODE] ...   (one Codex turn; "codex-governance codex --help")
  codex-governance tasks generate --count N [--dry-run | --post] | list   ("codex-governance tasks --help")
  codex-governance connect codex [--config FILE] [--data-dir DIR] [--hooks] [--trust] [--dry-run]
  codex-governance disconnect codex [--config FILE] [--dry-run]
  codex-governance bridge [--data-dir DIR] [--server URL]   (stdio MCP relay to the running server; Codex starts it)
  codex-governance hook [--data-dir DIR] [--server URL] [--offline defer|deny] [--timeout-ms N]   (a Codex hook; Codex starts it)
  codex-governance agent run "<task>" [--model M] [--base-url URL] [--api chat|responses] ...   ("codex-governance agent --help")
  codex-governance migrate [--database postgres://...]   (bring a PostgreSQL database to this version's schema)
  codex-governance copy --from sqlite:PATH --to postgres://...   (move an existing database into PostgreSQL)
  codex-governance tokens create --agent NAME [--expires 30d] [--admin] | list | revoke ID   ("codex-governance tokens --help")
  codex-governance --version

Environment:
  CODEX_GOVERNANCE_TOKEN   bearer token for HTTP requests (alias UNITARES_HTTP_API_TOKEN);
                           without it a token is generated once and kept in DIR/token (mode 0600)
  CODEX_GOVERNANCE_DATA_DIR  default data directory (default ~/.codex-governance)
  CODEX_GOVERNANCE_DATABASE_URL  postgres://... : a team's shared store (as --database)

Approvals (serve, stdio):
  --workspace-root DIR      a folder Codex sessions may write without asking (repeatable;
                            default the current folder); workspace-write elsewhere asks like full access

Agent runs (serve):
  --price-table FILE.json   USD per 1M tokens per model, {"gpt-4.1": {"input": 2, "output": 8, "cached_input": 0.5}},
                            for codex_mcp_cost_usd_total (a model not listed: tokens counted, cost not)

Team mode (serve; see README "Team mode"):
  --allow-non-loopback      bind a --host other than 127.0.0.1; needs --tls-cert and --tls-key, and
                            at least one per-agent token (codex-governance tokens create --agent NAME)
  --tls-cert FILE, --tls-key FILE   serve HTTPS with this PEM certificate (chain) and key
  --public-host NAME[:PORT] a name clients reach the server by (Host/Origin check; repeatable);
                            needed on 0.0.0.0, and behind a reverse proxy on 127.0.0.1
                            A server reachable from beyond loopback accepts only tokens made with
                            codex-governance tokens, never DIR/token.

Limits (serve):
  --rate-limit N            requests/minute per agent (default 100)
  --rate-limit-per-token N  requests/minute per bearer token, all agents together (default 10 x --rate-limit)
  --max-mcp-sessions N      most open MCP sessions; one more initialize gets HTTP 503 (default 64)
`;

/** Runs the CLI; resolves to the process exit code (a long-running command resolves on shutdown). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === 'serve') return serve(rest, env);
  if (command === 'migrate') return (await import('./migrate')).runMigrateCommand(rest, { stdout: process.stdout, stderr: process.stderr, env });
  if (command === 'tokens') return (await import('./tokens')).runTokensCommand(rest, { stdout: process.stdout, stderr: process.stderr, env, defaultDataDir: defaultDataDir(env) });
  if (command === 'copy') return (await import('./copy')).runCopyCommand(rest, { stdout: process.stdout, stderr: process.stderr, env });
  if (command === 'hook') return (await import('./hook')).runHookCommand(rest, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env });
  if (command === 'mcp') {
    const { runMcpCommand } = await import('./mcp');
    return runMcpCommand(rest, { stdout: process.stdout, stderr: process.stderr, env });
  }
  if (command === 'stdio') return stdio(rest, env);
  if (command === 'tasks') return (await import('./tasks')).runTasksCommand(rest, { stdout: process.stdout, stderr: process.stderr, env, defaultDataDir: defaultDataDir(env) });
  if (command === 'connect' || command === 'disconnect' || command === 'bridge') {
    const { runConnectCommand } = await import('./connect');
    return runConnectCommand(command, rest, { stdout: process.stdout, stderr: process.stderr, env });
  }
  if (command === 'agent') {
    const { runAgentCommand } = await import('./agent');
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      return await runAgentCommand(rest, { stdout: process.stdout, stderr: process.stderr, env, signal: ac.signal });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  }
  if (command === 'codex') {
    const { runCodexCommand } = await import('../supervisor/cli-command');
    const ac = new AbortController();
    const cancel = () => ac.abort();
    process.once('SIGINT', cancel);
    process.once('SIGTERM', cancel);
    try {
      return await runCodexCommand(rest, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env, signal: ac.signal });
    } finally {
      process.off('SIGINT', cancel);
      process.off('SIGTERM', cancel);
    }
  }
  process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
  return 2;
}

async function serve(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: String(DEFAULT_PORT) },
      'data-dir': { type: 'string' },
      'allow-non-loopback': { type: 'boolean', default: false },
      'rate-limit': { type: 'string' },
      'rate-limit-per-token': { type: 'string' },
      'max-mcp-sessions': { type: 'string' },
      'workspace-root': { type: 'string', multiple: true },
      verbose: { type: 'boolean', default: false },
      'approval-policy-file': { type: 'string' },
      'approval-prompt': { type: 'string', default: 'none' },
      'price-table': { type: 'string' },
      database: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'public-host': { type: 'string', multiple: true },
    },
    strict: true,
  });
  const database = databaseOption(values.database, env);
  const tls = tlsOption(values['tls-cert'], values['tls-key']);
  const publicHosts = publicHostsOption(values['public-host']);
  const prompt = values['approval-prompt'];
  if (prompt !== 'none' && prompt !== 'tty') throw new UsageError(`--approval-prompt must be none or tty, got "${prompt}".`);
  if (prompt === 'tty' && !process.stdin.isTTY) throw new UsageError('--approval-prompt tty needs an interactive terminal on stdin; without one, approvals follow the policy file alone (--approval-prompt none).');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer 0..65535, got "${values.port}".`);
  const rate = values['rate-limit'] === undefined ? undefined : Number(values['rate-limit']);
  if (rate !== undefined && !(rate > 0)) throw new UsageError(`--rate-limit must be a positive number of requests per minute, got "${values['rate-limit']}".`);
  const perToken = values['rate-limit-per-token'] === undefined ? undefined : Number(values['rate-limit-per-token']);
  if (perToken !== undefined && !(perToken > 0)) throw new UsageError(`--rate-limit-per-token must be a positive number of requests per minute, got "${values['rate-limit-per-token']}".`);
  const maxMcpSessions = values['max-mcp-sessions'] === undefined ? undefined : Number(values['max-mcp-sessions']);
  if (maxMcpSessions !== undefined && !(Number.isInteger(maxMcpSessions) && maxMcpSessions >= 1)) {
    throw new UsageError(`--max-mcp-sessions must be an integer of at least 1, got "${values['max-mcp-sessions']}".`);
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir(env));
  const logger = stderrLogger(values.verbose);
  ensureDir(dataDir);
  const token = resolveToken(env, dataDir);
  const server = await startGovernanceServer({
    host: values.host,
    port,
    dataDir,
    ...(database ? { database } : {}),
    token: token.token,
    allowNonLoopback: values['allow-non-loopback'],
    ...(tls ? { tls } : {}),
    ...(publicHosts.length ? { publicHosts } : {}),
    rateLimitPerMinute: rate,
    rateLimitPerTokenPerMinute: perToken,
    maxMcpSessions,
    workspaceRoots: workspaceRootsOption(values['workspace-root']),
    logger,
    hostKind: 'cli',
    approvals: { ...(await approvalPolicyOption(values['approval-policy-file'])), ...(prompt === 'tty' ? { prompter: new TerminalPrompter() } : {}) },
    ...(values['price-table'] ? { agents: { prices: await priceTableOption(values['price-table']) } } : {}),
  });
  process.stdout.write(
    `Codex Governance ${VERSION} serving ${server.url}\n` +
      `  MCP (Streamable HTTP): ${server.url}/mcp\n` +
      `  OpenAI tools:          ${server.url}/v1/tools\n` +
      `  data:                  ${dataDir}\n` +
      (database ? `  database:              ${redactUrl(database)}\n` : '') +
      (isExposed({ host: values.host, publicHosts })
        ? '  tokens:                only those made with codex-governance tokens (reachable from beyond loopback)\n'
        : `  token:                 ${token.source.startsWith('env:') ? `from ${token.source.slice(4)}` : `${token.source}${token.created ? ' (generated)' : ''}`}\n`),
  );
  await waitForSignal();
  await server.close();
  return 0;
}

async function stdio(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { 'data-dir': { type: 'string' }, verbose: { type: 'boolean', default: false }, 'approval-policy-file': { type: 'string' }, 'workspace-root': { type: 'string', multiple: true } },
    strict: true,
  });
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir(env));
  ensureDir(dataDir);
  // stdin carries MCP here, so no terminal prompt: the policy alone decides.
  const running = await runStdioServer({
    dataDir,
    logger: stderrLogger(values.verbose),
    approvals: await approvalPolicyOption(values['approval-policy-file']),
    workspaceRoots: workspaceRootsOption(values['workspace-root']),
  });
  await Promise.race([waitForSignal(), running.closed]);
  await running.close();
  return 0;
}

/**
 * `--workspace-root DIR` (repeatable): the folders Codex sessions may write without asking; default
 * the server's working directory. @throws UsageError when a folder does not exist
 */
function workspaceRootsOption(given: string[] | undefined): string[] {
  const roots = (given ?? []).map((d) => resolve(d));
  for (const r of roots) {
    if (!existsSync(r)) throw new UsageError(`--workspace-root ${r} does not exist. Give a folder the Codex sessions may write in.`);
  }
  return roots.length ? roots : [process.cwd()];
}

function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new UsageError(`Cannot create the data directory ${dir}: ${(err as Error).message}. Choose a writable one with --data-dir.`);
  }
}

function waitForSignal(): Promise<void> {
  return new Promise((resolveSignal) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolveSignal();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

class UsageError extends Error {}

/** `--tls-cert FILE --tls-key FILE` (PEM), both or neither. @throws UsageError naming the flag and file */
function tlsOption(cert: string | undefined, key: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new UsageError(`--tls-cert and --tls-key go together: give both PEM files (${cert === undefined ? '--tls-cert' : '--tls-key'} is missing).`);
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(resolve(file));
    } catch (err) {
      throw new UsageError(`${flag} ${file}: ${(err as Error).message}`);
    }
  };
  return { cert: read('--tls-cert', cert), key: read('--tls-key', key) };
}

function publicHostsOption(given: string[] | undefined): PublicHost[] {
  try {
    return (given ?? []).map(parsePublicHost);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `--database URL`, else CODEX_GOVERNANCE_DATABASE_URL; undefined = the SQLite file. */
function databaseOption(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  try {
    return flag !== undefined ? checkDatabaseUrl(flag) : checkDatabaseUrl(env[DATABASE_URL_ENV], DATABASE_URL_ENV);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The headless approval policy (`--approval-policy-file`, the same keys as the VS Code settings `codexGovernance.approvals.*`). */
async function approvalPolicyOption(file: string | undefined): Promise<{ policy?: ApprovalPolicy }> {
  if (!file) return {};
  try {
    return { policy: await loadApprovalPolicyFile(resolve(file)) };
  } catch (err) {
    throw new UsageError(`--approval-policy-file: ${(err as Error).message}`);
  }
}

/** `--price-table FILE.json`: USD per 1M tokens per model, for governed agent runs (src/agent/prices). */
async function priceTableOption(file: string): Promise<PriceTable> {
  try {
    return await loadPriceTableFile(resolve(file));
  } catch (err) {
    throw new UsageError(`--price-table: ${(err as Error).message}`);
  }
}

if (require.main === module) {
  // Output may be a pipe: exit only once it has drained, and end quietly if the reader closed early.
  const guard = guardStdio();
  main(process.argv.slice(2)).then(
    (code) => exitAfterFlush(code, guard),
    (err: unknown) => {
      const e = err as Error;
      process.stderr.write(`codex-governance: ${e.message}\n`);
      // node:util parseArgs rejects unknown options with a TypeError carrying a code: a usage error.
      return exitAfterFlush(e.name === 'TypeError' && 'code' in e ? 2 : 1, guard);
    },
  );
}
