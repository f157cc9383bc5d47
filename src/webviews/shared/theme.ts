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

/** Creates an element with attributes and children (text or nodes); text is never parsed as HTML. */
export function el<K extends string>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
}
