/**
 * Messages between the Approvals panel's page and its host (src/vscode/approvals/panel-handler.ts):
 * types and constants only, so the page bundle carries no validation code. The host validates every
 * page message with the schemas of ./schema (zod/mini, host only); the page trusts the host.
 */

export const APPROVALS_VIEW_TYPE = 'codexGovernance.approvalsPanel';

/** History rows per page (newest first; "Load older" reads the next page). */
export const HISTORY_PAGE_SIZE = 50;
/** Longest deny reason the page may send (characters). */
export const MAX_REASON = 1000;

export const OUTCOMES = ['allowed', 'denied', 'timeout'] as const;
export const RISKS = ['low', 'medium', 'high', 'critical'] as const;
/** Longest history filter values the host accepts (characters). */
export const FILTER_LIMITS = { source: 100, agent: 200, text: 200 } as const;

export const SOURCES = ['codex-full-access', 'codex-session', 'codex-exec', 'codex-patch', 'codex-sandbox', 'codex-permissions', 'codex-mcp-tool', 'pause-override', 'openai-agent', 'codex-hook'] as const;

/** History filters; every given one must match. */
export interface HistoryFilters {
  outcome?: (typeof OUTCOMES)[number];
  risk?: (typeof RISKS)[number];
  source?: string;
  agent?: string;
  /** Free text some field of the entry contains (case-insensitive). */
  text?: string;
}

export type ApprovalsPageMessage =
  /** The page is listening; `filters` are those it restored after a reload. */
  | { type: 'ready'; filters?: HistoryFilters }
  /** Answer a pending request (the same as the Approvals view's buttons). */
  | { type: 'answer'; id: string; decision: 'allow_once' | 'allow_session' | 'deny'; reason?: string }
  /** Show the first history page with these filters. */
  | { type: 'filter'; filters: HistoryFilters }
  /** Append the next (older) history page that starts at `cursor`. */
  | { type: 'more'; cursor: string }
  /** The page drew this many pending requests and history rows. */
  | { type: 'rendered'; pending: number; history: number; filters: HistoryFilters };

/** A request waiting for a person, with everything the person needs to decide. */
export interface PendingItem {
  id: string;
  /** e.g. `HIGH risk: agent-7 wants a Codex session with full access (danger-full-access)`. */
  title: string;
  source: string;
  risk: string;
  agentId?: string;
  sessionId?: string;
  command?: string;
  cwd?: string;
  sandbox?: string;
  approvalPolicy?: string;
  mode?: string;
  /** The agent's or model's justification. */
  reason?: string;
  /** Why the session gate asks (effective configuration), one line each. */
  why?: string[];
  /** ISO-8601 UTC. */
  requestedAt: string;
  /** When the timeout denies it, ms since epoch. */
  deadline: number;
}

/** One answered request from the audit log (`approval.answered`). */
export interface HistoryRow {
  /** ISO-8601 UTC of the answer. */
  ts: string;
  id: string;
  source: string;
  agent: string | null;
  session: string | null;
  command: string | null;
  cwd: string | null;
  sandbox: string | null;
  risk: string;
  /** `allow_once` | `allow_session` | `deny`. */
  decision: string;
  /** `person` | `policy` | `session-grant` | `timeout` | `cancelled` | `error`. */
  decidedBy: string;
  reason: string | null;
  /** Request to answer, ms. */
  waitMs: number | null;
  /**
   * The server that answered it (team mode, from the shared audit table: `host:port`); null in the
   * server's own audit file. A request is answered on the server that asked.
   */
  server: string | null;
}

export type ApprovalsHostMessage =
  /** Every pending request, oldest first; `now` is the host clock (ms) to line up the countdowns. `note` explains an empty list that is not the whole truth. */
  | { type: 'pending'; items: PendingItem[]; now: number; note?: string }
  /** A history page: `append` adds older rows below, otherwise it replaces the list. */
  | { type: 'history'; filters: HistoryFilters; rows: HistoryRow[]; cursor: string; hasMore: boolean; append: boolean }
  /** Answers written since the list was loaded (newest first), to add on top. */
  | { type: 'history-new'; rows: HistoryRow[] }
  /** The outcome of an `answer` message. */
  | { type: 'answered'; id: string; ok: boolean; message: string }
  /** Apply these filters as if chosen (the show command's argument); the page answers with `filter`. */
  | { type: 'apply'; filters: HistoryFilters }
  | { type: 'error'; message: string };

export interface ApprovalsPageState {
  filters: HistoryFilters;
}
