/**
 * The one webview panel kit's logic, without `vscode` (unit tested with plain mocha): the open
 * panels of one kind keyed by what they show (one key for a single panel such as the Knowledge
 * graph, the session id for Session panels), show (reveal or create, apply the show command's
 * argument, wait for the page to draw), restore after a reload (the serializer), reload, and the
 * wiring of every page message to the panel's handler. ./panel-host.ts adapts it to VS Code's
 * WebviewPanel; the handlers know nothing of `vscode` either.
 *
 * Page contract (src/webviews/<page>/main.ts): the page posts `{type: 'ready', ...}` once it
 * listens, and only then does the handler post data, so no message is lost to a page still loading
 * (VS Code queues nothing for a webview without listeners). A message the handler fails on is
 * reported and answered with `{type: 'error', message}` (with the request's `seq`, see
 * src/webviews/shared/requests.ts, when it was a request).
 */
import { requestIdOf } from '../../webviews/shared/requests';

/** How long a show command waits for the page to draw (ms). */
export const RENDER_TIMEOUT_MS = 60_000;

export interface Disposable {
  dispose(): void;
}

/** The host side of one panel's page (one instance per open panel). */
export interface PanelHandler {
  /** One raw message from the page. A rejection is reported and posted to the page as `error`. */
  handle(raw: unknown): Promise<void>;
  /** Applies the show command's argument (a search, a selection, a server to focus); throws on a bad one. */
  apply?(args: unknown): void | Promise<void>;
  /** The page's next render report (pages that report what they drew). */
  nextRender?(timeoutMs: number): Promise<unknown>;
  /** The latest render report, if the page drew yet. */
  lastRender?(): unknown;
  dispose(): void;
}

/** What VS Code's WebviewPanel is to the kit (./panel-host.ts adapts the real one). */
export interface PanelView {
  reveal(): void;
  /** Loads the page (again): fresh HTML with a fresh nonce; the page keeps its saved state. */
  load(): void;
  post(message: unknown): void;
  setTitle(title: string): void;
  onMessage(listener: (raw: unknown) => void): Disposable;
  onDidDispose(listener: () => void): Disposable;
  dispose(): void;
}

/** What a handler gets to act on its own panel. */
export interface PanelContext<K> {
  readonly key: K;
  // Function properties, not methods: handlers take them out of the context (`({ post }) => ...`).
  readonly post: (message: unknown) => void;
  readonly setTitle: (title: string) => void;
}

export interface PanelKind<K, H extends PanelHandler> {
  /** Names the panel in errors. */
  readonly name: string;
  createHandler(context: PanelContext<K>): H;
  /**
   * Keyed panels (one per key): the key a restored page's saved state names; undefined closes the
   * restored panel (a page that never saved its state cannot say what it showed). Absent: a single
   * panel, always under {@link SINGLE}.
   */
  restoredKey?(state: unknown): K | undefined;
  /**
   * When an open panel is only revealed (no argument): true waits for its first render if it has
   * not drawn yet; false (default) answers at once with its latest report (undefined before the first).
   */
  revealWaitsForFirstRender?: boolean;
  reportError(err: unknown): void;
}

/** The key of a panel kind that has one panel. */
export const SINGLE = '';

interface Entry<H> {
  view: PanelView;
  handler: H;
}

export class PanelSet<K, H extends PanelHandler> implements Disposable {
  private readonly open = new Map<K, Entry<H>>();

  /**
   * @param create makes a new panel view for `key` in the active editor group (not yet loaded)
   */
  constructor(
    private readonly kind: PanelKind<K, H>,
    private readonly create: (key: K) => PanelView,
  ) {}

  /**
   * Reveals the panel of `key` or creates one. With `args` (see the handler's `apply`), or when the
   * panel is new, resolves with the page's render report once it has drawn; a panel only revealed
   * resolves with its latest report (see {@link PanelKind.revealWaitsForFirstRender}). Handlers
   * without render reports resolve undefined once `apply` is done.
   * @throws Error naming a bad field of `args`, or when the page does not draw within `timeoutMs`
   */
  async show(key: K, args?: unknown, timeoutMs = RENDER_TIMEOUT_MS): Promise<unknown> {
    const { handler, created } = this.reveal(key);
    const given = args !== undefined && args !== null;
    if (given) await handler.apply?.(args);
    if (!handler.nextRender) return undefined;
    if (given || created) return handler.nextRender(timeoutMs);
    const last = handler.lastRender?.();
    return last === undefined && this.kind.revealWaitsForFirstRender ? handler.nextRender(timeoutMs) : last;
  }

  /** Reveals the panel of `key`, or creates and loads one. */
  reveal(key: K): { handler: H; created: boolean } {
    const entry = this.open.get(key);
    if (entry) {
      entry.view.reveal();
      return { handler: entry.handler, created: false };
    }
    return { handler: this.attach(this.create(key), key), created: true };
  }

  /** A panel VS Code restored after a reload (`WebviewPanelSerializer`), with the page's saved state. */
  restore(view: PanelView, state: unknown): void {
    if (!this.kind.restoredKey) {
      this.attach(view, SINGLE as K);
      return;
    }
    const key = this.kind.restoredKey(state);
    if (key === undefined || this.open.has(key)) {
      view.dispose();
      return;
    }
    this.attach(view, key);
  }

  /** Loads the page of `key` again (every open page without a key); each keeps its state and asks for fresh data. */
  reload(key?: K): void {
    for (const [k, { view }] of this.open) if (key === undefined || k === key) view.load();
  }

  /** The handler of the open panel of `key`, if any. */
  handler(key: K = SINGLE as K): H | undefined {
    return this.open.get(key)?.handler;
  }

  /** Keys of the open panels. */
  keys(): K[] {
    return [...this.open.keys()];
  }

  dispose(): void {
    for (const { view } of [...this.open.values()]) view.dispose();
  }

  private attach(view: PanelView, key: K): H {
    // A single panel restored while one is open (never in practice) replaces it.
    this.open.get(key)?.view.dispose();
    const handler = this.kind.createHandler({ key, post: (m) => view.post(m), setTitle: (t) => view.setTitle(t) });
    this.open.set(key, { view, handler });
    const messages = view.onMessage((raw) => {
      handler.handle(raw).catch((err: unknown) => {
        this.kind.reportError(err);
        const seq = requestIdOf(raw);
        view.post({ type: 'error', message: err instanceof Error ? err.message : String(err), ...(seq === undefined ? {} : { seq }) });
      });
    });
    const disposed = view.onDidDispose(() => {
      handler.dispose();
      messages.dispose();
      disposed.dispose();
      if (this.open.get(key)?.view === view) this.open.delete(key);
    });
    view.load();
    return handler;
  }
}
