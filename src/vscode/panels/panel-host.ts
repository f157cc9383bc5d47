/**
 * The one webview panel host: every panel (Knowledge graph, Agent dashboard, Approvals, Session,
 * MCP Servers) is a {@link PanelHost} of its kind. It registers the kind's serializer (restore
 * after a reload), creates panels with the page of media/dist and `localResourceRoots` limited to
 * it, writes their HTML with ./panel-html (one CSP builder; a kind may ask for the strict policy),
 * and hands everything else to ./panel-set (no `vscode`, unit tested).
 */
import * as vscode from 'vscode';
import { panelHtml, type PanelCspOptions } from './panel-html';
import { PanelSet, SINGLE, type PanelContext, type PanelHandler, type PanelView } from './panel-set';
import { runAsPromise } from '../../util/promise';

export { RENDER_TIMEOUT_MS, SINGLE, type PanelContext, type PanelHandler } from './panel-set';

export interface PanelSpec<K, H extends PanelHandler> {
  /** `WebviewPanel.viewType`, also the serializer's key (declared as an `onWebviewPanel:` activation). */
  viewType: string;
  /** The tab's title until the handler sets another. */
  title: string;
  /** Bundle name under media/dist: `<page>.js` and `<page>.css`. */
  page: string;
  /** Keeps the page alive while its tab is hidden (pages costly to lay out again, unsaved input). */
  retainContextWhenHidden?: boolean;
  /** Beyond the base CSP (default: `data:` images and the style nonce allowed). */
  csp?: PanelCspOptions;
  createHandler(context: PanelContext<K>): H;
  /** Keyed panels: see PanelKind.restoredKey (./panel-set). */
  restoredKey?(state: unknown): K | undefined;
  /** See PanelKind.revealWaitsForFirstRender (./panel-set). */
  revealWaitsForFirstRender?: boolean;
}

export class PanelHost<H extends PanelHandler, K = string> implements vscode.Disposable {
  readonly panels: PanelSet<K, H>;
  private readonly registration: vscode.Disposable;
  private readonly distRoot: vscode.Uri;

  constructor(
    private readonly spec: PanelSpec<K, H>,
    extensionUri: vscode.Uri,
    reportError: (err: unknown) => void,
  ) {
    this.distRoot = vscode.Uri.joinPath(extensionUri, 'media', 'dist');
    this.panels = new PanelSet<K, H>(
      {
        name: spec.title,
        createHandler: (context) => spec.createHandler(context),
        restoredKey: spec.restoredKey ? (state) => spec.restoredKey!(state) : undefined,
        revealWaitsForFirstRender: spec.revealWaitsForFirstRender,
        reportError,
      },
      () =>
        this.view(
          vscode.window.createWebviewPanel(spec.viewType, spec.title, vscode.ViewColumn.Active, {
            enableScripts: true,
            retainContextWhenHidden: spec.retainContextWhenHidden ?? false,
            localResourceRoots: [this.distRoot],
          }),
        ),
    );
    this.registration = vscode.window.registerWebviewPanelSerializer(spec.viewType, {
      // VS Code hands back the page's last `setState`; the page reads it itself via getState().
      deserializeWebviewPanel: (panel, state: unknown) => runAsPromise(() => this.panels.restore(this.view(panel), state)),
    });
  }

  /** Shows the single panel of this kind (see PanelSet.show). */
  show(args?: unknown): Promise<unknown> {
    return this.panels.show(SINGLE as K, args);
  }

  /** Shows the panel of `key` (keyed kinds, e.g. a session id; see PanelSet.show). */
  showKey(key: K, args?: unknown): Promise<unknown> {
    return this.panels.show(key, args);
  }

  /** Loads the open pages again (each keeps its state and asks for fresh data). */
  reload(): void {
    this.panels.reload();
  }

  dispose(): void {
    this.registration.dispose();
    this.panels.dispose();
  }

  private view(panel: vscode.WebviewPanel): PanelView {
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.distRoot] };
    const webview = panel.webview;
    return {
      reveal: () => panel.reveal(),
      load: () =>
        (webview.html = panelHtml({
          cspSource: webview.cspSource,
          scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.distRoot, `${this.spec.page}.js`)).toString(),
          styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.distRoot, `${this.spec.page}.css`)).toString(),
          title: this.spec.title,
          csp: this.spec.csp,
        })),
      post: (message) => void webview.postMessage(message),
      setTitle: (title) => (panel.title = title),
      onMessage: (listener) => webview.onDidReceiveMessage(listener),
      onDidDispose: (listener) => panel.onDidDispose(listener),
      dispose: () => {
        panel.dispose();
      },
    };
  }
}
