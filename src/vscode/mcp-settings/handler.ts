/**
 * The host side of the MCP Servers settings page, without `vscode` (unit tested with plain mocha):
 * reads the config files, answers validation, saves a form as edits of its own table only (atomic
 * write with a backup, refused when the file changed since it was read), removes servers, tests a
 * connection, and reveals one masked value at a time. Values of env / headers are never logged.
 */
import {
  analyzeConfigText,
  applyEdit,
  ConfigConflictError,
  ConfigEditError,
  ConfigParseError,
  loadConfigFile,
  writeConfigFile,
  type ConfigFileRef,
  type LoadedConfig,
  type McpServerEntry,
  type TestConnectionResult,
} from '../../config';
import type { ConnectionTarget, TestConnectionOptions } from '../../config';
import type { Logger } from '../../util/log';
import { type FileView, type FormIssue, type McpHostMessage, type ServerForm, type ServerView } from '../../webviews/mcp-settings/protocol';
import { parseMcpPageMessage } from '../../webviews/mcp-settings/schema';
import { answerTo, type RequestId } from '../../webviews/shared/requests';
import { entryToForm, formToEdits, formToTable, mapOf, toFormIssue } from './form';

export interface McpSettingsDeps {
  /** The candidate config files in precedence order (see findConfigFiles). */
  files(): Promise<ConfigFileRef[]>;
  post(message: McpHostMessage): void;
  /** Opens the file in an editor, at `line` (1-based) when given. */
  openFile(file: string, line?: number): Promise<void>;
  logger: Logger;
  /** Environment for `env_vars` / `bearer_token_env_var` when testing. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * src/config/connection.ts `testConnection`. Injected because it pulls in the MCP SDK client:
   * the extension loads it on first use (../load-on-demand), the unit tests import it directly.
   */
  testConnection: (target: ConnectionTarget, options: TestConnectionOptions) => Promise<TestConnectionResult>;
}

export class McpSettingsHandler {
  /** Each file as last shown to the page: saves are checked against these bytes. */
  private readonly loaded = new Map<string, LoadedConfig>();
  private refs: ConfigFileRef[] = [];
  private ready = false;
  private focus: { file: string; name: string | null } | undefined;

  constructor(private readonly deps: McpSettingsDeps) {}

  /** Files the panel should watch for external changes. */
  watchedFiles(): string[] {
    return this.refs.map((r) => r.path);
  }

  /**
   * Handles one page message.
   * @throws Error when `raw` is not a valid page message (the panel reports it).
   */
  async handle(raw: unknown): Promise<void> {
    const msg = parseMcpPageMessage(raw);
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        return this.postState();
      case 'reload':
        return this.postState();
      case 'validate':
        return this.deps.post(answerTo(msg, { type: 'validation', issues: this.check(msg.file, msg.originalName, msg.form).issues }));
      case 'save':
        return this.save(msg, msg.file, msg.originalName, msg.form);
      case 'remove':
        return this.remove(msg, msg.file, msg.name);
      case 'test':
        return this.test(msg, msg.file, msg.originalName, msg.form);
      case 'reveal': {
        const entry = this.entry(msg.file, msg.name);
        const value = mapOf(entry, msg.field)[msg.key];
        if (value !== undefined) this.deps.post({ type: 'revealed', file: msg.file, name: msg.name, field: msg.field, key: msg.key, value });
        return;
      }
      case 'openFile': {
        const error = this.loaded.get(msg.file)?.parseError;
        return this.deps.openFile(msg.file, error?.line);
      }
    }
  }

  /** Selects `name` of `file` (null: a new server form) once the page shows the files. */
  async showServer(file: string, name: string | null): Promise<void> {
    this.focus = { file, name };
    if (this.ready) await this.postState();
  }

  /**
   * A watched file changed on disk. When its bytes differ from what the page shows, tells the page
   * (which reloads, or asks first when a form has unsaved edits).
   */
  async fileChanged(file: string): Promise<void> {
    const shown = this.loaded.get(file);
    if (!shown || !this.ready) return;
    const now = await loadConfigFile(file, { kind: shown.kind });
    if (now.hash !== shown.hash) this.deps.post({ type: 'changedOnDisk', file });
  }

  dispose(): void {
    this.ready = false;
  }

  private entry(file: string, name: string | null): McpServerEntry | null {
    if (name === null) return null;
    return this.loaded.get(file)?.servers.find((s) => s.name === name) ?? null;
  }

  async postState(): Promise<void> {
    this.refs = await this.deps.files();
    const files: FileView[] = [];
    this.loaded.clear();
    for (const ref of this.refs) {
      const loaded = await loadConfigFile(ref.path, { kind: ref.kind });
      this.loaded.set(ref.path, loaded);
      const view: FileView = { path: ref.path, label: ref.label, kind: ref.kind, exists: loaded.exists, servers: loaded.servers.map(serverView) };
      if (ref.trusted !== undefined) view.trusted = ref.trusted;
      if (loaded.parseError) view.parseError = { line: loaded.parseError.line, column: loaded.parseError.column, message: loaded.parseError.message };
      files.push(view);
    }
    const focus = this.focus;
    this.focus = undefined;
    this.deps.post(focus ? { type: 'state', files, focus } : { type: 'state', files });
  }

  /** The file's new text with the form applied, or the reasons it cannot be written. */
  private check(file: string, originalName: string | null, form: ServerForm): { text?: string; issues: FormIssue[]; loaded?: LoadedConfig } {
    const loaded = this.loaded.get(file);
    if (!loaded) return { issues: [{ field: '', severity: 'error', message: `${file} is not one of the MCP config files; reload the page.` }] };
    if (loaded.parseError) {
      const e = loaded.parseError;
      return { loaded, issues: [{ field: '', severity: 'error', message: e.message, line: e.line, column: e.column }] };
    }
    const original = this.entry(file, originalName);
    if (originalName !== null && !original) return { loaded, issues: [{ field: '', severity: 'error', message: `${originalName} is no longer in ${file}; reload the page.` }] };
    const { edits, issues } = formToEdits(form, original);
    if (issues.some((i) => i.severity === 'error')) return { loaded, issues };
    let text = loaded.text;
    try {
      for (const edit of edits) text = applyEdit(text, edit);
    } catch (e) {
      if (e instanceof ConfigEditError) return { loaded, issues: [...issues, { field: e.code === 'exists' || e.code === 'invalid-name' ? 'name' : '', severity: 'error', message: e.message }] };
      throw e;
    }
    const after = analyzeConfigText(text, file, { kind: loaded.kind });
    const own = after.servers.find((s) => s.name === form.name.trim())?.issues ?? [];
    // Positions in text that is not on disk yet would point nowhere the user can look.
    const unplaced = own.map(({ line: _l, column: _c, ...rest }) => toFormIssue(rest, form.transport));
    return { loaded, text, issues: [...issues, ...unplaced] };
  }

  private async save(request: RequestId, file: string, originalName: string | null, form: ServerForm): Promise<void> {
    const { text, issues, loaded } = this.check(file, originalName, form);
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length || text === undefined || !loaded) {
      this.deps.post(answerTo(request, { type: 'saveFailed', issues, message: `Not saved: ${errors.map((i) => i.message).join(' ') || 'fix the form first.'}` }));
      return;
    }
    const name = form.name.trim();
    try {
      // Known at once, so the watcher's event for this write is not taken for someone else's change.
      if (text !== loaded.text) this.loaded.set(file, await writeConfigFile(loaded, text));
    } catch (e) {
      if (e instanceof ConfigConflictError) {
        this.deps.post(answerTo(request, { type: 'saveFailed', issues: [], conflict: true, message: e.message }));
        return;
      }
      if (e instanceof ConfigParseError) {
        this.deps.post(answerTo(request, { type: 'saveFailed', issues: [{ field: '', severity: 'error', message: e.message, line: e.line, column: e.column }], message: e.message }));
        return;
      }
      throw e;
    }
    this.deps.logger.info(`MCP settings: saved server ${name} in ${file}.`);
    this.focus = { file, name };
    this.deps.post(answerTo(request, { type: 'saved', file, name }));
    await this.postState();
  }

  private async remove(request: RequestId, file: string, name: string): Promise<void> {
    const loaded = this.loaded.get(file);
    if (!loaded || loaded.parseError) {
      this.deps.post(answerTo(request, { type: 'saveFailed', issues: [], message: loaded?.parseError?.message ?? `${file} is not one of the MCP config files; reload the page.` }));
      return;
    }
    try {
      this.loaded.set(file, await writeConfigFile(loaded, applyEdit(loaded.text, { kind: 'remove', name })));
    } catch (e) {
      if (e instanceof ConfigConflictError || e instanceof ConfigEditError) {
        this.deps.post(answerTo(request, { type: 'saveFailed', issues: [], conflict: e instanceof ConfigConflictError, message: e.message }));
        return;
      }
      throw e;
    }
    this.deps.logger.info(`MCP settings: removed server ${name} from ${file}.`);
    this.deps.post(answerTo(request, { type: 'saved', file, name, removed: true }));
    await this.postState();
  }

  private async test(request: RequestId, file: string, originalName: string | null, form: ServerForm): Promise<void> {
    const { table, issues } = formToTable(form, this.entry(file, originalName));
    const fail = (error: string) => this.deps.post(answerTo(request, { type: 'testResult', ok: false, tools: [], error, durationMs: 0 }));
    if (issues.some((i) => i.severity === 'error')) return fail(issues.map((i) => i.message).join(' '));
    const name = form.name.trim() || 'server';
    // The tested server is the one the form describes, parsed the way Codex would read it.
    let entry: McpServerEntry | undefined;
    try {
      entry = analyzeConfigText(applyEdit('', { kind: 'add', name: /^[A-Za-z0-9_-]+$/.test(name) ? name : 'server', table }), file).servers[0];
    } catch (e) {
      return fail((e as Error).message);
    }
    const invalid = entry?.issues.find((i) => i.severity === 'error');
    if (!entry || invalid) return fail(invalid?.message ?? 'the form does not describe a server.');
    const run = this.deps.testConnection;
    const result = await run({ name, transport: entry.transport, startup_timeout_sec: entry.startup_timeout_sec }, { env: this.deps.env });
    this.deps.logger.info(`MCP settings: test connection of ${name}: ${result.ok ? `${result.tools.length} tool(s)` : 'failed'} in ${result.durationMs} ms.`);
    this.deps.post(answerTo(request, { type: 'testResult', ...result }));
  }
}

function serverView(entry: McpServerEntry): ServerView {
  const form = entryToForm(entry);
  const issues = entry.issues.map((i) => toFormIssue(i, form.transport));
  const status = issues.some((i) => i.severity === 'error') ? 'error' : issues.length ? 'warning' : 'ok';
  return { name: entry.name, transport: entry.transport?.type ?? 'invalid', enabled: entry.enabled, status, form, issues };
}
