/**
 * `codex-governance connect codex [--config FILE] [--data-dir DIR] [--hooks [--offline defer|deny] [--trust] [--codex-path P]] [--dry-run]`,
 * `codex-governance disconnect codex [--config FILE] [--data-dir DIR] [--dry-run]` and
 * `codex-governance bridge [--data-dir DIR] [--server URL]`.
 *
 * connect adds one marked block to Codex's config (default `$CODEX_HOME/config.toml`): the
 * `codex-governance` MCP server as a stdio command running this CLI's `bridge` (no URL, no token), and
 * with `--hooks` the governance hooks running this CLI's `hook`; `--trust` also records their trust
 * as Codex does when a person trusts them; `--offline` is the hooks' rule when the server cannot
 * answer (default defer). With `--hooks` it asks the Codex that will run them (`--codex-path`, else
 * the one `serve` would locate) for its version and warns when that Codex predates hooks (../supervisor/capabilities).
 * It prints the unified diff first; `--dry-run` prints only the diff. disconnect removes the block (the file comes back byte for byte when nothing else changed).
 *
 * The commands Codex runs use this process's Node (`process.execPath`) and script (`process.argv[1]`),
 * with absolute paths, so they work from any shell Codex is started in.
 * Exit codes: 0 done (or nothing to do), 1 runtime error (file invalid, changed meanwhile), 2 usage.
 */
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigConflictError, ConfigEditError, ConfigParseError, defaultCodexHome } from '../config';
import { applyConnect, applyDisconnect, codexCommands, codexConfigPath, codexHooksWarning, prepareConnect, prepareDisconnect } from '../config/codex-connect';
import { CODEX_TRUST_HELP } from '../config/hooks-toml';
import { OFFLINE_MODES, type OfflineMode } from '../hooks/decisions';
import type { LocatedCodex } from '../supervisor/locate';
import { runBridgeCommand } from './bridge';
import { defaultDataDir } from './running-server';
import { tokenFromDataDir } from './token';

export interface ConnectCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** The Node binary and CLI script Codex should run; default this process's. */
  launch?: { node: string; cli: string };
  /** Finds the Codex that will run the hooks; default ../supervisor/locate's `locateCodex`, as `serve` finds it. */
  locate?: (explicitPath: string | undefined) => Promise<Pick<LocatedCodex, 'path' | 'version'>>;
}

const USAGE = `Usage:
  codex-governance connect codex [--config FILE] [--data-dir DIR] [--hooks [--offline defer|deny] [--trust] [--codex-path P]] [--dry-run]
  codex-governance disconnect codex [--config FILE] [--data-dir DIR] [--dry-run]
  codex-governance bridge [--data-dir DIR] [--server URL]

  --config FILE    Codex config to edit (default: $CODEX_HOME/config.toml, else ~/.codex/config.toml)
  --data-dir DIR   the governance server's data directory (default: $CODEX_GOVERNANCE_DATA_DIR, else ~/.codex-governance)
  --hooks          also install the governance hooks (SessionStart, PreToolUse, PermissionRequest, PostToolUse, Stop)
  --trust          record trust for those hooks, as Codex does when you trust them (otherwise Codex asks you)
  --offline RULE   what the hooks do when the server is not running or does not answer in time:
                   defer (default: no decision, Codex's own approvals and sandbox apply) or deny
  --codex-path P   the Codex that will run the hooks, to check its version (default: codex on PATH)
  --dry-run        print the diff and write nothing
`;

class UsageError extends Error {}



/**
 * Runs `connect`, `disconnect` or `bridge`.
 * @returns the process exit code.
 */
export async function runConnectCommand(command: string, argv: string[], io: ConnectCommandIo): Promise<number> {
  try {
    if (command === 'bridge') return await bridge(argv, io);
    return await connectOrDisconnect(command, argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`error: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof ConfigParseError || e instanceof ConfigEditError || e instanceof ConfigConflictError) {
      io.stderr.write(`Error: ${e.message}\n`);
      return 1;
    }
    io.stderr.write(`Error: ${(e as Error).message ?? String(e)}\n`);
    return 1;
  }
}

const OPTIONS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  server: { type: 'string' },
  'dry-run': { type: 'boolean' },
  hooks: { type: 'boolean' },
  trust: { type: 'boolean' },
  offline: { type: 'string' },
  'codex-path': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED: Record<string, string[]> = {
  connect: ['config', 'data-dir', 'dry-run', 'hooks', 'trust', 'offline', 'codex-path', 'help'],
  disconnect: ['config', 'data-dir', 'dry-run', 'help'],
};

function parse(command: string, argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const key of Object.keys(parsed.values)) if (!ALLOWED[command]?.includes(key)) throw new UsageError(`unexpected option '--${key}' for '${command}'`);
  return parsed;
}

async function connectOrDisconnect(command: string, argv: string[], io: ConnectCommandIo): Promise<number> {
  const { values, positionals } = parse(command, argv);
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'codex') throw new UsageError(`${command} takes one target, "codex" (got ${positionals.length ? positionals.map((p) => `"${p}"`).join(' ') : 'none'}).`);
  const file = values.config !== undefined ? path.resolve(values.config) : path.join(defaultCodexHome(io.env), 'config.toml');
  const dataDirOption = values['data-dir'] !== undefined ? path.resolve(values['data-dir']) : undefined;
  const dryRun = values['dry-run'] === true;
  if (command !== 'connect') return disconnect(file, dataDirOption, dryRun, io);
  const offline = values.offline ?? 'defer';
  if (!(OFFLINE_MODES as readonly string[]).includes(offline)) throw new UsageError(`--offline must be ${OFFLINE_MODES.join(' or ')} (got "${offline}").`);
  const hooks = values.hooks === true;
  for (const needsHooks of ['offline', 'codex-path'] as const) if (values[needsHooks] !== undefined && !hooks) throw new UsageError(`--${needsHooks} applies to the hooks that --hooks installs; add --hooks.`);
  const flags = { hooks, trust: values.trust === true, dryRun, offline: offline as OfflineMode, codexPath: values['codex-path'] };
  return connect(file, dataDirOption ?? defaultDataDir(io.env), flags, io);
}

type ConnectFlags = { hooks: boolean; trust: boolean; dryRun: boolean; offline: OfflineMode; codexPath: string | undefined };

async function connect(file: string, dataDir: string, flags: ConnectFlags, io: ConnectCommandIo): Promise<number> {
  if (flags.trust && !flags.hooks) throw new UsageError('--trust records trust for the hooks that --hooks installs; add --hooks.');
  const launch = io.launch ?? { node: process.execPath, cli: realpathSync(process.argv[1] ?? '') };
  const commands = codexCommands(launch.node, launch.cli, dataDir, undefined, flags.offline);
  const prepared = await prepareConnect({ file, dataDir, bridge: commands.bridge, hookCommand: flags.hooks ? commands.hook : null, trust: flags.trust });
  if (flags.dryRun) {
    io.stdout.write(prepared.diff);
    if (!prepared.diff) io.stderr.write(`No change: ${prepared.loaded.path} is already connected this way.\n`);
    return 0;
  }
  if (!prepared.plan.changed) {
    io.stdout.write(`${prepared.loaded.path} is already connected to Codex Governance this way; nothing written.\n`);
  } else {
    io.stdout.write(prepared.diff);
    await applyConnect(prepared);
    const replaced = prepared.plan.replaced.length ? ` (replaced ${prepared.plan.replaced.join(', ')})` : '';
    io.stdout.write(`\nConnected Codex to Codex Governance in ${prepared.loaded.path}${replaced}.\n`);
    io.stdout.write(`Codex starts the bridge (${commands.bridge.args.slice(0, -2).join(' ')}), which finds the running server in ${dataDir}; no environment variable is needed.\n`);
  }
  if (flags.hooks) {
    io.stdout.write(`${prepared.plan.hooks.length} hook(s): ${prepared.plan.hooks.map((h) => h.event).join(', ')}; offline rule ${flags.offline}.\n`);
    const warning = await codexHooksWarning(flags.codexPath, io.env, io.locate);
    if (warning) io.stderr.write(`Warning: ${warning}\n`);
    if (flags.trust) {
      io.stdout.write('Trust recorded for them, as Codex records it when you trust them.\n');
      const userConfig = codexConfigPath(path.join(defaultCodexHome(io.env), 'config.toml'));
      if (prepared.codexPath !== userConfig) io.stderr.write(`Note: Codex reads hook trust only from the user config (${userConfig}); ${prepared.codexPath} is another file, so Codex will still ask.\n`);
    } else {
      io.stdout.write(CODEX_TRUST_HELP + '\nOr run this command again with --trust to record that trust now.\n');
    }
  }
  if (!tokenFromDataDir(dataDir)) {
    io.stderr.write(`Note: ${path.join(dataDir, 'token')} does not exist yet; start the server once ("codex-governance serve --data-dir ${dataDir}") so the bridge can find it.\n`);
  }
  return 0;
}

async function disconnect(file: string, dataDir: string | undefined, dryRun: boolean, io: ConnectCommandIo): Promise<number> {
  const prepared = await prepareDisconnect(file, dataDir);
  if (prepared.plan.how === 'absent') {
    io.stdout.write(`Nothing to remove: ${prepared.loaded.path} has no block added by "codex-governance connect codex".\n`);
    return 0;
  }
  io.stdout.write(prepared.diff);
  if (dryRun) return 0;
  await applyDisconnect(prepared);
  const how =
    prepared.plan.how === 'restored'
      ? prepared.remove
        ? 'removed the file connect had created'
        : 'restored the file byte for byte as it was before connect'
      : 'removed the block added by connect; your other changes are kept';
  io.stdout.write(`\nDisconnected Codex from Codex Governance in ${prepared.loaded.path}: ${how}.\n`);
  return 0;
}

async function bridge(argv: string[], io: ConnectCommandIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(USAGE);
    return 0;
  }
  return runBridgeCommand(argv, io);
}
