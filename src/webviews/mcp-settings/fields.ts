/**
 * The MCP Servers form's controls (@vscode-elements): text, list (one item per line) and map
 * fields, and the allow / deny tool picker. Each reports an edit through {@link FieldHost.changed};
 * the page (./main) owns the state and re-renders.
 */
import { el } from '../shared/theme';
import { MASK, type MapField, type MapRow, type ServerForm } from './protocol';

/** A @vscode-elements text control (vscode-textfield, vscode-textarea, vscode-single-select). */
export type TextControl = HTMLElement & { value: string; updateComplete?: Promise<unknown> };
/** A vscode-checkbox. */
export type Checkbox = HTMLElement & { checked: boolean };

/** What the controls need from the page. */
export interface FieldHost {
  /** An edit happened; `rerender` when the form's shape changed (a row added or removed). */
  changed: (rerender?: boolean) => void;
  /** Shows a hidden value of a saved server (absent for a server not saved yet). */
  readonly reveal?: (field: MapField, key: string) => void;
}

export function button(label: string, attrs: Record<string, string | undefined>, onClick: () => void): HTMLElement {
  const b = el('vscode-button', attrs, label);
  b.addEventListener('click', onClick);
  return b;
}

export function row(field: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  return el(
    'div',
    { class: 'row' },
    el('label', { for: `f-${field}`, class: 'label' }, label),
    el('div', { class: 'control' }, control, hint ? el('div', { class: 'hint' }, hint) : '', el('div', { class: 'field-error', 'data-for': field, role: 'alert' })),
  );
}

export function textField(host: FieldHost, field: string, label: string, value: string, set: (v: string) => void, hint?: string): HTMLElement {
  const input = el('vscode-textfield', { id: `f-${field}`, label, spellcheck: 'false' }) as TextControl;
  input.value = value;
  input.addEventListener('input', () => {
    set(input.value);
    host.changed();
  });
  return row(field, label, input, hint);
}

export function listField(host: FieldHost, field: string, label: string, value: string[], set: (v: string[]) => void, hint?: string): HTMLElement {
  const area = el('vscode-textarea', { id: `f-${field}`, label, rows: String(Math.max(2, Math.min(8, value.length + 1))), spellcheck: 'false', resize: 'vertical', monospace: '' }) as TextControl;
  area.value = value.join('\n');
  area.addEventListener('input', () => {
    set(area.value.split('\n').filter((l) => l.trim() !== ''));
    host.changed();
  });
  // One item per line: wrapping would make a long path look like two arguments.
  void customElements.whenDefined('vscode-textarea').then(() => area.updateComplete).then(() => area.shadowRoot?.querySelector('textarea')?.setAttribute('wrap', 'off'));
  return row(field, label, area, hint);
}

export function mapField(host: FieldHost, f: ServerForm, field: MapField, label: string, valueLabel: string): HTMLElement {
  const rows: MapRow[] = f[field];
  const table = el('div', { class: 'map', id: `f-${field}` });
  rows.forEach((r, i) => {
    const key = el('vscode-textfield', { label: `${label} name ${i + 1}`, placeholder: 'NAME', spellcheck: 'false' }) as TextControl;
    key.value = r.key;
    key.addEventListener('input', () => {
      r.key = key.value;
      host.changed();
    });
    const cells: HTMLElement[] = [key];
    if (r.value === undefined) {
      cells.push(el('vscode-textfield', { readonly: '', value: MASK, label: `${label} value ${i + 1} (hidden)` }));
      const reveal = host.reveal;
      if (reveal) cells.push(button('Reveal', { secondary: '', icon: 'eye', title: 'Show this value' }, () => reveal(field, r.key)));
    } else {
      const value = el('vscode-textfield', { label: `${label} value ${i + 1}`, placeholder: valueLabel, spellcheck: 'false' }) as TextControl;
      value.value = r.value;
      value.addEventListener('input', () => {
        r.value = value.value;
        host.changed();
      });
      cells.push(value);
    }
    const del = el('vscode-toolbar-button', { icon: 'close', title: 'Delete this row', label: `Delete ${label} row ${i + 1}` });
    del.addEventListener('click', () => {
      rows.splice(i, 1);
      host.changed(true);
    });
    cells.push(del);
    table.append(el('div', { class: 'map-row' }, ...cells));
  });
  table.append(
    button('Add', { secondary: '', icon: 'add', class: 'small' }, () => {
      rows.push({ key: '', value: '' });
      host.changed(true);
    }),
  );
  return row(field, label, table);
}

/** Tools from the last test: ticking Allow / Deny edits the two lists. */
export function toolPicker(host: FieldHost, f: ServerForm, tools: readonly { name: string; description?: string }[]): HTMLElement {
  const box = el('div', { class: 'tools', id: 'tool-picker' });
  for (const t of tools) {
    const toggle = (key: 'enabled_tools' | 'disabled_tools', on: boolean) => {
      const list = (f[key] ?? []).filter((n) => n !== t.name);
      if (on) list.push(t.name);
      f[key] = list.length ? list : null;
      host.changed(true);
    };
    const check = (key: 'enabled_tools' | 'disabled_tools', text: string) => {
      const c = el('vscode-checkbox', { 'aria-label': `${text} ${t.name}`, title: `${text} ${t.name}`, checked: f[key]?.includes(t.name) ? '' : undefined }) as Checkbox;
      c.addEventListener('change', () => toggle(key, c.checked));
      return c;
    };
    box.append(el('div', { class: 'tool' }, check('enabled_tools', 'Allow'), check('disabled_tools', 'Deny'), el('code', {}, t.name), el('span', { class: 'note' }, t.description ?? '')));
  }
  return row('tools', 'Tools (from test): allow, deny', box);
}
