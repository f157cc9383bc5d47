/**
 * Validation of `[mcp_servers.NAME]` tables with the same verdicts as Codex. Codex deserialises each
 * table into `RawMcpServerConfig` (serde; openai/codex `codex-rs/config/src/mcp_types.rs`) and then
 * checks transport-specific keys; both stages are mirrored here, and each finding carries Codex's own
 * wording (`codexMessage`, as printed by `codex mcp list` 0.153.4 / 0.169.0) plus a message that names
 * the key and the fix. Codex stops at the first error; this reports all of them.
 *
 * Pass tables parsed with smol-toml's `integersAsBigInt: true` so integers (bigint) and floats (number)
 * can be told apart, as Codex does for `startup_timeout_ms`; plain integral numbers count as integers.
 */
import { TomlDate } from 'smol-toml';
import { isValidServerName, KNOWN_KEYS, TOOL_APPROVAL_MODES, type Issue } from './model';
import { isTable } from './toml-emit';

export interface ValidateOptions {
  /** Unknown keys become errors, as with `codex mcp-server --strict-config` (0.153.4). Default false. */
  strict?: boolean;
  /**
   * The table was parsed with `integersAsBigInt: true`, so every `number` is a TOML float (`2000.0`)
   * and every integer a bigint. Default false: integral numbers count as integers.
   */
  bigintIntegers?: boolean;
}

// Set for the duration of one synchronous validateServer call.
let numbersAreFloats = false;

/** Largest number of seconds a Rust `Duration` holds (u64::MAX), beyond which Codex rejects the value. */
const MAX_DURATION_SEC = 2 ** 64 - 1;

type Kind = 'string' | 'integer' | 'float' | 'boolean' | 'array' | 'table' | 'date';

function kindOf(v: unknown): Kind {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'bigint') return 'integer';
  if (typeof v === 'number') return Number.isInteger(v) && !numbersAreFloats ? 'integer' : 'float';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) return 'array';
  if (v instanceof TomlDate || v instanceof Date) return 'date';
  return 'table';
}

/** serde's description of an unexpected value, e.g. ``string "abc"``, ``integer `3` ``, `sequence`. */
function describe(v: unknown): string {
  switch (kindOf(v)) {
    case 'string':
      return `string ${JSON.stringify(v)}`;
    case 'integer':
      return `integer \`${String(v)}\``;
    case 'float':
      return `floating point \`${formatFloat(v as number)}\``;
    case 'boolean':
      return `boolean \`${String(v)}\``;
    case 'array':
      return 'sequence';
    case 'date':
      return 'datetime';
    default:
      return 'map';
  }
}

function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

const FIX: Record<string, string> = {
  string: 'write a quoted string',
  seconds: 'write a number of seconds without quotes, e.g. 20 or 20.5',
  ms: 'write a whole number of milliseconds without quotes, e.g. 20000 (or use startup_timeout_sec)',
  boolean: 'write true or false without quotes',
  strings: 'write an array of strings, e.g. ["a", "b"]',
  stringMap: 'write a table of strings, e.g. { KEY = "value" }',
};

/** A key below the server table: one name, or the parts of a nested key. */
type SubKey = string | string[];

function partsOf(key: SubKey): string[] {
  return Array.isArray(key) ? key : key ? [key] : [];
}

/** Dotted display form of a sub-key, e.g. `env.A` or `tools."my.tool"`. */
function dk(key: SubKey): string {
  return partsOf(key).map(displayKey).join('.');
}

class Collector {
  readonly issues: Issue[] = [];
  constructor(readonly name: string) {}

  full(key: SubKey): { path: string[]; text: string } {
    const path = ['mcp_servers', this.name, ...partsOf(key)];
    return { path, text: path.map(displayKey).join('.') };
  }

  error(key: SubKey, codexMessage: string, fix: string): void {
    const { path, text } = this.full(key);
    this.issues.push({ key: text, path, severity: 'error', codexMessage, message: `${text}: ${codexMessage}. Fix: ${fix}.` });
  }

  warn(key: SubKey, message: string): void {
    const { path, text } = this.full(key);
    this.issues.push({ key: text, path, severity: 'warning', message: `${text}: ${message}` });
  }
}

/**
 * Validates one server table the way Codex does.
 * @param name the server name (the key under `mcp_servers`).
 * @param table the parsed value of `mcp_servers.NAME` (any type: a non-table is itself an error).
 * @returns issues; an `error` means Codex refuses to load the file.
 */
export function validateServer(name: string, table: unknown, options: ValidateOptions = {}): Issue[] {
  const previous = numbersAreFloats;
  numbersAreFloats = options.bigintIntegers === true;
  try {
    return validateTable(name, table, options);
  } finally {
    numbersAreFloats = previous;
  }
}

function validateTable(name: string, table: unknown, options: ValidateOptions): Issue[] {
  const c = new Collector(name);
  if (!isTable(table)) {
    c.error('', `invalid type: ${describe(table)}, expected struct RawMcpServerConfig`, `make mcp_servers.${displayKey(name)} a table, e.g. [mcp_servers.${displayKey(name)}] with command = "..." or url = "..."`);
    return c.issues;
  }
  if (!isValidServerName(name)) {
    c.warn('', `the name ${JSON.stringify(name)} has characters \`codex mcp add\` does not accept; Codex loads it, but rename it using letters, digits, "-", "_", ":", "@", "/" or "." so the codex CLI can address it.`);
  }

  const typesOk = checkTypes(table, c, options);
  if (!typesOk) return c.issues;
  checkSemantics(table, c);
  return c.issues;
}

/** Validates the `mcp_servers` value of a whole parsed document (`root.mcp_servers`). */
export function validateMcpServers(root: Record<string, unknown>, options: ValidateOptions = {}): Issue[] {
  if (!('mcp_servers' in root)) return [];
  const servers = root.mcp_servers;
  if (!isTable(servers)) {
    const codexMessage = `invalid type: ${describe(servers)}, expected a map`;
    return [{ key: 'mcp_servers', path: ['mcp_servers'], severity: 'error', codexMessage, message: `mcp_servers: ${codexMessage}. Fix: write each server as its own table, [mcp_servers.NAME].` }];
  }
  return Object.entries(servers).flatMap(([name, table]) => validateServer(name, table, options));
}

function checkTypes(t: Record<string, unknown>, c: Collector, options: ValidateOptions): boolean {
  const before = c.issues.filter((i) => i.severity === 'error').length;
  for (const [key, value] of Object.entries(t)) {
    switch (key) {
      case 'command':
      case 'cwd':
      case 'url':
      case 'bearer_token':
      case 'bearer_token_env_var':
      case 'experimental_environment':
      case 'oauth_resource':
      case 'http_headers_helper':
      case 'name':
        expectString(c, key, value);
        break;
      case 'args':
      case 'enabled_tools':
      case 'disabled_tools':
      case 'scopes':
        expectStrings(c, key, value);
        break;
      case 'env':
      case 'http_headers':
      case 'env_http_headers':
        expectStringMap(c, key, value);
        break;
      case 'env_vars':
        checkEnvVars(c, value);
        break;
      case 'startup_timeout_sec':
        if (!isNumber(value)) c.error(key, `invalid type: ${describe(value)}, expected f64`, FIX.seconds as string);
        break;
      case 'tool_timeout_sec':
        if (!isNumber(value)) c.error(key, `invalid type: ${describe(value)}, expected f64`, FIX.seconds as string);
        else checkDuration(c, key, Number(value));
        break;
      case 'startup_timeout_ms':
        if (kindOf(value) === 'float') c.error(key, `invalid type: ${describe(value)}, expected u64`, FIX.ms as string);
        else if (kindOf(value) !== 'integer') c.error(key, `invalid type: ${describe(value)}, expected u64`, FIX.ms as string);
        else if (Number(value) < 0) c.error(key, `invalid value: ${describe(value)}, expected u64`, FIX.ms as string);
        break;
      case 'enabled':
      case 'required':
      case 'supports_parallel_tool_calls':
        if (typeof value !== 'boolean') c.error(key, `invalid type: ${describe(value)}, expected a boolean`, FIX.boolean as string);
        break;
      case 'default_tools_approval_mode':
        checkApproval(c, key, value);
        break;
      case 'tools':
        checkTools(c, value, options);
        break;
      case 'oauth':
        checkOAuth(c, value, options);
        break;
      default:
        if (!KNOWN_KEYS.has(key)) unknownKey(c, key, options);
    }
  }
  return c.issues.filter((i) => i.severity === 'error').length === before;
}

function unknownKey(c: Collector, key: SubKey, options: ValidateOptions): void {
  if (options.strict) {
    c.error(key, `unknown configuration field \`${c.full(key).text}\``, `remove ${dk(key)} or correct its spelling`);
  } else {
    c.warn(key, `unknown key; Codex ignores it (and rejects it with --strict-config). Check the spelling, or remove it.`);
  }
}

function isNumber(v: unknown): boolean {
  const k = kindOf(v);
  return k === 'integer' || k === 'float';
}

function expectString(c: Collector, key: SubKey, v: unknown): void {
  // Codex's TOML deserialiser hands a datetime to a string field as its text, so it passes.
  const k = kindOf(v);
  if (k !== 'string' && k !== 'date') c.error(key, `invalid type: ${describe(v)}, expected a string`, `${FIX.string}, e.g. ${dk(key)} = "..."`);
}

function expectStrings(c: Collector, key: string, v: unknown): void {
  if (!Array.isArray(v)) {
    c.error(key, `invalid type: ${describe(v)}, expected a sequence`, `${FIX.strings}: ${key} = [${typeof v === 'string' ? JSON.stringify(v) : '"..."'}]`);
    return;
  }
  const bad: unknown = v.find((x) => kindOf(x) !== 'string' && kindOf(x) !== 'date');
  if (bad !== undefined) c.error(key, `invalid type: ${describe(bad)}, expected a string`, `quote every element: ${key} = ["..."]`);
}

function expectStringMap(c: Collector, key: string, v: unknown): void {
  if (!isTable(v)) {
    c.error(key, `invalid type: ${describe(v)}, expected a map`, `${FIX.stringMap}`);
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    const kind = kindOf(x);
    if (kind !== 'string' && kind !== 'date') c.error([key, k], `invalid type: ${describe(x)}, expected a string`, `quote the value: ${displayKey(k)} = "..."`);
  }
}

function checkEnvVars(c: Collector, v: unknown): void {
  if (!Array.isArray(v)) {
    c.error('env_vars', `invalid type: ${describe(v)}, expected a sequence`, `${FIX.strings} of variable names, e.g. env_vars = ["HOME", "PATH"]`);
    return;
  }
  for (const item of v) {
    const ok =
      typeof item === 'string' ||
      (isTable(item) &&
        typeof item.name === 'string' &&
        Object.keys(item).every((k) => k === 'name' || k === 'source') &&
        (item.source === undefined || typeof item.source === 'string'));
    if (!ok) {
      c.error('env_vars', 'data did not match any variant of untagged enum McpServerEnvVar', 'each element must be a variable name ("HOME") or { name = "HOME", source = "local" | "remote" }');
      return;
    }
  }
}

function checkApproval(c: Collector, key: SubKey, v: unknown): void {
  const expected = TOOL_APPROVAL_MODES.map((m) => `\`${m}\``).join(', ');
  const fix = `use one of ${TOOL_APPROVAL_MODES.map((m) => `"${m}"`).join(', ')}`;
  if (isTable(v)) {
    // serde reads a table as an externally tagged variant: its first key is the variant name.
    const variant = Object.keys(v)[0];
    const known = variant !== undefined && (TOOL_APPROVAL_MODES as readonly string[]).includes(variant);
    c.error(key, variant !== undefined && !known ? `unknown variant \`${variant}\`, expected one of ${expected}` : `invalid type: map, expected a string`, fix);
  } else if (typeof v !== 'string') c.error(key, 'invalid type: unit variant, expected string only', fix);
  else if (!(TOOL_APPROVAL_MODES as readonly string[]).includes(v)) c.error(key, `unknown variant \`${v}\`, expected one of ${expected}`, fix);
}

function checkTools(c: Collector, v: unknown, options: ValidateOptions): void {
  if (!isTable(v)) {
    c.error('tools', `invalid type: ${describe(v)}, expected a map`, 'write one table per tool, e.g. [mcp_servers.NAME.tools.TOOL] with approval_mode = "prompt"');
    return;
  }
  for (const [tool, cfg] of Object.entries(v)) {
    const key = ['tools', tool];
    if (!isTable(cfg)) {
      c.error(key, `invalid type: ${describe(cfg)}, expected struct McpServerToolConfig`, `make it a table, e.g. ${dk(key)} = { approval_mode = "prompt" }`);
      continue;
    }
    for (const [k, x] of Object.entries(cfg)) {
      if (k === 'approval_mode') checkApproval(c, [...key, 'approval_mode'], x);
      else unknownKey(c, [...key, k], options);
    }
  }
}

function checkOAuth(c: Collector, v: unknown, options: ValidateOptions): void {
  if (!isTable(v)) {
    c.error('oauth', `invalid type: ${describe(v)}, expected struct McpServerOAuthConfig`, 'make it a table, e.g. oauth = { client_id = "..." }');
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    if (k === 'client_id') expectString(c, ['oauth', 'client_id'], x);
    else unknownKey(c, ['oauth', k], options);
  }
}

/** Rust's `Duration::try_from_secs_f64` rules, as Codex applies them to timeouts. */
function checkDuration(c: Collector, key: string, seconds: number): void {
  if (seconds < 0) c.error(key, 'cannot convert float seconds to Duration: value is negative', `use a positive number of seconds, e.g. ${key} = 30`);
  else if (!Number.isFinite(seconds) || seconds > MAX_DURATION_SEC) c.error(key, 'cannot convert float seconds to Duration: value is either too big or NaN', `use a finite number of seconds, e.g. ${key} = 30`);
}

/** The checks Codex runs after deserialising (`TryFrom<RawMcpServerConfig>`). */
function checkSemantics(t: Record<string, unknown>, c: Collector): void {
  if (t.startup_timeout_sec !== undefined) checkDuration(c, 'startup_timeout_sec', Number(t.startup_timeout_sec));
  const has = (k: string) => t[k] !== undefined;
  if (has('command')) {
    for (const k of ['url', 'bearer_token_env_var', 'bearer_token', 'http_headers', 'env_http_headers', 'http_headers_helper', 'oauth', 'oauth_resource']) {
      if (has(k)) c.error(k, `${k} is not supported for stdio`, `remove ${k} (a server with command is a stdio server), or remove command to make it a streamable HTTP server`);
    }
    if (Array.isArray(t.env_vars)) {
      for (const item of t.env_vars) {
        if (isTable(item) && typeof item.source === 'string' && item.source !== 'local' && item.source !== 'remote') {
          c.error('env_vars', `unsupported env_vars source \`${item.source}\`; expected \`local\` or \`remote\``, 'set source = "local" or source = "remote", or leave source out');
        }
      }
    }
    if (t.command === '') c.warn('command', 'is empty; Codex accepts the file but cannot start the server. Set the program to run, e.g. command = "npx".');
  } else if (has('url')) {
    for (const k of ['args', 'env', 'env_vars', 'cwd']) {
      if (has(k)) c.error(k, `${k} is not supported for streamable_http`, `remove ${k} (a server with url is a streamable HTTP server), or replace url with command to make it a stdio server`);
    }
    if (has('bearer_token')) {
      c.error('bearer_token', 'bearer_token is not supported for streamable_http', 'put the token in an environment variable and set bearer_token_env_var = "VAR_NAME" instead');
    }
    if (typeof t.url === 'string' && !/^https?:\/\//i.test(t.url)) {
      c.warn('url', 'is not an http:// or https:// URL; Codex accepts the file but cannot connect. Use e.g. url = "http://127.0.0.1:8765/mcp".');
    }
  } else {
    c.error('', 'invalid transport', 'add command = "..." (a stdio server) or url = "..." (a streamable HTTP server)');
  }
}

/** A server name as it appears in a dotted TOML path (quoted when it is not a bare key). */
export function displayKey(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name);
}
