/**
 * The MCP Servers settings webview panel: one at a time, restored after a reload (serializer), with
 * a strict CSP and `localResourceRoots` limited to media/dist. Page messages go to
 * {@link McpSettingsHandler}; the host posts nothing before the page's `ready`. Every config file
 * shown is watched so an external change reaches the open form.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ConfigFileRef } from '../../config';
import type { Logger } from '../../util/log';
import { MCP_SETTINGS_VIEW_TYPE, type McpHostMessage } from '../../webviews/mcp-settings/protocol';
import { McpSettingsHandler } from './handler';
import { loadOnDemand } from '../load-on-demand';

export interface McpSettingsPanelDeps {
  extensionUri: vscode.Uri;
  logger: Logger;
  files(): Promise<ConfigFileRef[]>;
  reportError(err: unknown): void;
}

const TITLE = 'MCP Servers';

export class McpSettingsPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private handler: McpSettingsHandler | undefined;
  private watchers: vscode.Disposable[] = [];
  private watched = '';
  private readonly registration: vscode.Disposable;
  private readonly distRoot: vscode.Uri;

  constructor(private readonly deps: McpSettingsPanelDeps) {
    this.distRoot = vscode.Uri.joinPath(deps.extensionUri, 'media', 'dist');
    this.registration = vscode.window.registerWebviewPanelSerializer(MCP_SETTINGS_VIEW_TYPE, {
      // The page restores its selection itself (getState) and asks again with `ready`.
      deserializeWebviewPanel: async (panel) => this.attach(panel),
    });
  }

  /** Opens (or reveals) the panel; with `focus`, selects that server (name null: a new-server form for that file). */
  async show(focus?: { file: string; name: string | null }): Promise<void> {
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(MCP_SETTINGS_VIEW_TYPE, TITLE, vscode.ViewColumn.Active, {
        enableScripts: true,
        localResourceRoots: [this.distRoot],
        // Unsaved form edits survive switching tabs.
        retainContextWhenHidden: true,
      });
      this.attach(panel);
    } else {
      this.panel.reveal();
    }
    if (focus) await this.handler?.showServer(focus.file, focus.name);
  }

  /** Re-reads the files (settings changed, or a command edited one). */
  async refresh(): Promise<void> {
    await this.handler?.postState();
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  dispose(): void {
    this.registration.dispose();
    this.panel?.dispose();
    this.clearWatchers();
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.distRoot] };
    const handler = new McpSettingsHandler({
      files: () => this.deps.files(),
      logger: this.deps.logger,
      post: (m: McpHostMessage) => {
        void panel.webview.postMessage(m);
        if (m.type === 'state') this.watch(handler.watchedFiles());
      },
      openFile: (file, line) => openConfigFile(file, line),
      testConnection: (target, options) => loadOnDemand().testConnection(target, options),
    });
    this.handler = handler;
    const sub = panel.webview.onDidReceiveMessage((raw: unknown) => {
      handler.handle(raw).catch((err: unknown) => {
        this.deps.reportError(err);
        void panel.webview.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies McpHostMessage);
      });
    });
    panel.onDidDispose(() => {
      sub.dispose();
      handler.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.handler = undefined;
        this.clearWatchers();
      }
    });
    panel.webview.html = pageHtml(panel.webview, this.distRoot);
  }

  private watch(files: string[]): void {
    const key = files.join('\n');
    if (key === this.watched) return;
    this.clearWatchers();
    this.watched = key;
    for (const file of files) {
      // A pattern relative to the file's folder also works outside the workspace.
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      const changed = () => void this.handler?.fileChanged(file).catch((err: unknown) => this.deps.reportError(err));
      w.onDidChange(changed);
      w.onDidCreate(changed);
      w.onDidDelete(changed);
      this.watchers.push(w);
    }
  }

  private clearWatchers(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
    this.watched = '';
  }
}

/** Opens a config file in an editor (creating an empty one when missing), at `line` (1-based) if given. */
export async function openConfigFile(file: string, line?: number): Promise<void> {
  const uri = vscode.Uri.file(file);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(file)));
    await vscode.workspace.fs.writeFile(uri, new Uint8Array());
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const at = line ? new vscode.Position(Math.max(0, line - 1), 0) : undefined;
  await vscode.window.showTextDocument(doc, { preview: false, selection: at ? new vscode.Range(at, at) : undefined });
}

/**
 * The page's HTML. CSP per VS Code's "Webview API" guide: nothing by default, the bundle's script
 * only with a fresh nonce, styles and fonts only from the extension's media/dist.
 */
function pageHtml(webview: vscode.Webview, distRoot: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(distRoot, 'mcp-settings.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(distRoot, 'mcp-settings.css'));
  const csp = ["default-src 'none'", `style-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>${TITLE}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
