/**
 * The HTML of every panel page, without `vscode` (unit tested). CSP (VS Code "Webview API" >
 * "Content security policy"): scripts only with the per-load nonce; styles from the bundle (plus
 * the nonce unless the panel opts out); fonts (codicons) and images only from the extension's
 * media/dist (`cspSource`, plus `data:` images unless the panel opts out). @vscode-elements styles
 * its controls through constructable stylesheets (adoptedStyleSheets), which style-src does not
 * govern; chart.js and cytoscape draw on canvases, which need no source. No inline script or style
 * attribute is allowed, so pages set styles through the CSSOM.
 */
import { randomBytes } from 'node:crypto';

/** What a panel's CSP allows beyond the base policy. Both default to true. */
export interface PanelCspOptions {
  /** `img-src` also allows `data:` URIs. */
  dataImages?: boolean;
  /** `style-src` also allows the per-load nonce (the stylesheet link carries it). */
  styleNonce?: boolean;
}

/** The strictest policy: images and styles only from media/dist (the MCP Servers settings page). */
export const STRICT_CSP: Required<PanelCspOptions> = { dataImages: false, styleNonce: false };

export interface PanelHtmlInput {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Webview URIs (`asWebviewUri`) of the page's bundle and stylesheet. */
  scriptUri: string;
  styleUri: string;
  title: string;
  /** Base64, at least 128 bits; a fresh one per page load by default. */
  nonce?: string;
  csp?: PanelCspOptions;
}

/** The page's Content-Security-Policy, one directive per entry. */
export function panelCsp(cspSource: string, nonce: string, options: PanelCspOptions = {}): string[] {
  const dataImages = options.dataImages ?? true;
  const styleNonce = options.styleNonce ?? true;
  return [
    "default-src 'none'",
    `img-src ${cspSource}${dataImages ? ' data:' : ''}`,
    `style-src ${cspSource}${styleNonce ? ` 'nonce-${nonce}'` : ''}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ];
}

export function panelHtml(input: PanelHtmlInput): string {
  const nonce = input.nonce ?? randomBytes(16).toString('base64');
  const csp = panelCsp(input.cspSource, nonce, input.csp).join('; ');
  const styleNonce = (input.csp?.styleNonce ?? true) ? ` nonce="${escapeHtml(nonce)}"` : '';
  // The stylesheet's id is where <vscode-icon> looks for the codicon font (@vscode-elements docs).
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link id="vscode-codicon-stylesheet" rel="stylesheet" href="${escapeHtml(input.styleUri)}"${styleNonce}>
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
