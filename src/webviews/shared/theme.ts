/**
 * VS Code theme colours for canvases (cytoscape, chart.js), which cannot read CSS variables
 * themselves. VS Code sets `--vscode-*` variables on <html> and a `vscode-light` / `vscode-dark` /
 * `vscode-high-contrast` class on <body> (Webview API > "Theming webview content").
 */
export function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export interface ThemeColors {
  foreground: string;
  muted: string;
  background: string;
  border: string;
  focus: string;
  /** --vscode-charts-* in a fixed order: blue, green, orange, purple, red, yellow. */
  series: string[];
  red: string;
  green: string;
}

export function themeColors(): ThemeColors {
  const series = [
    cssVar('--vscode-charts-blue', '#3794ff'),
    cssVar('--vscode-charts-green', '#89d185'),
    cssVar('--vscode-charts-orange', '#d18616'),
    cssVar('--vscode-charts-purple', '#b180d7'),
    cssVar('--vscode-charts-red', '#f14c4c'),
    cssVar('--vscode-charts-yellow', '#cca700'),
  ];
  return {
    foreground: cssVar('--vscode-foreground', '#cccccc'),
    muted: cssVar('--vscode-descriptionForeground', '#9d9d9d'),
    background: cssVar('--vscode-editor-background', '#1e1e1e'),
    border: cssVar('--vscode-panel-border', '#80808059'),
    focus: cssVar('--vscode-focusBorder', '#007fd4'),
    series,
    red: series[4]!,
    green: series[1]!,
  };
}

/** Calls `onChange` when the user switches the colour theme (VS Code swaps the body class). */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/**
 * Creates an element with attributes (an undefined value leaves the attribute out) and children
 * (text or nodes); text is never parsed as HTML. A `style` attribute would be blocked by the panels'
 * CSP (no 'unsafe-inline'), so `style` entries are set through the CSSOM, which CSP allows.
 */
export function el<K extends string>(tag: K, attrs: Record<string, string | undefined> = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    if (k !== 'style') {
      node.setAttribute(k, v);
      continue;
    }
    for (const rule of v.split(';')) {
      const at = rule.indexOf(':');
      if (at > 0) node.style.setProperty(rule.slice(0, at).trim(), rule.slice(at + 1).trim());
    }
  }
  for (const child of children) node.append(child);
  return node;
}

/** A label and its control kept on one line when the toolbar wraps. */
export function field(label: string, control: HTMLElement): HTMLElement {
  return el('span', { class: 'field' }, el('label', {}, label), control);
}

/** Axis label for a time (ms since epoch), precise enough for the span shown (ms). */
export function timeLabel(ms: number, spanMs: number): string {
  const d = new Date(ms);
  if (spanMs > 86_400_000) return d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  return spanMs < 10_000 ? `${time}.${String(d.getMilliseconds()).padStart(3, '0')}` : time;
}
