/**
 * Reading and writing one config file. Reads keep the exact text (BOM and line endings included) and
 * a SHA-256 of its bytes; writes are atomic (temp file in the same folder, fsync, rename), keep one
 * backup (`<file>.bak`), and refuse to overwrite a file whose bytes changed since it was read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { buildEntry } from './entry';
import { applyEdit, type ConfigEdit } from './edit';
import { ConfigConflictError, ConfigParseError, ConfigValidationError, parseToml } from './errors';
import type { ConfigFileKind, Issue, McpServerEntry } from './model';
import { isTable } from './toml-emit';
import { scanToml, type ScannedToml } from './toml-scan';
import { validateMcpServers, validateServer, type ValidateOptions } from './validate';

export interface LoadedConfig {
  /** Absolute path. */
  path: string;
  kind: ConfigFileKind;
  exists: boolean;
  /** The whole file as read ('' when missing). */
  text: string;
  /** SHA-256 (hex) of the bytes read; null when the file did not exist. */
  hash: string | null;
  /** Modification time in ms since the epoch; null when missing. */
  mtimeMs: number | null;
  servers: McpServerEntry[];
  /** Every finding: TOML syntax errors (with line/column) and per-server validation. */
  issues: Issue[];
  /** Set when the text is not valid TOML (then `servers` is empty). */
  parseError: ConfigParseError | null;
}

export interface LoadOptions extends ValidateOptions {
  kind?: ConfigFileKind;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readBytes(file: string): Promise<{ bytes: Buffer; mtimeMs: number } | null> {
  try {
    const [bytes, stat] = await Promise.all([fs.readFile(file), fs.stat(file)]);
    return { bytes, mtimeMs: stat.mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Reads and validates a config file. A missing file is not an error (`exists: false`, no servers).
 * @throws Error when the file exists but cannot be read (permissions), naming the file.
 */
export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<LoadedConfig> {
  const abs = path.resolve(file);
  let read: Awaited<ReturnType<typeof readBytes>>;
  try {
    read = await readBytes(abs);
  } catch (e) {
    throw new Error(`Cannot read ${abs}: ${(e as Error).message}. Check the file's permissions.`, { cause: e });
  }
  if (!read) return { path: abs, kind: options.kind ?? 'user', exists: false, text: '', hash: null, mtimeMs: null, servers: [], issues: [], parseError: null };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(read.bytes);
  } catch {
    const parseError = new ConfigParseError(abs, 1, 1, 'the file is not valid UTF-8 (TOML files must be UTF-8)');
    return { path: abs, kind: options.kind ?? 'user', exists: true, text: '', hash: sha256(read.bytes), mtimeMs: read.mtimeMs, servers: [], issues: [parseIssue(parseError)], parseError };
  }
  return { ...analyzeConfigText(text, abs, options), exists: true, hash: sha256(read.bytes), mtimeMs: read.mtimeMs };
}

/** Parses and validates config text without touching the disk (used for unsaved edits too). */
export function analyzeConfigText(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  const kind = options.kind ?? 'user';
  const base: LoadedConfig = { path: file, kind, exists: true, text, hash: null, mtimeMs: null, servers: [], issues: [], parseError: null };
  let exact: Record<string, unknown>;
  let plain: Record<string, unknown>;
  try {
    exact = parseToml(text, file, { integersAsBigInt: true });
    plain = parseToml(text, file);
  } catch (e) {
    if (e instanceof ConfigParseError) return { ...base, issues: [parseIssue(e)], parseError: e };
    throw e;
  }
  let doc: ScannedToml | null = null;
  try {
    doc = scanToml(text);
  } catch {
    doc = null; // positions are a convenience; validation does not depend on them
  }
  const vOptions = { strict: options.strict, bigintIntegers: true };
  const issues = validateMcpServers(exact, vOptions).map((i) => withPosition(i, doc));
  const servers: McpServerEntry[] = [];
  const exactServers = isTable(exact.mcp_servers) ? exact.mcp_servers : {};
  const plainServers = isTable(plain.mcp_servers) ? plain.mcp_servers : {};
  for (const [name, table] of Object.entries(plainServers)) {
    const own = validateServer(name, exactServers[name], vOptions).map((i) => withPosition(i, doc));
    servers.push(buildEntry(name, table, file, kind, own));
  }
  return { ...base, servers, issues };
}

function parseIssue(e: ConfigParseError): Issue {
  return { key: '', path: [], severity: 'error', message: e.message, codexMessage: e.reason, line: e.line, column: e.column };
}

/** Adds line/column of the key (or the closest enclosing table) the issue is about. */
function withPosition(issue: Issue, doc: ScannedToml | null): Issue {
  if (!doc) return issue;
  for (let n = issue.path.length; n > 0; n--) {
    const p = issue.path.slice(0, n);
    const stmt = doc.statements.find((s) => s.path.length === p.length && s.path.every((x, i) => x === p[i]));
    const header = doc.headers.find((h) => h.path.length === p.length && h.path.every((x, i) => x === p[i]));
    const offset = stmt ? stmt.start + stmt.indent.length : header?.start;
    if (offset !== undefined) return { ...issue, ...lineColumn(doc.text, offset) };
  }
  return issue;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Loads every file of {@link findConfigFiles} (missing ones come back empty with `exists: false`). */
export async function loadConfigFiles(refs: { path: string; kind: ConfigFileKind }[], options: ValidateOptions = {}): Promise<LoadedConfig[]> {
  return Promise.all(refs.map((r) => loadConfigFile(r.path, { ...options, kind: r.kind })));
}

export interface WriteOptions {
  /** Keep the previous content as `<file>.bak` (one backup, replaced each time). Default true. */
  backup?: boolean;
}

/**
 * Atomically replaces the file with `newText`, after checking it is valid TOML and that the file on
 * disk still has the bytes `loaded` was read from.
 * @returns the file as re-read after writing.
 * @throws ConfigParseError when `newText` is not valid TOML (nothing written).
 * @throws ConfigConflictError when the file changed (or appeared/disappeared) since `loaded` was read.
 */
export async function writeConfigFile(loaded: LoadedConfig, newText: string, options: WriteOptions = {}): Promise<LoadedConfig> {
  parseToml(newText, loaded.path);
  const target = await resolveTarget(loaded.path);
  const current = await readBytes(target);
  const currentHash = current ? sha256(current.bytes) : null;
  if (currentHash !== loaded.hash) throw new ConfigConflictError(loaded.path);

  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const mode = current ? (await fs.stat(target)).mode & 0o777 : 0o600;
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(tmp, 'wx', mode);
    try {
      await handle.writeFile(newText, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (current && options.backup !== false) {
      const bakTmp = `${tmp}.bak`;
      await fs.writeFile(bakTmp, current.bytes, { mode });
      await fs.rename(bakTmp, `${target}.bak`);
    }
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    await fs.rm(`${tmp}.bak`, { force: true });
    throw e;
  }
  return loadConfigFile(loaded.path, { kind: loaded.kind });
}

/** Writes through a symlinked config (dotfile managers) instead of replacing the link. */
async function resolveTarget(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    return file;
  }
}

export interface EditOptions extends WriteOptions, ValidateOptions {
  /** Write even when the edited server would fail Codex's validation. Default false. */
  allowInvalid?: boolean;
}

/**
 * Applies an edit to a loaded file and writes it.
 * @throws ConfigParseError when the file on disk is not valid TOML (nothing written).
 * @throws ConfigEditError when the edit cannot be applied (see its `code`).
 * @throws ConfigValidationError when the edited server would be rejected by Codex (unless allowInvalid).
 * @throws ConfigConflictError when the file changed since it was read.
 */
export async function editConfigFile(loaded: LoadedConfig, edit: ConfigEdit, options: EditOptions = {}): Promise<LoadedConfig> {
  if (loaded.parseError) throw loaded.parseError;
  const next = applyEdit(loaded.text, edit);
  if (!options.allowInvalid) {
    const name = edit.kind === 'rename' ? edit.to : edit.name;
    const after = analyzeConfigText(next, loaded.path, { kind: loaded.kind, strict: options.strict });
    const errors = edit.kind === 'remove' ? [] : (after.servers.find((s) => s.name === name)?.issues ?? []).filter((i) => i.severity === 'error');
    if (errors.length) throw new ConfigValidationError(loaded.path, errors);
  }
  return writeConfigFile(loaded, next, options);
}
