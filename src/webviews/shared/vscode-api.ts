/**
 * The webview side of a panel's message protocol: a typed wrapper over `acquireVsCodeApi()`
 * (VS Code API "Webview API" > "Scripts and message passing"), which may be called only once per page.
 * `Out` is what the page posts to the host, `In` what the host posts to the page, `State` what
 * `setState` keeps for the panel serializer (restored after a reload).
 */
interface VsCodeApi<Out, State> {
  postMessage(message: Out): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<Out, State>(): VsCodeApi<Out, State>;

export interface PanelChannel<Out, In, State> {
  post(message: Out): void;
  /** Calls `handler` for every message from the host; returns an unsubscribe function. */
  onMessage(handler: (message: In) => void): () => void;
  state(): State | undefined;
  saveState(state: State): void;
}

let api: VsCodeApi<unknown, unknown> | undefined;

export function panelChannel<Out, In, State>(): PanelChannel<Out, In, State> {
  api ??= acquireVsCodeApi<unknown, unknown>();
  const vscode = api as VsCodeApi<Out, State>;
  return {
    post: (message) => vscode.postMessage(message),
    onMessage: (handler) => {
      const listener = (event: MessageEvent<In>) => handler(event.data);
      window.addEventListener('message', listener);
      return () => window.removeEventListener('message', listener);
    },
    state: () => vscode.getState(),
    saveState: (state) => vscode.setState(state),
  };
}
