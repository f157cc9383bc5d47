/**
 * `codex-governance mcp ...`: the config module behind a CLI that mirrors `codex mcp` (Codex CLI
 * 0.169.0): `list [--json]`, `get NAME [--json]`, `add NAME [--env K=V]... (--url U
 * [--bearer-token-env-var V] | -- CMD ARGS...)`, `remove NAME`, plus `set NAME KEY VALUE` and
 * `test NAME`, each with `--config FILE` (default `$CODEX_HOME/config.toml`).
 *
 * Exit codes as `codex mcp`: 0 success (also `remove` of an unknown name), 1 runtime error (invalid
 * file, unknown server, rejected edit), 2 usage error.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConfigConflictError,
  ConfigEditError,
  ConfigParseError,
  ConfigValidationError,
  defaultCodexHome,
  editConfigFile,
  formatGet,
  formatList,
  loadConfigFile,
  toCodexJson,
  type LoadedConfig,
  type TomlValue,
} from '../config';
import { parseToml } from '../config/errors';
import { isTable } from '../config/toml-emit';
import { testConnection } from '../config/connection';

export interface McpCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage: codex-governance mcp <COMMAND> [--config FILE]

Commands:
  list [--json]                          List configured MCP servers
  get NAME [--json]                      Show one server
  add NAME [--env KEY=VALUE]... -- COMMAND [ARGS]...
  add NAME --url URL [--bearer-token-env-var VAR]
                                         Add (or replace) a server
  remove NAME                            Remove a server
  set NAME KEY VALUE | set NAME KEY --unset
                                         Set one key (VALUE is parsed as TOML, else taken as a string)
  test NAME [--timeout-ms MS]            Start the server, list its tools, stop it

Options:
  --config FILE   config file to read and edit (default: $CODEX_HOME/config.toml, else ~/.codex/config.toml)
`;

class UsageError extends Error {}

/**
 * Runs one `mcp` subcommand.
 * @param argv the arguments after `mcp`, e.g. `['add', 'x', '--', 'node', 'server.js']`.
 * @returns the process exit code.
 */
export async function runMcpCommand(argv: string[], io: McpCommandIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`error: ${e.message}\n\nFor more information, try 'codex-governance mcp --help'.\n`);
      return 2;
    }
    if (e instanceof ConfigParseError || e instanceof ConfigEditError || e instanceof ConfigConflictError || e instanceof ConfigValidationError) {
      io.stderr.write(`Error: ${e.message}\n`);
      return 1;
    }
    io.stderr.write(`Error: ${(e as Error).message ?? String(e)}\n`);
    return 1;
  }
}

async function dispatch(argv: string[], io: McpCommandIo): Promise<number> {
  const dashdash = argv.indexOf('--');
  const head = dashdash === -1 ? argv : argv.slice(0, dashdash);
  const command = dashdash === -1 ? [] : argv.slice(dashdash + 1);
  let parsed;
  try {
    parsed = parseArgs({
      args: head,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        json: { type: 'boolean' },
        env: { type: 'string', multiple: true },
        url: { type: 'string' },
        'bearer-token-env-var': { type: 'string' },
        unset: { type: 'boolean' },
        'timeout-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  if (values.help || sub === undefined || sub === 'help') {
    io.stdout.write(USAGE);
    return sub === undefined && !values.help ? 2 : 0;
  }
  const file = values.config ? path.resolve(values.config) : path.join(defaultCodexHome(io.env), 'config.toml');
  const allowed: Record<string, string[]> = {
    list: ['config', 'json'],
    get: ['config', 'json'],
    add: ['config', 'env', 'url', 'bearer-token-env-var'],
    remove: ['config'],
    set: ['config', 'unset'],
    test: ['config', 'timeout-ms'],
  };
  const ok = allowed[sub];
  if (!ok) throw new UsageError(`unrecognized subcommand '${sub}'`);
  for (const key of Object.keys(values)) if (!ok.includes(key)) throw new UsageError(`unexpected argument '--${key}' for '${sub}'`);
  if (sub !== 'add' && dashdash !== -1) throw new UsageError(`unexpected argument '--' for '${sub}'`);

  const name = (n: number) => {
    if (rest.length !== n) throw new UsageError(rest.length < n ? `the following required arguments were not provided: ${['<NAME>', '<KEY>', '<VALUE>'].slice(rest.length, n).join(' ')}` : `unexpected argument '${rest[n]}' found`);
    return rest[0] as string;
  };

  switch (sub) {
    case 'list': {
      name(0);
      const loaded = await loadValid(file, io);
      if (!loaded) return 1;
      const servers = [...loaded.servers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      io.stdout.write(values.json ? JSON.stringify(servers.map((s) => toCodexJson(s, 'list')), null, 2) + '\n' : formatList(servers));
      return 0;
    }
    case 'get': {
      const n = name(1);
      const loaded = await loadValid(file, io);
      if (!loaded) return 1;
      const entry = loaded.servers.find((s) => s.name === n);
      if (!entry) {
        io.stderr.write(`Error: No MCP server named '${n}' found in ${file}.\n`);
        return 1;
      }
      const hint = `codex-governance mcp remove ${n}${values.config ? ` --config ${file}` : ''}`;
      io.stdout.write(values.json ? JSON.stringify(toCodexJson(entry, 'get'), null, 2) + '\n' : formatGet(entry, hint));
      return 0;
    }
    case 'add':
      return add(rest, command, values, file, io);
    case 'remove': {
      const n = name(1);
      const loaded = await loadConfigFile(file);
      if (loaded.parseError) throw loaded.parseError;
      if (!loaded.servers.some((s) => s.name === n)) {
        io.stdout.write(`No MCP server named '${n}' found.\n`);
        return 0;
      }
      await editConfigFile(loaded, { kind: 'remove', name: n });
      io.stdout.write(`Removed MCP server '${n}' from ${file}.\n`);
      return 0;
    }
    case 'set': {
      if (values.unset) {
        const n = name(2);
        return set(file, n, rest[1] as string, undefined, io);
      }
      const n = name(3);
      return set(file, n, rest[1] as string, parseCliValue(rest[2] as string), io);
    }
    case 'test': {
      const n = name(1);
      const loaded = await loadConfigFile(file);
      if (loaded.parseError) throw loaded.parseError;
      const entry = loaded.servers.find((s) => s.name === n);
      if (!entry) {
        io.stderr.write(`Error: No MCP server named '${n}' found in ${file}.\n`);
        return 1;
      }
      const timeoutMs = values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']);
      if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new UsageError(`invalid value '${values['timeout-ms']}' for '--timeout-ms <MS>': expected a positive number of milliseconds`);
      const result = await testConnection(entry, { timeoutMs, env: io.env });
      if (result.ok) {
        io.stdout.write(`${n}: connected in ${result.durationMs} ms; ${result.tools.length} tool(s)${result.tools.length ? ': ' + result.tools.map((t) => t.name).join(', ') : ''}\n`);
        return 0;
      }
      io.stderr.write(`Error: ${n}: ${result.error}\n${result.stderrTail ? `stderr:\n${result.stderrTail}\n` : ''}`);
      return 1;
    }
  }
  return 2;
}

/** Loads the file and reports Codex-fatal problems as `codex mcp list` does (exit 1). */
async function loadValid(file: string, io: McpCommandIo): Promise<LoadedConfig | null> {
  const loaded = await loadConfigFile(file);
  if (loaded.parseError) throw loaded.parseError;
  const errors = loaded.issues.filter((i) => i.severity === 'error');
  if (errors.length) {
    io.stderr.write(`Error: ${file} would be rejected by Codex:\n${errors.map((i) => `  ${i.line ? `line ${i.line}: ` : ''}${i.message}`).join('\n')}\n`);
    return null;
  }
  return loaded;
}

function parseEnvPair(raw: string): [string, string] {
  const eq = raw.indexOf('=');
  const key = eq === -1 ? '' : raw.slice(0, eq).trim();
  if (!key) throw new UsageError(`invalid value '${raw}' for '--env <KEY=VALUE>': environment entries must be in KEY=VALUE form`);
  return [key, raw.slice(eq + 1)];
}

async function add(rest: string[], command: string[], values: Record<string, unknown>, file: string, io: McpCommandIo): Promise<number> {
  if (rest.length === 0) throw new UsageError('the following required arguments were not provided: <NAME>');
  if (rest.length > 1) throw new UsageError(`unexpected argument '${rest[1]}' found (put the server command after --)`);
  const name = rest[0] as string;
  const url = values.url as string | undefined;
  const envPairs = ((values.env as string[] | undefined) ?? []).map(parseEnvPair);
  const bearer = values['bearer-token-env-var'] as string | undefined;
  if (url !== undefined && command.length) throw new UsageError("the argument '--url <URL>' cannot be used with '[COMMAND]...'");
  if (url === undefined && command.length === 0) throw new UsageError('the following required arguments were not provided: <COMMAND|--url <URL>>');
  if (url !== undefined && envPairs.length) throw new UsageError('--env is only valid for stdio servers (-- COMMAND ...)');
  if (url === undefined && bearer !== undefined) throw new UsageError('--bearer-token-env-var is only valid with --url');

  const table: Record<string, TomlValue> = {};
  if (url !== undefined) {
    table.url = url;
    if (bearer !== undefined) table.bearer_token_env_var = bearer;
  } else {
    table.command = command[0] as string;
    table.args = command.slice(1);
    if (envPairs.length) table.env = Object.fromEntries(envPairs);
  }
  const loaded = await loadConfigFile(file);
  await editConfigFile(loaded, { kind: 'add', name, table, replace: true });
  io.stdout.write(`Added MCP server '${name}' to ${file}.\n`);
  return 0;
}

/** `-c`-style value: TOML when it parses as a TOML value, else the raw string. */
function parseCliValue(raw: string): TomlValue {
  try {
    const v = parseToml(`v = ${raw}`).v;
    if (v !== undefined) return v as TomlValue;
  } catch {
    // not TOML: a plain string, as `codex -c key=value` does
  }
  return raw;
}

async function set(file: string, name: string, key: string, value: TomlValue | undefined, io: McpCommandIo): Promise<number> {
  const loaded = await loadConfigFile(file);
  if (loaded.parseError) throw loaded.parseError;
  const entry = loaded.servers.find((s) => s.name === name);
  if (!entry) {
    io.stderr.write(`Error: No MCP server named '${name}' found in ${file}.\n`);
    return 1;
  }
  const parts = splitKey(key);
  const [top, ...inner] = parts;
  if (top === undefined) throw new UsageError(`invalid KEY '${key}'`);
  let newValue: TomlValue | undefined = value;
  if (inner.length) {
    // A nested key (env.API_KEY) updates one entry of the table and leaves the others alone.
    const current = entry.raw[top];
    newValue = setNested(isTable(current) ? current : {}, inner, value);
  }
  await editConfigFile(loaded, { kind: 'update', name, set: { [top]: newValue } });
  io.stdout.write(value === undefined ? `Removed ${key} from MCP server '${name}' in ${file}.\n` : `Set ${key} of MCP server '${name}' in ${file}.\n`);
  return 0;
}

function splitKey(key: string): string[] {
  try {
    const parsed = parseToml(`${key} = 0`);
    const parts: string[] = [];
    let node: unknown = parsed;
    while (isTable(node)) {
      const k = Object.keys(node)[0];
      if (k === undefined) break;
      parts.push(k);
      node = node[k];
    }
    return parts;
  } catch {
    throw new UsageError(`invalid KEY '${key}': use a key name such as startup_timeout_sec or env.API_KEY`);
  }
}

function setNested(table: Record<string, TomlValue>, parts: string[], value: TomlValue | undefined): Record<string, TomlValue> {
  const [head, ...rest] = parts;
  if (head === undefined) return table;
  const out = { ...table };
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else out[head] = value;
  } else {
    const child = out[head];
    out[head] = setNested(isTable(child) ? child : {}, rest, value);
  }
  return out;
}
