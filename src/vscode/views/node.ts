/**
 * What a tree row shows, described without `vscode` so the view models are unit tested in plain
 * mocha; tree-provider.ts turns a node into a `vscode.TreeItem`.
 */

export interface ViewNode {
  /** Unique within the view; keeps selection and expansion across refreshes. */
  id: string;
  label: string;
  description?: string;
  /** Markdown (user text escaped with {@link escapeMarkdown}); shown on hover. */
  tooltip?: string;
  /** A codicon id (e.g. `pass`, `debug-pause`) and an optional theme color id. */
  icon?: { id: string; color?: string };
  /** `viewItem` in package.json `menus` `when` clauses. */
  contextValue?: string;
  /** Run on click. */
  command?: { command: string; title: string; arguments?: unknown[] };
  /** Rows under this one (loaded with it); absent = a leaf. */
  children?: ViewNode[];
  /** Expanded at first show (only with children). */
  expanded?: boolean;
  /** The thing the row stands for, passed to context-menu commands. */
  target?: NodeTarget;
}

export type NodeTarget =
  | { kind: 'agent'; agentId: string }
  | { kind: 'discovery'; id: string; summary: string }
  | { kind: 'session'; sessionId: string; threadId: string | null; status: string }
  | { kind: 'review'; sessionId: string; requesterId: string };

/** Rows plus a short text next to the view title (counts). */
export interface ViewContent {
  nodes: ViewNode[];
  description?: string;
}

/**
 * Escapes text for a Markdown tooltip so agent-written summaries cannot add links, images or
 * formatting (CommonMark's backslash escapes: every ASCII punctuation character may be escaped).
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}

/** "just now", "5 s ago", "3 min ago", "2 h ago", "4 d ago" from an ISO time; `now` in ms. */
export function ago(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** Cuts `text` to `max` characters on one line, ending with an ellipsis when cut. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A row saying why the view could not load (it replaces the rows until the next refresh). */
export function errorNode(what: string, err: unknown): ViewNode {
  const message = err instanceof Error ? err.message : String(err);
  return {
    id: `error:${what}`,
    label: `Could not load ${what}`,
    description: oneLine(message, 80),
    tooltip: escapeMarkdown(message),
    icon: { id: 'error', color: 'errorForeground' },
    contextValue: 'codexGovernance.error',
  };
}
