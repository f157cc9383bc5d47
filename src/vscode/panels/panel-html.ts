/**
 * The HTML of a panel page, without `vscode` (unit tested). CSP (VS Code "Webview API" > "Content
 * security policy"): scripts only with the per-load nonce; styles from the bundle plus the nonce;
 * fonts (codicons) and images only from the extension's media/dist (`cspSource`). @vscode-elements
 * styles its controls through constructable stylesheets (adoptedStyleSheets), which style-src does
 * not govern; chart.js and cytoscape draw on canvases, which need no source. No inline script or
 * style attribute is allowed, so pages set styles through the CSSOM.
 */
import { randomBytes } from 'node:crypto';

export interface PanelHtmlInput {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Webview URIs (`asWebviewUri`) of the page's bundle and stylesheet. */
  scriptUri: string;
  styleUri: string;
  title: string;
  /** Base64, at least 128 bits; a fresh one per page load by default. */
  nonce?: string;
}

export function panelHtml(input: PanelHtmlInput): string {
  const nonce = input.nonce ?? randomBytes(16).toString('base64');
  const csp = [
    "default-src 'none'",
    `img-src ${input.cspSource} data:`,
    `style-src ${input.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${input.cspSource}`,
  ].join('; ');
  // The stylesheet's id is where <vscode-icon> looks for the codicon font (@vscode-elements docs).
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link id="vscode-codicon-stylesheet" rel="stylesheet" href="${escapeHtml(input.styleUri)}" nonce="${escapeHtml(nonce)}">
<title>${escapeHtml(input.title)}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${escapeHtml(nonce)}" src="${escapeHtml(input.scriptUri)}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  // Every attribute is double-quoted, so single quotes (the CSP's keywords) stay as they are.
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}
