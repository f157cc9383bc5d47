/**
 * MCP Servers settings page: the servers of every Codex config file (status, transport, file), a form
 * per server with inline validation answered by the host, masked env / header values with a
 * per-row Reveal, Save / Revert / Remove, and "Test connection", whose tool list fills the
 * allow / deny lists. @vscode-elements controls; everything the page knows is in one {@link PageState};
 * requests to the host (validate, save, remove, test) go through ../shared/requests.
 */
import '@vscode/codicons/dist/codicon.css';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import { PageRequests } from '../shared/requests';
import { el } from '../shared/theme';
import { panelChannel } from '../shared/vscode-api';
import { emptyForm } from './empty-form';
import { button, listField, mapField, row, textField, toolPicker, type Checkbox, type FieldHost, type TextControl } from './fields';
import { type FileView, type FormIssue, type MapField, type McpAnswer, type McpHostMessage, type McpPageMessage, type McpPageState, type McpRequest, type ServerForm, type ServerView } from './protocol';

/** A text control of @vscode-elements (vscode-textfield, vscode-textarea, vscode-single-select). */
/** A request as the page writes it: {@link PageRequests} adds its `seq`. */
type RequestBody<R = McpRequest> = R extends unknown ? Omit<R, 'seq'> : never;

type TestOutcome =
  | { kind: 'none' }
  | { kind: 'running' }
  | { kind: 'ok'; text: string }
  | { kind: 'failed'; error: string; stderrTail?: string };

/** Everything the page knows; rendering reads it, message handlers and controls change it. */
interface PageState {
  files: FileView[];
  /** The server shown (name null: a new server form for that file); saved for the serializer. */
  selected: McpPageState['selected'];
  /** The form as last loaded or saved (Revert goes back to it), and the one being edited. */
  base: ServerForm | undefined;
  form: ServerForm | undefined;
  issues: FormIssue[];
  /** Tools listed by the last successful test (the allow / deny picker). */
  testedTools: { name: string; description?: string }[];
  test: TestOutcome;
  /** A file changed on disk while the form had unsaved edits. */
  changedFile: string | undefined;
  /** A question shown in the page: webviews are sandboxed without modals, so window.confirm() always says no. */
  confirm: { text: string; yes: string; onYes: () => void } | undefined;
  /** The last save / test outcome line; kept across re-renders. */
  status: { text: string; error: boolean };
  validateTimer: number | undefined;
}

const channel = panelChannel<McpPageMessage, McpHostMessage, McpPageState>();
const requests = new PageRequests<McpAnswer & { seq: number }>();
const app = document.getElementById('app')!;

const state: PageState = {
  files: [],
  selected: channel.state()?.selected,
  base: undefined,
  form: undefined,
  issues: [],
  testedTools: [],
  test: { kind: 'none' },
  changedFile: undefined,
  confirm: undefined,
  status: { text: '', error: false },
  validateTimer: undefined,
};

const dirty = (): boolean => JSON.stringify(state.form) !== JSON.stringify(state.base);
const post = (m: McpPageMessage): void => channel.post(m);

function currentFile(): FileView | undefined {
  return state.files.find((f) => f.path === state.selected?.file);
}

function select(file: string, name: string | null): void {
  // A validation still pending for the previous selection (e.g. of a new server just saved, which
  // would now "already exist") must not land on this one.
  window.clearTimeout(state.validateTimer);
  requests.supersede();
  state.selected = { file, name };
  channel.saveState({ selected: state.selected });
  const server = currentFile()?.servers.find((s) => s.name === name);
  state.base = server ? structuredClone(server.form) : name === null ? emptyForm() : undefined;
  state.form = state.base ? structuredClone(state.base) : undefined;
  state.issues = server?.issues ?? [];
  state.testedTools = [];
  state.test = { kind: 'none' };
  render();
}

// ---------------------------------------------------------------------------------------------
// Requests and messages

/** Sends a request; its answer (or the host's error for it) is handled by `onAnswer`. */
function request(message: RequestBody, onAnswer: (answer: McpAnswer & { seq: number }) => void): void {
  void requests.send((m) => post(m as McpPageMessage), message).then((answer) => {
    if (answer.type === 'error') setStatus(answer.message, true);
    else onAnswer(answer);
  });
}

/** The answer to a save or remove. */
function onSaved(answer: McpAnswer): void {
  if (answer.type === 'saved') setStatus(answer.removed ? `Removed ${answer.name} from ${answer.file}.` : `Saved ${answer.name} to ${answer.file}.`);
  else if (answer.type === 'saveFailed') {
    state.issues = answer.issues;
    renderIssues();
    setStatus(answer.message, true);
    if (answer.conflict) showChanged(state.selected?.file ?? '');
  }
}

function scheduleValidate(): void {
  window.clearTimeout(state.validateTimer);
  state.validateTimer = window.setTimeout(() => {
    const { form, selected } = state;
    if (!form || !selected) return;
    request({ type: 'validate', file: selected.file, originalName: selected.name, form }, (answer) => {
      if (answer.type !== 'validation' || !requests.isLatest(answer.seq)) return;
      state.issues = answer.issues;
      renderIssues();
    });
  }, 250);
}

channel.onMessage((msg) => {
  if (requests.settle(msg)) return;
  switch (msg.type) {
    case 'state': {
      state.files = msg.files;
      const target = msg.focus ?? state.selected;
      const file = state.files.find((f) => f.path === target?.file) ?? state.files[0];
      const keep = target && file?.path === target.file && (target.name === null || file.servers.some((s) => s.name === target.name));
      if (keep && !msg.focus && state.form && dirty()) render();
      else if (keep) select(target.file, target.name);
      else if (file) select(file.path, file.servers[0]?.name ?? null);
      else render();
      break;
    }
    case 'revealed': {
      const { form, base, selected } = state;
      if (form && selected?.file === msg.file && selected.name === msg.name) {
        const row = form[msg.field].find((r) => r.key === msg.key && r.value === undefined);
        if (row) {
          row.value = msg.value;
          if (base) for (const r of base[msg.field]) if (r.key === msg.key && r.value === undefined) r.value = msg.value;
          render();
        }
      }
      break;
    }
    case 'changedOnDisk':
      if (state.form && dirty()) showChanged(msg.file);
      else post({ type: 'reload' });
      break;
    case 'error':
      setStatus(msg.message, true);
      break;
  }
});

function setStatus(text: string, error = false): void {
  state.status = { text, error };
  const box = document.getElementById('status');
  if (!box) return;
  box.textContent = text;
  box.className = error ? 'status error' : 'status';
  if (text) box.scrollIntoView({ block: 'nearest' });
}

function showChanged(file: string): void {
  state.changedFile = file;
  render();
}

function ask(text: string, yes: string, onYes: () => void): void {
  state.confirm = { text, yes, onYes };
  render();
  document.getElementById('confirm-yes')?.focus();
}

// ---------------------------------------------------------------------------------------------
// Rendering

function render(): void {
  app.replaceChildren(el('div', { class: 'layout' }, renderList(), el('main', { class: 'editor' }, ...renderEditor())));
  renderIssues();
  renderTest();
}

function statusBadge(s: ServerView): HTMLElement {
  const text = !s.enabled ? 'disabled' : s.status === 'ok' ? 'ok' : s.status;
  return el('span', { class: `badge ${s.enabled ? s.status : 'off'}`, title: s.issues.map((i) => i.message).join('\n') || undefined }, text);
}

function renderList(): HTMLElement {
  const nav = el('nav', { class: 'files', 'aria-label': 'Config files' });
  for (const f of state.files) {
    const actions = el('div', { class: 'file-actions' });
    if (!f.parseError) {
      actions.append(
        button('Add server', { secondary: '', icon: 'add', 'data-add': f.path, title: `Add a server to ${f.path}` }, () => {
          setStatus('');
          select(f.path, null);
        }),
      );
    }
    if (f.exists) actions.append(button('Open file', { secondary: '', icon: 'go-to-file', title: f.path }, () => post({ type: 'openFile', file: f.path })));
    nav.append(el('div', { class: 'file-head' }, el('div', { class: 'file-label', title: f.path }, f.label), actions));
    if (f.kind === 'workspace' && f.exists && f.trusted === false) nav.append(el('div', { class: 'note' }, 'Codex reads this file only when the project is trusted.'));
    if (f.parseError) {
      nav.append(el('div', { class: 'parse-error', role: 'alert' }, `Invalid TOML at line ${f.parseError.line}, column ${f.parseError.column}: ${f.parseError.message}`));
      continue;
    }
    if (!f.servers.length) nav.append(el('div', { class: 'note' }, f.exists ? 'No MCP servers.' : 'File does not exist yet.'));
    const list = el('ul', { class: 'servers' });
    for (const s of f.servers) {
      const active = state.selected?.file === f.path && state.selected.name === s.name;
      const item = el(
        'li',
        { class: active ? 'server active' : 'server', tabindex: '0', 'data-server': s.name, 'aria-current': active ? 'true' : undefined },
        el('span', { class: 'server-name' }, s.name),
        el('span', { class: 'transport' }, s.transport === 'streamable_http' ? 'http' : s.transport),
        statusBadge(s),
      );
      const choose = () => {
        const go = () => {
          setStatus('');
          select(f.path, s.name);
        };
        if (state.form && dirty()) ask(`Discard your unsaved changes to ${state.selected?.name ?? 'the new server'}?`, 'Discard', go);
        else go();
      };
      item.addEventListener('click', choose);
      item.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') choose();
      });
      list.append(item);
    }
    nav.append(list);
  }
  return nav;
}

function renderBanners(): Node[] {
  const out: Node[] = [];
  const q = state.confirm;
  if (q) {
    const yes = button(q.yes, { id: 'confirm-yes' }, () => {
      state.confirm = undefined;
      q.onYes();
      render();
    });
    const no = button('Cancel', { id: 'confirm-no', secondary: '' }, () => {
      state.confirm = undefined;
      render();
    });
    out.push(el('div', { class: 'banner', role: 'alertdialog', 'aria-label': q.text }, q.text, yes, no));
  }
  if (state.changedFile) {
    const reload = button('Reload', { id: 'changed-reload' }, () => {
      state.changedFile = undefined;
      state.base = undefined;
      state.form = undefined;
      post({ type: 'reload' });
    });
    const keep = button('Keep editing', { id: 'changed-keep', secondary: '' }, () => {
      state.changedFile = undefined;
      render();
    });
    out.push(
      el('div', { class: 'banner', role: 'alert' }, `${state.changedFile} changed on disk. Reload it (your unsaved edits are dropped), or keep editing (saving will be refused until you reload).`, reload, keep),
    );
  }
  return out;
}

function renderEditor(): Node[] {
  const out = renderBanners();
  const file = currentFile();
  const { form: f, selected } = state;
  if (!file || !f || !selected) {
    out.push(el('p', { class: 'note' }, state.files.length ? 'Select a server, or add one.' : 'Loading…'));
    return out;
  }
  if (file.parseError) {
    const open = button(`Open at line ${file.parseError.line}`, { id: 'open-error' }, () => post({ type: 'openFile', file: file.path }));
    out.push(el('p', { class: 'parse-error' }, `${file.path} is not valid TOML (line ${file.parseError.line}, column ${file.parseError.column}); fix it in the editor. Nothing is written until then.`), open);
    return out;
  }
  const isNew = selected.name === null;
  out.push(el('h2', {}, isNew ? `New server in ${file.label}` : (selected.name ?? '')), el('div', { class: 'file-path' }, file.path));
  out.push(el('div', { class: 'field-error', 'data-for': '' }));

  out.push(textField(fieldHost, 'name', 'Name', f.name, (v) => (f.name = v), 'Key under [mcp_servers]: letters, digits, "-", "_", ":", "@", "/", "."'));
  const transport = el('vscode-single-select', { id: 'f-transport', 'aria-label': 'Transport' }) as TextControl;
  const option = (value: ServerForm['transport'], text: string) => el('vscode-option', { value, selected: value === f.transport ? '' : undefined }, text);
  transport.append(option('stdio', 'stdio (command)'), option('streamable_http', 'streamable HTTP (url)'));
  transport.addEventListener('change', () => {
    if (transport.value === f.transport) return;
    f.transport = transport.value as ServerForm['transport'];
    changed(true);
  });
  out.push(row('transport', 'Transport', transport));
  if (f.transport === 'stdio') {
    out.push(textField(fieldHost, 'command', 'Command', f.command, (v) => (f.command = v), 'Program to start, e.g. npx'));
    out.push(listField(fieldHost, 'args', 'Arguments', f.args, (v) => (f.args = v), 'One argument per line'));
    out.push(mapField(fieldHost, f, 'env', 'Environment', 'Value'));
    out.push(listField(fieldHost, 'env_vars', 'Copy from environment', f.env_vars, (v) => (f.env_vars = v), 'Variable names passed from Codex’s environment, one per line'));
    out.push(textField(fieldHost, 'cwd', 'Working directory', f.cwd, (v) => (f.cwd = v), 'Empty: Codex’s working directory'));
  } else {
    out.push(textField(fieldHost, 'url', 'URL', f.url, (v) => (f.url = v), 'e.g. http://127.0.0.1:8765/mcp'));
    out.push(textField(fieldHost, 'bearer_token_env_var', 'Bearer token variable', f.bearer_token_env_var, (v) => (f.bearer_token_env_var = v), 'Name of the environment variable holding the token (never the token)'));
    out.push(mapField(fieldHost, f, 'http_headers', 'HTTP headers', 'Value'));
    out.push(mapField(fieldHost, f, 'env_http_headers', 'Headers from environment', 'Variable'));
  }
  out.push(textField(fieldHost, 'startup_timeout_sec', 'Startup timeout (s)', f.startup_timeout_sec, (v) => (f.startup_timeout_sec = v), 'Empty: 10 s'));
  out.push(textField(fieldHost, 'tool_timeout_sec', 'Tool timeout (s)', f.tool_timeout_sec, (v) => (f.tool_timeout_sec = v), 'Empty: 60 s'));
  const enabled = el('vscode-checkbox', { id: 'f-enabled', label: 'Codex starts this server', checked: f.enabled ? '' : undefined }) as Checkbox;
  enabled.addEventListener('change', () => {
    f.enabled = enabled.checked;
    changed();
  });
  out.push(row('enabled', 'Enabled', enabled));
  out.push(listField(fieldHost, 'enabled_tools', 'Allowed tools', f.enabled_tools ?? [], (v) => (f.enabled_tools = v.length ? v : null), 'Empty: every tool; one name per line'));
  out.push(listField(fieldHost, 'disabled_tools', 'Denied tools', f.disabled_tools ?? [], (v) => (f.disabled_tools = v.length ? v : null), 'One name per line'));
  if (state.testedTools.length) out.push(toolPicker(fieldHost, f, state.testedTools));

  const target = { file: selected.file, originalName: selected.name };
  const buttons = el(
    'div',
    { class: 'buttons' },
    button('Save', { id: 'save', icon: 'save' }, () => request({ type: 'save', ...target, form: f }, onSaved)),
    button('Revert', { id: 'revert', secondary: '', icon: 'discard' }, () => {
      state.form = state.base ? structuredClone(state.base) : undefined;
      render();
      scheduleValidate();
    }),
    button('Test connection', { id: 'test', secondary: '', icon: 'plug' }, () => {
      state.test = { kind: 'running' };
      renderTest();
      request({ type: 'test', ...target, form: f }, (answer) => {
        if (answer.type === 'testResult') showTest(answer);
      });
    }),
  );
  const name = selected.name;
  if (name !== null) {
    buttons.append(
      button('Remove', { id: 'remove', secondary: '', icon: 'trash', class: 'danger' }, () =>
        ask(`Remove ${name} from ${selected.file}? A backup is kept as ${selected.file}.bak.`, 'Remove', () => request({ type: 'remove', file: selected.file, name }, onSaved)),
      ),
    );
  }
  out.push(buttons, el('div', { id: 'status', class: state.status.error ? 'status error' : 'status', role: 'status' }, state.status.text), el('div', { id: 'test-result', role: 'status' }));
  return out;
}

function changed(rerender = false): void {
  if (rerender) render();
  scheduleValidate();
}

/** The form controls' view of the page (./fields). */
const fieldHost: FieldHost = {
  changed,
  get reveal() {
    const selected = state.selected;
    const name = selected?.name;
    return selected && name ? (field: MapField, key: string) => post({ type: 'reveal', file: selected.file, name, field, key }) : undefined;
  },
};

function showTest(r: Extract<McpHostMessage, { type: 'testResult' }>): void {
  if (r.ok) {
    state.testedTools = r.tools;
    const who = r.serverInfo ? `${r.serverInfo.name} ${r.serverInfo.version}` : 'the server';
    state.test = { kind: 'ok', text: `Connected to ${who} in ${r.durationMs} ms: ${r.tools.length} tool(s). Tick Allow / Deny below the lists to filter them.` };
    render();
  } else {
    state.test = { kind: 'failed', error: r.error ?? 'unknown error', stderrTail: r.stderrTail };
    renderTest();
  }
  document.getElementById('test-result')?.scrollIntoView({ block: 'nearest' });
}

function renderTest(): void {
  const box = document.getElementById('test-result');
  if (!box) return;
  const t = state.test;
  if (t.kind === 'none') box.replaceChildren();
  else if (t.kind === 'running') box.replaceChildren(el('span', { class: 'note' }, 'Connecting…'));
  else if (t.kind === 'ok') box.replaceChildren(el('div', { class: 'ok' }, t.text));
  else box.replaceChildren(el('div', { class: 'error' }, `Test failed: ${t.error}`), t.stderrTail ? el('pre', { class: 'stderr', 'aria-label': 'Server stderr' }, t.stderrTail) : '');
}

function renderIssues(): void {
  for (const box of Array.from(document.querySelectorAll<HTMLElement>('.field-error'))) {
    const field = box.dataset.for ?? '';
    const mine = state.issues.filter((i) => i.field === field || (field === '' && !document.querySelector(`.field-error[data-for="${CSS.escape(i.field)}"]`)));
    box.replaceChildren(...mine.map((i) => el('div', { class: i.severity }, i.line ? `${i.message} (line ${i.line}, column ${i.column ?? 1})` : i.message)));
    // @vscode-elements controls show an error border with their `invalid` attribute.
    document.getElementById(`f-${field}`)?.toggleAttribute('invalid', mine.some((i) => i.severity === 'error'));
  }
}

render();
post({ type: 'ready' });
