/**
 * The Session webview panels: one per Codex session (revealed when already open), restored after a
 * window reload by a `WebviewPanelSerializer` whose state is the page's `{sessionId}`. Same page
 * contract as src/vscode/panels/panel-host.ts (ready handshake, strict CSP, media/dist only), but
 * keyed by session id, which that single-panel host does not do.
 */
import * as vscode from 'vscode';
import type { GovernanceClientSource } from '../../client/select';
import { SESSION_VIEW_TYPE, type SessionHeader, type SessionPageState } from '../../webviews/session/protocol';
import { panelHtml } from '../panels/panel-html';
import { RENDER_TIMEOUT_MS } from '../panels/panel-host';
import { SessionPanelHandler, type SessionRenderReport } from './session-handler';

const PAGE = 'session';

export class SessionPanels implements vscode.Disposable {
  private readonly open = new Map<string, { panel: vscode.WebviewPanel; handler: SessionPanelHandler }>();
  private readonly registration: vscode.Disposable;
  private readonly distRoot: vscode.Uri;

  constructor(
    extensionUri: vscode.Uri,
    private readonly clients: GovernanceClientSource,
    private readonly confirmCancel: (header: SessionHeader) => Promise<boolean>,
    private readonly reportError: (err: unknown) => void,
  ) {
    this.distRoot = vscode.Uri.joinPath(extensionUri, 'media', 'dist');
    this.registration = vscode.window.registerWebviewPanelSerializer(SESSION_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => {
        const sessionId = (state as Partial<SessionPageState> | undefined)?.sessionId;
        // A page that never saved its state cannot say which session it showed.
        if (typeof sessionId !== 'string' || !sessionId || this.open.has(sessionId)) {
          panel.dispose();
          return;
        }
        this.attach(panel, sessionId);
      },
    });
  }

  /**
   * Reveals the session's panel or opens one in the active editor group; resolves with the page's
   * render report once a new page has drawn (an open one resolves at once with its latest report).
   * @throws Error when a new page does not draw within {@link RENDER_TIMEOUT_MS}
   */
  async show(sessionId: string): Promise<SessionRenderReport | undefined> {
    const existing = this.open.get(sessionId);
    if (existing) {
      existing.panel.reveal();
      return existing.handler.lastRender() ?? existing.handler.nextRender(RENDER_TIMEOUT_MS);
    }
    const panel = vscode.window.createWebviewPanel(SESSION_VIEW_TYPE, 'Codex Session', vscode.ViewColumn.Active, {
      enableScripts: true,
      // The transcript keeps its scroll position and the reply box its draft across tab switches.
      retainContextWhenHidden: true,
      localResourceRoots: [this.distRoot],
    });
    const handler = this.attach(panel, sessionId);
    return handler.nextRender(RENDER_TIMEOUT_MS);
  }

  /** The open panel of a session, if any. */
  panel(sessionId: string): vscode.WebviewPanel | undefined {
    return this.open.get(sessionId)?.panel;
  }

  /** Ids of the sessions whose panels are open. */
  openSessions(): string[] {
    return [...this.open.keys()];
  }

  /** Resolves with the session panel's next render report (after a reload, a reply...). */
  nextRender(sessionId: string, timeoutMs = RENDER_TIMEOUT_MS): Promise<SessionRenderReport> {
    const open = this.open.get(sessionId);
    if (!open) return Promise.reject(new Error(`No Session panel is open for ${sessionId}.`));
    return open.handler.nextRender(timeoutMs);
  }

  dispose(): void {
    this.registration.dispose();
    for (const { panel } of [...this.open.values()]) panel.dispose();
  }

  private attach(panel: vscode.WebviewPanel, sessionId: string): SessionPanelHandler {
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.distRoot] };
    const handler = new SessionPanelHandler(sessionId, {
      clients: this.clients,
      post: (message) => void panel.webview.postMessage(message),
      confirmCancel: this.confirmCancel,
      onHeader: (h) => (panel.title = `Codex: ${h.title.length > 40 ? `${h.title.slice(0, 39)}…` : h.title}`),
    });
    this.open.set(sessionId, { panel, handler });
    const subscription = panel.webview.onDidReceiveMessage((raw: unknown) => {
      handler.handle(raw).catch((err: unknown) => this.reportError(err));
    });
    panel.onDidDispose(() => {
      handler.dispose();
      subscription.dispose();
      if (this.open.get(sessionId)?.panel === panel) this.open.delete(sessionId);
    });
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(this.distRoot, `${PAGE}.js`)).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(this.distRoot, `${PAGE}.css`)).toString(),
      title: 'Codex Session',
    });
    return handler;
  }
}
