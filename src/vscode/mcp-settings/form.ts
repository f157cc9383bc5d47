/**
 * Between the settings form ({@link ServerForm}) and `[mcp_servers.NAME]` tables: an entry becomes a
 * masked form, and a form becomes the edits that change only the fields the user touched, so keys
 * the form does not show (and the spelling of untouched ones, e.g. `startup_timeout_ms`) stay as
 * they are in the file. No `vscode` import.
 */
import type { ConfigEdit, Issue, McpServerEntry, ServerTable, TomlValue } from '../../config';
import { isValidServerName } from '../../config';
import { emptyForm } from '../../webviews/mcp-settings/empty-form';
import type { FormIssue, MapField, MapRow, ServerForm } from '../../webviews/mcp-settings/protocol';

function maskedRows(map: Record<string, string> | null): MapRow[] {
  return Object.keys(map ?? {}).map((key) => ({ key }));
}

/** The form for a server read from a file; map values are left out (masked). */
export function entryToForm(entry: McpServerEntry): ServerForm {
  const form = emptyForm(entry.name);
  const t = entry.transport;
  if (t?.type === 'stdio') {
    Object.assign(form, { transport: 'stdio', command: t.command, args: [...t.args], env: maskedRows(t.env), env_vars: t.env_vars.map((v) => (typeof v === 'string' ? v : v.name)), cwd: t.cwd ?? '' });
  } else if (t?.type === 'streamable_http') {
    Object.assign(form, {
      transport: 'streamable_http',
      url: t.url,
      bearer_token_env_var: t.bearer_token_env_var ?? '',
      http_headers: maskedRows(t.http_headers),
      env_http_headers: maskedRows(t.env_http_headers),
    });
  } else if (typeof entry.raw.url === 'string') {
    form.transport = 'streamable_http';
  }
  form.startup_timeout_sec = entry.startup_timeout_sec === null ? '' : String(entry.startup_timeout_sec);
  form.tool_timeout_sec = entry.tool_timeout_sec === null ? '' : String(entry.tool_timeout_sec);
  form.enabled = entry.enabled;
  form.enabled_tools = entry.enabled_tools ? [...entry.enabled_tools] : null;
  form.disabled_tools = entry.disabled_tools ? [...entry.disabled_tools] : null;
  return form;
}

/** The current value of a map field of an entry (what a masked row stands for). */
export function mapOf(entry: McpServerEntry | null, field: MapField): Record<string, string> {
  const v = entry?.raw[field];
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

interface Resolved {
  table: ServerTable;
  issues: FormIssue[];
}

const nonEmpty = (list: string[]): string[] => list.map((s) => s.trim()).filter((s) => s !== '');

function resolveRows(field: MapField, rows: MapRow[], original: McpServerEntry | null, issues: FormIssue[]): Record<string, string> | undefined {
  const before = mapOf(original, field);
  const out: Record<string, string> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (!key) {
      if (row.value) issues.push({ field, severity: 'error', message: `${field}: a row has a value but no name; enter the name or delete the row.` });
      continue;
    }
    if (key in out) issues.push({ field, severity: 'error', message: `${field}: ${key} appears twice; keep one row.` });
    const value = row.value ?? before[key];
    if (value === undefined) {
      issues.push({ field, severity: 'error', message: `${field}: enter a value for ${key}.` });
      continue;
    }
    out[key] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

function seconds(field: 'startup_timeout_sec' | 'tool_timeout_sec', text: string, issues: FormIssue[]): number | undefined {
  const s = text.trim();
  if (!s) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n)) {
    issues.push({ field, severity: 'error', message: `${field}: "${s}" is not a number; write seconds, e.g. 30 or 2.5 (empty = Codex default).` });
    return undefined;
  }
  return n;
}

/**
 * The whole table the form describes (empty fields left out), with values of masked rows taken
 * from `original`, plus the form-level problems that keep it from being written.
 */
export function formToTable(form: ServerForm, original: McpServerEntry | null): Resolved {
  const issues: FormIssue[] = [];
  const table: ServerTable = {};
  const put = (k: string, v: TomlValue | undefined) => {
    if (v !== undefined) table[k] = v;
  };
  if (form.transport === 'stdio') {
    put('command', form.command.trim() || undefined);
    const args = form.args.filter((a) => a !== '');
    put('args', args.length ? args : undefined);
    put('env', resolveRows('env', form.env, original, issues));
    const vars = nonEmpty(form.env_vars);
    put('env_vars', vars.length ? vars : undefined);
    put('cwd', form.cwd.trim() || undefined);
  } else {
    put('url', form.url.trim() || undefined);
    put('bearer_token_env_var', form.bearer_token_env_var.trim() || undefined);
    put('http_headers', resolveRows('http_headers', form.http_headers, original, issues));
    put('env_http_headers', resolveRows('env_http_headers', form.env_http_headers, original, issues));
  }
  put('startup_timeout_sec', seconds('startup_timeout_sec', form.startup_timeout_sec, issues));
  put('tool_timeout_sec', seconds('tool_timeout_sec', form.tool_timeout_sec, issues));
  if (!form.enabled) table.enabled = false;
  if (form.enabled_tools) put('enabled_tools', nonEmpty(form.enabled_tools));
  if (form.disabled_tools) put('disabled_tools', nonEmpty(form.disabled_tools));
  return { table, issues };
}

const STDIO_FIELDS = ['command', 'args', 'env', 'env_vars', 'cwd'] as const;
const HTTP_FIELDS = ['url', 'bearer_token_env_var', 'http_headers', 'env_http_headers'] as const;
const COMMON_FIELDS = ['startup_timeout_sec', 'tool_timeout_sec', 'enabled', 'enabled_tools', 'disabled_tools'] as const;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The edits that turn `original` (null: a new server) into what `form` says. Only fields whose form
 * value changed are written; switching transport removes the other transport's keys.
 * @returns edits (empty when nothing changed) and form problems (when any is an error, do not write).
 */
export function formToEdits(form: ServerForm, original: McpServerEntry | null): { edits: ConfigEdit[]; issues: FormIssue[]; table: ServerTable } {
  const { table, issues } = formToTable(form, original);
  const name = form.name.trim();
  if (!name) issues.push({ field: 'name', severity: 'error', message: 'name: enter a server name (letters, digits, "-", "_", ":", "@", "/", ".").' });
  else if (!isValidServerName(name)) issues.push({ field: 'name', severity: 'error', message: `name: "${name}" has characters Codex does not accept; use letters, digits, "-", "_", ":", "@", "/" or ".".` });
  if (issues.some((i) => i.severity === 'error')) return { edits: [], issues, table };
  if (!original) return { edits: [{ kind: 'add', name, table }], issues, table };

  const edits: ConfigEdit[] = [];
  if (name !== original.name) edits.push({ kind: 'rename', from: original.name, to: name });
  const before = entryToForm(original);
  const beforeTable = formToTable(before, original).table;
  const set: Record<string, TomlValue | null> = {};
  const switched = before.transport !== form.transport;
  const mine = form.transport === 'stdio' ? STDIO_FIELDS : HTTP_FIELDS;
  const other = form.transport === 'stdio' ? HTTP_FIELDS : STDIO_FIELDS;
  if (switched) for (const k of other) if (k in original.raw) set[k] = null;
  for (const k of [...mine, ...COMMON_FIELDS]) {
    const forced = switched && (mine as readonly string[]).includes(k);
    if (!forced && same(table[k], beforeTable[k])) continue;
    if (k === 'enabled') {
      set.enabled = form.enabled ? ('enabled' in original.raw ? true : null) : false;
      continue;
    }
    set[k] = table[k] ?? null;
    // One spelling of the startup timeout: a new seconds value replaces the millisecond key.
    if (k === 'startup_timeout_sec' && 'startup_timeout_ms' in original.raw) set.startup_timeout_ms = null;
  }
  if (Object.keys(set).length) edits.push({ kind: 'update', name, set });
  return { edits, issues, table };
}

/** Places a validation issue of `mcp_servers.NAME.KEY...` on the form field that edits KEY. */
export function toFormIssue(issue: Issue, transport: ServerForm['transport']): FormIssue {
  const key = issue.path[2] ?? '';
  let field: string = key === 'startup_timeout_ms' ? 'startup_timeout_sec' : key;
  // "neither command nor url": the field the chosen transport needs.
  if (key === '' && issue.severity === 'error') field = transport === 'stdio' ? 'command' : 'url';
  const out: FormIssue = { field, message: issue.message, severity: issue.severity };
  if (issue.line !== undefined) out.line = issue.line;
  if (issue.column !== undefined) out.column = issue.column;
  return out;
}
