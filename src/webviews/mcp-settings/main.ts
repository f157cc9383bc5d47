/**
 * MCP Servers settings page: the servers of every Codex config file (status, transport, file), a form
 * per server with inline validation answered by the host, masked env / header values with a
 * per-row Reveal, Save / Revert / Remove, and "Test connection", whose tool list fills the
 * allow / deny lists. Plain form controls styled with the theme's CSS variables.
 */
import './styles.css';
import { panelChannel } from '../shared/vscode-api';
import { emptyForm } from './empty-form';
import { MASK, type FileView, type FormIssue, type MapField, type MapRow, type McpHostMessage, type McpPageMessage, type McpPageState, type ServerForm, type ServerView } from './protocol';

const channel = panelChannel<McpPageMessage, McpHostMessage, McpPageState>();
const app = document.getElementById('app')!;

type Attrs = Record<string, string | undefined>;
function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

let files: FileView[] = [];
let selected: McpPageState['selected'] = channel.state()?.selected;
/** The form as last loaded or saved (Revert goes back to it), and the one being edited. */
let base: ServerForm | undefined;
let form: ServerForm | undefined;
let issues: FormIssue[] = [];
let seq = 0;
let validateTimer: number | undefined;
let testedTools: { name: string; description?: string }[] = [];
let testBox: HTMLElement = el('div');
let pendingChange: string | undefined;
/** A question shown in the page: webviews are sandboxed without modals, so window.confirm() always says no. */
let pendingConfirm: { text: string; yes: string; onYes: () => void } | undefined;
/** The last save / test outcome line; kept across re-renders. */
let status = { text: '', error: false };

const dirty = (): boolean => JSON.stringify(form) !== JSON.stringify(base);
const post = (m: McpPageMessage): void => channel.post(m);

function currentFile(): FileView | undefined {
  return files.find((f) => f.path === selected?.file);
}

function select(file: string, name: string | null): void {
  // A validation still pending for the previous selection (e.g. of a new server just saved, which
  // would now "already exist") must not land on this one.
  window.clearTimeout(validateTimer);
  seq++;
  selected = { file, name };
  channel.saveState({ selected });
  const server = currentFile()?.servers.find((s) => s.name === name);
  base = server ? structuredClone(server.form) : name === null ? emptyForm() : undefined;
  form = base ? structuredClone(base) : undefined;
  issues = server?.issues ?? [];
  testedTools = [];
  testBox = el('div', { id: 'test-result', role: 'status' });
  render();
}

channel.onMessage((msg) => {
  switch (msg.type) {
    case 'state': {
      files = msg.files;
      const target = msg.focus ?? selected;
      const file = files.find((f) => f.path === target?.file) ?? files[0];
      const keep = target && file?.path === target.file && (target.name === null || file.servers.some((s) => s.name === target.name));
      if (keep && !msg.focus && form && dirty()) render();
      else if (keep) select(target.file, target.name);
      else if (file) select(file.path, file.servers[0]?.name ?? null);
      else render();
      break;
    }
    case 'validation':
      if (msg.seq === seq) {
        issues = msg.issues;
        renderIssues();
      }
      break;
    case 'saved':
      setStatus(msg.removed ? `Removed ${msg.name} from ${msg.file}.` : `Saved ${msg.name} to ${msg.file}.`);
      break;
    case 'saveFailed':
      issues = msg.issues;
      renderIssues();
      setStatus(msg.message, true);
      if (msg.conflict) showChanged(selected?.file ?? '');
      break;
    case 'testResult':
      showTest(msg);
      break;
    case 'revealed':
      if (form && selected?.file === msg.file && selected.name === msg.name) {
        const row = form[msg.field].find((r) => r.key === msg.key && r.value === undefined);
        if (row) {
          row.value = msg.value;
          if (base) for (const r of base[msg.field]) if (r.key === msg.key && r.value === undefined) r.value = msg.value;
          render();
        }
      }
      break;
    case 'changedOnDisk':
      if (form && dirty()) showChanged(msg.file);
      else post({ type: 'reload' });
      break;
    case 'error':
      setStatus(msg.message, true);
      break;
  }
});

function setStatus(text: string, error = false): void {
  status = { text, error };
  const box = document.getElementById('status');
  if (!box) return;
  box.textContent = text;
  box.className = error ? 'status error' : 'status';
  if (text) box.scrollIntoView({ block: 'nearest' });
}

function showChanged(file: string): void {
  pendingChange = file;
  render();
}

function scheduleValidate(): void {
  window.clearTimeout(validateTimer);
  validateTimer = window.setTimeout(() => {
    if (!form || !selected) return;
    post({ type: 'validate', seq: ++seq, file: selected.file, originalName: selected.name, form });
  }, 250);
}

// ---------------------------------------------------------------------------------------------
// Rendering

function render(): void {
  app.replaceChildren(el('div', { class: 'layout' }, renderList(), el('main', { class: 'editor' }, ...renderEditor())));
  renderIssues();
}

function statusBadge(s: ServerView): HTMLElement {
  const text = !s.enabled ? 'disabled' : s.status === 'ok' ? 'ok' : s.status;
  return el('span', { class: `badge ${s.enabled ? s.status : 'off'}`, title: s.issues.map((i) => i.message).join('\n') || undefined }, text);
}

function renderList(): HTMLElement {
  const nav = el('nav', { class: 'files', 'aria-label': 'Config files' });
  for (const f of files) {
    const head = el('div', { class: 'file-head' }, el('div', { class: 'file-label', title: f.path }, f.label));
    const actions = el('div', { class: 'file-actions' });
    const add = el('button', { class: 'link', 'data-add': f.path, title: `Add a server to ${f.path}` }, '+ Add server');
    add.addEventListener('click', () => {
      setStatus('');
      select(f.path, null);
    });
    const open = el('button', { class: 'link', title: f.path }, f.exists ? 'Open file' : 'Create file');
    open.addEventListener('click', () => post({ type: 'openFile', file: f.path }));
    if (!f.parseError) actions.append(add);
    if (f.exists) actions.append(open);
    head.append(actions);
    nav.append(head);
    if (f.kind === 'workspace' && f.exists && f.trusted === false) nav.append(el('div', { class: 'note' }, 'Codex reads this file only when the project is trusted.'));
    if (f.parseError) {
      nav.append(el('div', { class: 'parse-error', role: 'alert' }, `Invalid TOML at line ${f.parseError.line}, column ${f.parseError.column}: ${f.parseError.message}`));
      continue;
    }
    if (!f.servers.length) nav.append(el('div', { class: 'note' }, f.exists ? 'No MCP servers.' : 'File does not exist yet.'));
    const list = el('ul', { class: 'servers' });
    for (const s of f.servers) {
      const active = selected?.file === f.path && selected.name === s.name;
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
        if (form && dirty()) ask(`Discard your unsaved changes to ${selected?.name ?? 'the new server'}?`, 'Discard', go);
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

function ask(text: string, yes: string, onYes: () => void): void {
  pendingConfirm = { text, yes, onYes };
  render();
  document.getElementById('confirm-yes')?.focus();
}

function renderEditor(): Node[] {
  const out: Node[] = [];
  if (pendingConfirm) {
    const q = pendingConfirm;
    const yes = el('button', { id: 'confirm-yes' }, q.yes);
    const no = el('button', { class: 'secondary', id: 'confirm-no' }, 'Cancel');
    yes.addEventListener('click', () => {
      pendingConfirm = undefined;
      q.onYes();
      render();
    });
    no.addEventListener('click', () => {
      pendingConfirm = undefined;
      render();
    });
    out.push(el('div', { class: 'banner', role: 'alertdialog', 'aria-label': q.text }, q.text, yes, no));
  }
  if (pendingChange) {
    const reload = el('button', { id: 'changed-reload' }, 'Reload');
    const keep = el('button', { class: 'secondary', id: 'changed-keep' }, 'Keep editing');
    reload.addEventListener('click', () => {
      pendingChange = undefined;
      base = undefined;
      form = undefined;
      post({ type: 'reload' });
    });
    keep.addEventListener('click', () => {
      pendingChange = undefined;
      render();
    });
    out.push(el('div', { class: 'banner', role: 'alert' }, `${pendingChange} changed on disk. Reload it (your unsaved edits are dropped), or keep editing (saving will be refused until you reload).`, reload, keep));
  }
  const file = currentFile();
  if (!file || !form) {
    out.push(el('p', { class: 'note' }, files.length ? 'Select a server, or add one.' : 'Loading…'));
    return out;
  }
  if (file.parseError) {
    const open = el('button', { id: 'open-error' }, `Open at line ${file.parseError.line}`);
    open.addEventListener('click', () => post({ type: 'openFile', file: file.path }));
    out.push(el('p', { class: 'parse-error' }, `${file.path} is not valid TOML (line ${file.parseError.line}, column ${file.parseError.column}); fix it in the editor. Nothing is written until then.`), open);
    return out;
  }
  const f = form;
  const isNew = selected?.name === null;
  out.push(el('h2', {}, isNew ? `New server in ${file.label}` : `${selected?.name ?? ''}`), el('div', { class: 'file-path' }, file.path));
  out.push(el('div', { class: 'field-error', 'data-for': '' }));

  out.push(textField('name', 'Name', f.name, (v) => (f.name = v), 'Key under [mcp_servers]: letters, digits, "-", "_", ":", "@", "/", "."'));
  const transport = el('select', { id: 'f-transport' }, el('option', { value: 'stdio' }, 'stdio (command)'), el('option', { value: 'streamable_http' }, 'streamable HTTP (url)'));
  transport.value = f.transport;
  transport.addEventListener('change', () => {
    f.transport = transport.value as ServerForm['transport'];
    changed(true);
  });
  out.push(row('transport', 'Transport', transport));
  if (f.transport === 'stdio') {
    out.push(textField('command', 'Command', f.command, (v) => (f.command = v), 'Program to start, e.g. npx'));
    out.push(listField('args', 'Arguments', f.args, (v) => (f.args = v), 'One argument per line'));
    out.push(mapField('env', 'Environment', 'Value'));
    out.push(listField('env_vars', 'Copy from environment', f.env_vars, (v) => (f.env_vars = v), 'Variable names passed from Codex’s environment, one per line'));
    out.push(textField('cwd', 'Working directory', f.cwd, (v) => (f.cwd = v), 'Empty: Codex’s working directory'));
  } else {
    out.push(textField('url', 'URL', f.url, (v) => (f.url = v), 'e.g. http://127.0.0.1:8765/mcp'));
    out.push(textField('bearer_token_env_var', 'Bearer token variable', f.bearer_token_env_var, (v) => (f.bearer_token_env_var = v), 'Name of the environment variable holding the token (never the token)'));
    out.push(mapField('http_headers', 'HTTP headers', 'Value'));
    out.push(mapField('env_http_headers', 'Headers from environment', 'Variable'));
  }
  out.push(textField('startup_timeout_sec', 'Startup timeout (s)', f.startup_timeout_sec, (v) => (f.startup_timeout_sec = v), 'Empty: 10 s'));
  out.push(textField('tool_timeout_sec', 'Tool timeout (s)', f.tool_timeout_sec, (v) => (f.tool_timeout_sec = v), 'Empty: 60 s'));
  const enabled = el('input', { type: 'checkbox', id: 'f-enabled' });
  enabled.checked = f.enabled;
  enabled.addEventListener('change', () => {
    f.enabled = enabled.checked;
    changed();
  });
  out.push(row('enabled', 'Enabled', el('label', { class: 'inline' }, enabled, ' Codex starts this server')));
  out.push(listField('enabled_tools', 'Allowed tools', f.enabled_tools ?? [], (v) => (f.enabled_tools = v.length ? v : null), 'Empty: every tool; one name per line'));
  out.push(listField('disabled_tools', 'Denied tools', f.disabled_tools ?? [], (v) => (f.disabled_tools = v.length ? v : null), 'One name per line'));
  if (testedTools.length) out.push(toolPicker());

  const save = el('button', { id: 'save' }, 'Save');
  save.addEventListener('click', () => selected && post({ type: 'save', seq: ++seq, file: selected.file, originalName: selected.name, form: f }));
  const revert = el('button', { id: 'revert', class: 'secondary' }, 'Revert');
  revert.addEventListener('click', () => {
    form = base ? structuredClone(base) : undefined;
    render();
    scheduleValidate();
  });
  const test = el('button', { id: 'test', class: 'secondary' }, 'Test connection');
  test.addEventListener('click', () => {
    if (!selected) return;
    testBox.replaceChildren(el('span', { class: 'note' }, 'Connecting…'));
    post({ type: 'test', seq: ++seq, file: selected.file, originalName: selected.name, form: f });
  });
  const buttons = el('div', { class: 'buttons' }, save, revert, test);
  if (!isNew) {
    const remove = el('button', { id: 'remove', class: 'secondary danger' }, 'Remove');
    remove.addEventListener('click', () => {
      const target = selected;
      if (target?.name) ask(`Remove ${target.name} from ${target.file}? A backup is kept as ${target.file}.bak.`, 'Remove', () => post({ type: 'remove', seq: ++seq, file: target.file, name: target.name! }));
    });
    buttons.append(remove);
  }
  out.push(buttons, el('div', { id: 'status', class: status.error ? 'status error' : 'status', role: 'status' }, status.text), testBox);
  return out;
}

function row(field: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  return el(
    'div',
    { class: 'row' },
    el('label', { for: `f-${field}`, class: 'label' }, label),
    el('div', { class: 'control' }, control, hint ? el('div', { class: 'hint' }, hint) : '', el('div', { class: 'field-error', 'data-for': field, role: 'alert' })),
  );
}

function changed(rerender = false): void {
  if (rerender) render();
  scheduleValidate();
}

function textField(field: string, label: string, value: string, set: (v: string) => void, hint?: string): HTMLElement {
  const input = el('input', { type: 'text', id: `f-${field}`, spellcheck: 'false' });
  input.value = value;
  input.addEventListener('input', () => {
    set(input.value);
    changed();
  });
  return row(field, label, input, hint);
}

function listField(field: string, label: string, value: string[], set: (v: string[]) => void, hint?: string): HTMLElement {
  // One item per line: wrapping would make a long path look like two arguments.
  const area = el('textarea', { id: `f-${field}`, rows: String(Math.max(2, Math.min(8, value.length + 1))), spellcheck: 'false', wrap: 'off' });
  area.value = value.join('\n');
  area.addEventListener('input', () => {
    set(area.value.split('\n').filter((l) => l.trim() !== ''));
    changed();
  });
  return row(field, label, area, hint);
}

function mapField(field: MapField, label: string, valueLabel: string): HTMLElement {
  const f = form!;
  const rows: MapRow[] = f[field];
  const table = el('div', { class: 'map', id: `f-${field}` });
  rows.forEach((r, i) => {
    const key = el('input', { type: 'text', 'aria-label': `${label} name ${i + 1}`, placeholder: 'NAME', spellcheck: 'false' });
    key.value = r.key;
    key.addEventListener('input', () => {
      r.key = key.value;
      changed();
    });
    const cells: HTMLElement[] = [key];
    if (r.value === undefined) {
      cells.push(el('input', { type: 'text', readonly: '', value: MASK, 'aria-label': `${label} value ${i + 1} (hidden)` }));
      const reveal = el('button', { class: 'secondary small', title: 'Show this value' }, 'Reveal');
      reveal.addEventListener('click', () => selected?.name && post({ type: 'reveal', file: selected.file, name: selected.name, field, key: r.key }));
      if (selected?.name) cells.push(reveal);
    } else {
      const value = el('input', { type: 'text', 'aria-label': `${label} value ${i + 1}`, placeholder: valueLabel, spellcheck: 'false' });
      value.value = r.value;
      value.addEventListener('input', () => {
        r.value = value.value;
        changed();
      });
      cells.push(value);
    }
    const del = el('button', { class: 'secondary small', title: 'Delete this row', 'aria-label': `Delete ${label} row ${i + 1}` }, '✕');
    del.addEventListener('click', () => {
      rows.splice(i, 1);
      changed(true);
    });
    cells.push(del);
    table.append(el('div', { class: 'map-row' }, ...cells));
  });
  const add = el('button', { class: 'secondary small' }, `+ Add`);
  add.addEventListener('click', () => {
    rows.push({ key: '', value: '' });
    changed(true);
  });
  table.append(add);
  return row(field, label, table);
}

/** Tools from the last test: ticking Allow / Deny edits the two lists. */
function toolPicker(): HTMLElement {
  const f = form!;
  const box = el('div', { class: 'tools', id: 'tool-picker' });
  for (const t of testedTools) {
    const allow = el('input', { type: 'checkbox', 'aria-label': `Allow ${t.name}` });
    const deny = el('input', { type: 'checkbox', 'aria-label': `Deny ${t.name}` });
    allow.checked = f.enabled_tools?.includes(t.name) ?? false;
    deny.checked = f.disabled_tools?.includes(t.name) ?? false;
    const toggle = (key: 'enabled_tools' | 'disabled_tools', on: boolean) => {
      const list = (f[key] ?? []).filter((n) => n !== t.name);
      if (on) list.push(t.name);
      f[key] = list.length ? list : null;
      changed(true);
    };
    allow.addEventListener('change', () => toggle('enabled_tools', allow.checked));
    deny.addEventListener('change', () => toggle('disabled_tools', deny.checked));
    box.append(el('div', { class: 'tool' }, el('label', { class: 'inline' }, allow, ' allow'), el('label', { class: 'inline' }, deny, ' deny'), el('code', {}, t.name), el('span', { class: 'note' }, t.description ?? '')));
  }
  return row('tools', 'Tools (from test)', box);
}

function showTest(r: Extract<McpHostMessage, { type: 'testResult' }>): void {
  if (r.ok) {
    testedTools = r.tools;
    render();
    const who = r.serverInfo ? `${r.serverInfo.name} ${r.serverInfo.version}` : 'the server';
    testBox.replaceChildren(el('div', { class: 'ok' }, `Connected to ${who} in ${r.durationMs} ms: ${r.tools.length} tool(s). Tick Allow / Deny below the lists to filter them.`));
  } else {
    testBox.replaceChildren(el('div', { class: 'error' }, `Test failed: ${r.error ?? 'unknown error'}`), r.stderrTail ? el('pre', { class: 'stderr', 'aria-label': 'Server stderr' }, r.stderrTail) : '');
  }
  testBox.scrollIntoView({ block: 'nearest' });
}

function renderIssues(): void {
  for (const box of Array.from(document.querySelectorAll<HTMLElement>('.field-error'))) {
    const field = box.dataset.for ?? '';
    const mine = issues.filter((i) => i.field === field || (field === '' && !document.querySelector(`.field-error[data-for="${CSS.escape(i.field)}"]`)));
    box.replaceChildren(...mine.map((i) => el('div', { class: i.severity }, i.line ? `${i.message} (line ${i.line}, column ${i.column ?? 1})` : i.message)));
    document.getElementById(`f-${field}`)?.classList.toggle('invalid', mine.some((i) => i.severity === 'error'));
  }
}

render();
post({ type: 'ready' });
