/**
 * Talks to the runner that drives the workbench (test/integration/run-code-server.mjs) so tests in
 * the extension host can check what a person sees: the status bar, notifications, quick picks.
 * Protocol: the test writes `<id>.request.json` into the folder named by CODEX_GOV_IT_BRIDGE (temp
 * file + rename), the runner acts on the DOM and answers with `<id>.response.json`.
 * Without that variable (e.g. under @vscode/test-electron) no runner watches the workbench.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const bridgeDir: string | undefined = process.env.CODEX_GOV_IT_BRIDGE || undefined;

export type BridgeRequest =
  /** Waits until the status bar text contains every string; screenshots it as `name`. */
  | { op: 'statusbar'; name: string; contains: string[] }
  /** Clicks the status bar item whose text contains `contains`. */
  | { op: 'statusbar-click'; name: string; contains: string }
  /** Waits for a notification containing `contains`, reports its buttons, clicks `click` if given. */
  | { op: 'notification'; name: string; contains: string; click?: string }
  /** Waits for the quick pick to list every label in `items`, then picks `select` if given. */
  | { op: 'quickpick'; name: string; items: string[]; select?: string }
  /** Waits for an input box whose title or prompt contains `contains`, types `value` and presses Enter (`text` = title and prompt). */
  | { op: 'inputbox'; name: string; contains: string; value: string }
  /** Waits for a modal dialog containing `contains`, reports its text and buttons, clicks `click` if given (screenshot `name`). */
  | { op: 'dialog'; name: string; contains: string; click?: string }
  /** Waits until the view titled `title` lists rows containing every string in `items` (scrolling as a person would) and, given `badge`, the activity bar badge reads it (`text` = the badge), then clicks an inline action of a row if given. */
  | { op: 'view'; name: string; title: string; items: string[]; badge?: string; click?: { row: string; action: string } }
  /** Acts in the visible webview page, in order, then screenshots the workbench as `name`; `text` = the page's visible text. */
  | { op: 'webview'; name: string; actions: WebviewAction[] }
  /** After the run ends, the runner checks that nothing listens on `port` any more. */
  | { op: 'expect-closed-after-exit'; name: string; port: number };

/** One step in a webview page; selectors are CSS inside the page. Each waits up to 15 s. */
export type WebviewAction =
  | { fill: string; value: string }
  | { click: string }
  | { select: string; value: string }
  /** Waits until an element matching the selector contains the text. */
  | { waitText: string; contains: string }
  /** Waits until an element matching the selector is visible. */
  | { waitFor: string }
  /**
   * Presses a key (Playwright key name, e.g. `Tab`, `ArrowDown`) where the focus is; with `until`,
   * presses it until the element matching that selector has the focus, at most `max` (default 20) times.
   */
  | { press: string; until?: string; max?: number };

export interface BridgeResponse {
  ok: boolean;
  /** What the runner saw (status bar text, notification text, quick pick rows). */
  text?: string;
  buttons?: string[];
  items?: string[];
  error?: string;
}

/**
 * Sends `request` to the runner and waits for its answer.
 * @throws Error when no runner is attached or no answer arrives within `timeoutMs` (ms).
 */
export async function askRunner(request: BridgeRequest, timeoutMs = 60_000): Promise<BridgeResponse> {
  if (!bridgeDir) throw new Error('No workbench runner attached (CODEX_GOV_IT_BRIDGE is not set).');
  const id = `${Date.now()}-${randomUUID().slice(0, 8)}-${request.name}`;
  const tmp = join(bridgeDir, `${id}.tmp`);
  writeFileSync(tmp, JSON.stringify(request));
  renameSync(tmp, join(bridgeDir, `${id}.request.json`));
  const responsePath = join(bridgeDir, `${id}.response.json`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(responsePath)) return JSON.parse(readFileSync(responsePath, 'utf8')) as BridgeResponse;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`The workbench runner did not answer "${request.op}" (${request.name}) within ${timeoutMs} ms.`);
}
