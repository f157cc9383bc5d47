/**
 * Edits of `[mcp_servers.NAME]` tables applied as splices of the original text: only the bytes of
 * the edited key (or the added/removed/renamed table) change; comments, blank lines, key order, other
 * tables, unknown keys, quoting and line endings elsewhere stay as they were.
 *
 * Every result is re-parsed with smol-toml and compared with the intended change applied to the
 * parsed original; any difference (a scanner mistake, an ambiguous layout) throws
 * {@link ConfigEditError} with code `internal` instead of returning damaged text.
 */
import { parse } from 'smol-toml';
import { ConfigEditError, parseToml } from './errors';
import { locateServer, namePartIndex, serverExists, type LocatedStatement, type ServerText } from './locate';
import { isValidServerName } from './model';
import { emitDottedKey, emitKey, emitValue, isTable, type TomlValue } from './toml-emit';
import { attachedStart, regionEnd, scanToml, statementsUnder, TomlScanError, type ScannedToml } from './toml-scan';
import { displayKey } from './validate';

/** A server table to write: Codex keys (and any others) with TOML values. */
export type ServerTable = Record<string, TomlValue>;

export type ConfigEdit =
  /** Adds a new server. With `replace`, an existing server of that name is replaced in place (as `codex mcp add` does). */
  | { kind: 'add'; name: string; table: ServerTable; replace?: boolean }
  /** Sets keys of a server; a key mapped to `null`/`undefined` is removed. Table values are merged key by key. */
  | { kind: 'update'; name: string; set: Record<string, TomlValue | null | undefined> }
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'remove'; name: string }
  /** `enabled = false`; enabling rewrites an existing `enabled` key to true and adds nothing otherwise (true is the default). */
  | { kind: 'setEnabled'; name: string; enabled: boolean }
  /** A present property sets the list (null removes the key); an absent one leaves it alone. */
  | { kind: 'setToolFilter'; name: string; enabled_tools?: string[] | null; disabled_tools?: string[] | null };

interface Splice {
  start: number;
  end: number;
  text: string;
}

function applySplices(text: string, splices: Splice[]): string {
  const sorted = [...splices].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let limit = Infinity;
  for (const s of sorted) {
    if (s.end > limit) throw new ConfigEditError('internal', 'overlapping edits; nothing was changed.');
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
    limit = s.start;
  }
  return out;
}

function scan(text: string): ScannedToml {
  try {
    return scanToml(text);
  } catch (e) {
    if (e instanceof TomlScanError) throw new ConfigEditError('unsupported-form', `cannot locate keys safely in this file (${e.message}); edit it by hand.`);
    throw e;
  }
}

function serversOf(root: Record<string, unknown>): Record<string, unknown> | undefined {
  return isTable(root.mcp_servers) ? root.mcp_servers : undefined;
}

function refuseUnsafeForms(s: ServerText): void {
  if (s.arrayRoot) throw new ConfigEditError('unsupported-form', 'mcp_servers is written as an array of tables ([[mcp_servers]]), which Codex rejects; rewrite it as [mcp_servers.NAME] tables first.');
  if (s.rootInline) {
    throw new ConfigEditError('unsupported-form', 'mcp_servers is written as one inline table (mcp_servers = { ... }); editing one server would rewrite the others. Convert it to [mcp_servers.NAME] tables first.');
  }
  if (s.arrayHeaders.length) {
    throw new ConfigEditError('unsupported-form', `mcp_servers.${displayKey(s.name)} contains an array of tables ([[...]]); edit it by hand.`);
  }
}

/**
 * Applies one edit to config text and returns the new text.
 * @throws ConfigParseError when `text` is not valid TOML.
 * @throws ConfigEditError `not-found` | `exists` | `invalid-name` | `unsupported-form` | `invalid` | `internal`.
 */
export function applyEdit(text: string, edit: ConfigEdit): string {
  const original = parseToml(text);
  const servers = serversOf(original);
  if ('mcp_servers' in original && servers === undefined) {
    throw new ConfigEditError('unsupported-form', 'mcp_servers is not a table; fix it before editing (see the validation errors).');
  }
  const name = edit.kind === 'rename' ? edit.from : edit.name;
  const located = locateServer(scan(text), name);
  const exists = serverExists(located, servers);
  if (edit.kind !== 'add' && !exists) throw new ConfigEditError('not-found', `No MCP server named '${name}' found.`);

  let result: string;
  const expected = structuredClone(original);
  const expServers = (): Record<string, unknown> => {
    if (!isTable(expected.mcp_servers)) expected.mcp_servers = {};
    return expected.mcp_servers as Record<string, unknown>;
  };

  switch (edit.kind) {
    case 'add': {
      if (!isValidServerName(edit.name)) throw invalidName(edit.name);
      if (exists && !edit.replace) throw new ConfigEditError('exists', `An MCP server named '${edit.name}' already exists; choose another name or edit it.`);
      if (!isTable(edit.table)) throw new ConfigEditError('invalid', 'the server must be a table of keys.');
      refuseUnsafeForms(located);
      // Form models leave unset fields as null/undefined; TOML has no null, so they are simply absent.
      const table: ServerTable = Object.fromEntries(Object.entries(edit.table).filter(([, v]) => v !== null && v !== undefined));
      result = exists ? replaceServer(text, edit.name, table) : addServer(text, edit.name, table);
      expServers()[edit.name] = table;
      break;
    }
    case 'remove': {
      refuseUnsafeForms(located);
      result = removeServer(text, edit.name);
      delete expServers()[edit.name];
      break;
    }
    case 'rename': {
      if (!isValidServerName(edit.to)) throw invalidName(edit.to);
      if (edit.to === edit.from) return text;
      if (serverExists(locateServer(scan(text), edit.to), servers)) throw new ConfigEditError('exists', `An MCP server named '${edit.to}' already exists; choose another name.`);
      refuseUnsafeForms(located);
      result = renameServer(text, edit.from, edit.to);
      const table = expServers();
      const renamed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(table)) renamed[k === edit.from ? edit.to : k] = v;
      expected.mcp_servers = renamed;
      break;
    }
    case 'update':
    case 'setEnabled':
    case 'setToolFilter': {
      refuseUnsafeForms(located);
      const set = fieldsOf(edit, servers?.[name]);
      result = text;
      const target = expServers()[name] as Record<string, unknown>;
      for (const [key, value] of Object.entries(set)) {
        result = setPath(result, name, [key], value ?? undefined);
        if (value === null || value === undefined) delete target[key];
        else target[key] = value;
      }
      break;
    }
  }
  verify(result, expected);
  return result;
}

function invalidName(name: string): ConfigEditError {
  return new ConfigEditError('invalid-name', `invalid server name '${name}' (use letters, numbers, '-', '_', ':', '@', '/', '.')`);
}

function fieldsOf(edit: ConfigEdit, current: unknown): Record<string, TomlValue | null | undefined> {
  if (edit.kind === 'update') return edit.set;
  if (edit.kind === 'setEnabled') {
    const has = isTable(current) && 'enabled' in current;
    if (edit.enabled) return has ? { enabled: true } : {};
    return { enabled: false };
  }
  if (edit.kind === 'setToolFilter') {
    const out: Record<string, TomlValue | null> = {};
    if ('enabled_tools' in edit) out.enabled_tools = edit.enabled_tools ?? null;
    if ('disabled_tools' in edit) out.disabled_tools = edit.disabled_tools ?? null;
    return out;
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// setPath: one key of one server, recursively for tables.

function isPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && isPrefix(a, b);
}

function setPath(text: string, name: string, rel: string[], value: TomlValue | undefined): string {
  const doc = scan(text);
  const s = locateServer(doc, name);
  refuseUnsafeForms(s);

  const covering = s.statements.find((x) => x.rel.length < rel.length && isPrefix(x.rel, rel));
  if (covering) return replaceInsideValue(text, covering, rel.slice(covering.rel.length), value);

  const exact = s.statements.find((x) => same(x.rel, rel));
  if (exact) {
    if (value === undefined) return applySplices(text, [{ start: exact.stmt.start, end: exact.stmt.end, text: '' }]);
    const oldRaw = text.slice(exact.stmt.valueStart, exact.stmt.valueEnd);
    // An unchanged value keeps its spelling (escapes, number format, quoting).
    if (deepEqual(parse(`v = ${oldRaw}`).v, value)) return text;
    return applySplices(text, [{ start: exact.stmt.valueStart, end: exact.stmt.valueEnd, text: emitValue(value, oldRaw) }]);
  }

  const descStatements = s.statements.filter((x) => x.rel.length > rel.length && isPrefix(rel, x.rel));
  const descHeaders = s.headers.filter((h) => h.rel.length >= rel.length && isPrefix(rel, h.rel));
  if (descStatements.length || descHeaders.length) {
    // A table value is merged key by key so untouched entries keep their lines and comments; an empty
    // table keeps its [header] only if it has one (removing every dotted key would drop the table).
    const keepsHeader = descHeaders.some((h) => h.rel.length === rel.length);
    if (value !== undefined && isTable(value) && (Object.keys(value).length > 0 || keepsHeader)) {
      const children = new Set<string>();
      for (const x of descStatements) children.add(x.rel[rel.length] as string);
      for (const h of descHeaders) if (h.rel.length > rel.length) children.add(h.rel[rel.length] as string);
      let out = text;
      for (const child of children) if (!(child in value)) out = setPath(out, name, [...rel, child], undefined);
      for (const [k, v] of Object.entries(value)) out = setPath(out, name, [...rel, k], v);
      return out;
    }
    const splices: Splice[] = [];
    for (const h of descHeaders) splices.push({ start: attachedStart(doc, h.header), end: regionEnd(doc, h.header), text: '' });
    for (const x of descStatements) {
      if (!splices.some((sp) => sp.start <= x.stmt.start && x.stmt.end <= sp.end)) splices.push({ start: x.stmt.start, end: x.stmt.end, text: '' });
    }
    const out = applySplices(text, splices);
    return value === undefined ? out : insert(out, name, rel, value);
  }
  return value === undefined ? text : insert(text, name, rel, value);
}

/** Replaces a value that contains the target path (an inline table), re-emitting only that value. */
function replaceInsideValue(text: string, covering: LocatedStatement, inner: string[], value: TomlValue | undefined): string {
  const raw = text.slice(covering.stmt.valueStart, covering.stmt.valueEnd);
  const current = parse(`v = ${raw}`).v as TomlValue;
  if (!isTable(current)) {
    throw new ConfigEditError('unsupported-form', `${['mcp_servers', ...covering.stmt.path.slice(1)].join('.')} is not a table, so ${inner.join('.')} cannot be set inside it; fix its type first.`);
  }
  const updated = setIn(current, inner, value);
  if (deepEqual(updated, current)) return text;
  return applySplices(text, [{ start: covering.stmt.valueStart, end: covering.stmt.valueEnd, text: emitValue(updated) }]);
}

function setIn(table: Record<string, TomlValue>, path: string[], value: TomlValue | undefined): Record<string, TomlValue> {
  const [head, ...rest] = path;
  if (head === undefined) return table;
  const out: Record<string, TomlValue> = { ...table };
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else out[head] = value;
    return out;
  }
  const child = out[head];
  out[head] = setIn(isTable(child) ? child : {}, rest, value);
  return out;
}

/** Inserts `rel = value` (rel does not exist yet) into the closest table that holds the server's keys. */
function insert(text: string, name: string, rel: string[], value: TomlValue): string {
  const doc = scan(text);
  const s = locateServer(doc, name);
  const eol = doc.eol;
  const context = s.headers.filter((h) => h.rel.length < rel.length && isPrefix(h.rel, rel)).sort((a, b) => b.rel.length - a.rel.length)[0];
  if (context) {
    const under = statementsUnder(doc, context.header);
    const last = under[under.length - 1];
    const pos = last ? last.end : context.header.end;
    const line = `${last?.indent ?? ''}${emitDottedKey(rel.slice(context.rel.length))} = ${emitValue(value)}${eol}`;
    return insertAt(text, doc, pos, line);
  }
  const outside = s.statements.filter((x) => x.stmt.header === null || x.stmt.header.path.length < 2);
  const last = outside[outside.length - 1];
  if (last) {
    const idx = namePartIndex(last.stmt);
    const prefix = last.stmt.parts
      .slice(0, idx + 1)
      .map((p) => p.raw)
      .join('.');
    const line = `${last.stmt.indent}${prefix}.${emitDottedKey(rel)} = ${emitValue(value)}${eol}`;
    return insertAt(text, doc, last.stmt.end, line);
  }
  const first = s.headers[0];
  if (first) {
    // Only sub-tables exist ([mcp_servers.NAME.env]); give the server its own table before them.
    const namePart = first.header.parts[1];
    const header = `[${first.header.parts[0]?.raw ?? 'mcp_servers'}.${namePart?.raw ?? emitKey(name)}]`;
    const block = `${header}${eol}${emitDottedKey(rel)} = ${emitValue(value)}${eol}${eol}`;
    return applySplices(text, [{ start: attachedStart(doc, first.header), end: attachedStart(doc, first.header), text: block }]);
  }
  throw new ConfigEditError('not-found', `No MCP server named '${name}' found.`);
}

function insertAt(text: string, doc: ScannedToml, pos: number, line: string): string {
  const needsBreak = pos === text.length && pos > doc.bomLength && !text.endsWith('\n');
  return applySplices(text, [{ start: pos, end: pos, text: (needsBreak ? doc.eol : '') + line }]);
}

// ---------------------------------------------------------------------------------------------
// Whole-server edits.

/** The text of a new server, in the layout `codex mcp add` writes: keys, then one sub-table per table value. */
export function renderServerTable(name: string, table: ServerTable, eol: string, headerParts: string[] = ['mcp_servers', emitKey(name)]): string {
  const sections: string[] = [];
  const walk = (parts: string[], t: Record<string, TomlValue>) => {
    const lines = [`[${parts.join('.')}]`];
    const subs: [string, Record<string, TomlValue>][] = [];
    for (const [k, v] of Object.entries(t)) {
      if (isTable(v) && Object.keys(v).length > 0) subs.push([k, v]);
      else lines.push(`${emitKey(k)} = ${emitValue(v)}`);
    }
    // A table holding only sub-tables needs no header of its own ([a.tools] before [a.tools.t]).
    if (lines.length > 1 || subs.length === 0) sections.push(lines.join(eol) + eol);
    for (const [k, v] of subs) walk([...parts, emitKey(k)], v);
  };
  walk(headerParts, table);
  return sections.join(eol);
}

function addServer(text: string, name: string, table: ServerTable): string {
  const doc = scan(text);
  const mcpHeaders = doc.headers.filter((h) => h.path[0] === 'mcp_servers');
  const lastMcp = mcpHeaders[mcpHeaders.length - 1];
  const pos = lastMcp ? regionEnd(doc, lastMcp) : text.length;
  const before = text.slice(doc.bomLength, pos);
  const after = text.slice(pos);
  let prefix = '';
  if (before.length > 0) {
    if (!before.endsWith('\n')) prefix = doc.eol + doc.eol;
    else if (!/\r?\n[ \t]*\r?\n$/.test(before)) prefix = doc.eol;
  }
  const block = prefix + renderServerTable(name, table, doc.eol) + (after.length > 0 ? doc.eol : '');
  return applySplices(text, [{ start: pos, end: pos, text: block }]);
}

/** Ranges that hold the server: each header's region (with comments directly above), and statements outside them. */
function serverRanges(doc: ScannedToml, s: ServerText): Splice[] {
  const ranges: Splice[] = s.headers.map((h) => ({ start: attachedStart(doc, h.header), end: regionEnd(doc, h.header), text: '' }));
  for (const x of s.statements) {
    if (!ranges.some((r) => r.start <= x.stmt.start && x.stmt.end <= r.end)) ranges.push({ start: x.stmt.start, end: x.stmt.end, text: '' });
  }
  return ranges.sort((a, b) => a.start - b.start);
}

function removeServer(text: string, name: string): string {
  const doc = scan(text);
  return applySplices(text, serverRanges(doc, locateServer(doc, name)));
}

function replaceServer(text: string, name: string, table: ServerTable): string {
  const doc = scan(text);
  const s = locateServer(doc, name);
  const first = s.headers[0];
  if (!first) return addServer(removeServer(text, name), name, table);
  const ranges = serverRanges(doc, s);
  const firstStart = attachedStart(doc, first.header);
  const target = ranges.find((r) => r.start === firstStart);
  if (!target) throw new ConfigEditError('internal', 'could not place the replaced server; nothing was changed.');
  // Comments directly above the old table describe the server, not its old keys: keep them.
  target.start = first.header.start;
  const removed = text.slice(target.start, target.end);
  const namePart = first.header.parts[1]?.raw ?? emitKey(s.name);
  const rendered = renderServerTable(s.name, table, doc.eol, [first.header.parts[0]?.raw ?? 'mcp_servers', namePart]);
  const trailingBlank = /\r?\n[ \t]*\r?\n$/.test(removed) ? doc.eol : '';
  target.text = rendered + trailingBlank;
  return applySplices(text, ranges);
}

function renameServer(text: string, from: string, to: string): string {
  const s = locateServer(scan(text), from);
  const splices: Splice[] = [];
  const rewrite = (part: { start: number; end: number; raw: string } | undefined) => {
    if (part) splices.push({ start: part.start, end: part.end, text: emitKey(to, part.raw) });
  };
  for (const h of s.headers) rewrite(h.header.parts[1]);
  for (const x of s.statements) {
    const idx = namePartIndex(x.stmt);
    if (idx >= 0) rewrite(x.stmt.parts[idx]);
  }
  return applySplices(text, splices);
}

// ---------------------------------------------------------------------------------------------
// Verification.

function verify(result: string, expected: Record<string, unknown>): void {
  let actual: Record<string, unknown>;
  try {
    actual = parse(result);
  } catch (e) {
    throw new ConfigEditError('internal', `the edit would produce invalid TOML (${(e as Error).message.split('\n')[0]}); nothing was changed.`);
  }
  if (!deepEqual(normalize(actual), normalize(expected))) {
    throw new ConfigEditError('internal', 'the edit would change more than the intended keys; nothing was changed. Edit this file by hand.');
  }
}

function normalize(root: Record<string, unknown>): Record<string, unknown> {
  if (isTable(root.mcp_servers) && Object.keys(root.mcp_servers).length === 0) {
    const { mcp_servers: _drop, ...rest } = root;
    return rest;
  }
  return root;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.toISOString() === b.toISOString();
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b;
  if (typeof a === 'bigint' || typeof b === 'bigint') return Number(a) === Number(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isTable(a) && isTable(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return a === b;
}
