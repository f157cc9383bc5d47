/**
 * Hosts one kind of webview panel: creates it (or reveals the open one), restores it after a
 * reload through a `WebviewPanelSerializer`, writes its HTML with a strict CSP, and wires its
 * messages to a handler that knows nothing of `vscode`.
 *
 * Page contract (src/webviews/<page>/main.ts, built to media/dist/<page>.js and .css): the page
 * posts `{type: 'ready', ...}` once it listens, and only then does the handler post data, so no
 * message is lost to a page still loading (VS Code queues nothing for a webview without listeners).
 */
import * as vscode from 'vscode';
import { panelHtml } from './panel-html';

export interface PanelHandler {
  handle(raw: unknown): Promise<void>;
  /** Applies the show command's argument (a search, a selection); throws on a bad one. */
  apply(args: unknown): void;
  /** The page's next render report. */
  nextRender(timeoutMs: number): Promise<unknown>;
  /** The latest render report, if the page drew yet. */
  lastRender(): unknown;
  dispose(): void;
}

/** How long a show command waits for the page to draw (ms). */
export const RENDER_TIMEOUT_MS = 60_000;

export interface PanelSpec {
  /** `WebviewPanel.viewType`, also the serializer's key (declared as an `onWebviewPanel:` activation). */
  viewType: string;
  title: string;
  /** Bundle name under media/dist: `<page>.js` and `<page>.css`. */
  page: string;
  /** Keeps the page alive while its tab is hidden (for pages that are costly to lay out again). */
  retainContextWhenHidden?: boolean;
  createHandler(post: (message: unknown) => void): PanelHandler;
}

export class PanelHost implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private handler: PanelHandler | undefined;
  private readonly registration: vscode.Disposable;
  private readonly distRoot: vscode.Uri;

  constructor(
    private readonly spec: PanelSpec,
    extensionUri: vscode.Uri,
    private readonly reportError: (err: unknown) => void,
  ) {
    this.distRoot = vscode.Uri.joinPath(extensionUri, 'media', 'dist');
    this.registration = vscode.window.registerWebviewPanelSerializer(spec.viewType, {
      deserializeWebviewPanel: async (panel) => {
        // VS Code hands back the page's last `setState`; the page reads it itself via getState().
        this.attach(panel);
      },
    });
  }

  /**
   * Reveals the open panel or creates one in the active editor group. With `args` (see the
   * handler's `apply`), or when the panel is new, resolves with the page's render report once it
   * has drawn; a panel only revealed resolves at once with its latest report (undefined before the first).
   * @throws Error naming a bad field of `args`, or when the page does not draw within {@link RENDER_TIMEOUT_MS}
   */
  async show(args?: unknown): Promise<unknown> {
    let created = false;
    if (this.panel) {
      this.panel.reveal();
    } else {
      const panel = vscode.window.createWebviewPanel(this.spec.viewType, this.spec.title, vscode.ViewColumn.Active, {
        enableScripts: true,
        retainContextWhenHidden: this.spec.retainContextWhenHidden ?? false,
        localResourceRoots: [this.distRoot],
      });
      this.attach(panel);
      created = true;
    }
    const handler = this.handler!;
    if (args !== undefined && args !== null) handler.apply(args);
    else if (!created) return handler.lastRender();
    return handler.nextRender(RENDER_TIMEOUT_MS);
  }

  /** Loads the open panel's page again (it keeps its saved state and asks for fresh data). */
  reload(): void {
    if (this.panel) this.panel.webview.html = pageHtml(this.panel.webview, this.distRoot, this.spec);
  }

  get current(): vscode.WebviewPanel | undefined {
    return this.panel;
  }

  dispose(): void {
    this.registration.dispose();
    this.panel?.dispose();
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.distRoot] };
    const handler = this.spec.createHandler((message) => void panel.webview.postMessage(message));
    this.handler = handler;
    const subscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        handler.handle(raw).catch((err: unknown) => this.reportError(err));
      }),
    ];
    panel.onDidDispose(() => {
      handler.dispose();
      for (const s of subscriptions) s.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.handler = undefined;
      }
    });
    panel.webview.html = pageHtml(panel.webview, this.distRoot, this.spec);
  }
}

function pageHtml(webview: vscode.Webview, distRoot: vscode.Uri, spec: Pick<PanelSpec, 'page' | 'title'>): string {
  return panelHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(distRoot, `${spec.page}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(distRoot, `${spec.page}.css`)).toString(),
    title: spec.title,
  });
}
