/**
 * Messages between the Approvals panel's page and its host (src/vscode/approvals/panel-handler.ts).
 * The host validates every page message with {@link parseApprovalsPageMessage}; the page trusts the host.
 */
import * as z from 'zod/mini';
import { parseMessage } from '../shared/parse';

export const APPROVALS_VIEW_TYPE = 'codexGovernance.approvalsPanel';

/** History rows per page (newest first; "Load older" reads the next page). */
export const HISTORY_PAGE_SIZE = 50;
/** Longest deny reason the page may send (characters). */
export const MAX_REASON = 1000;

export const OUTCOMES = ['allowed', 'denied', 'timeout'] as const;
export const RISKS = ['low', 'medium', 'high', 'critical'] as const;
export const SOURCES = ['codex-full-access', 'codex-session', 'codex-exec', 'codex-patch', 'codex-sandbox', 'codex-permissions', 'codex-mcp-tool', 'pause-override'] as const;

const filtersSchema = z.strictObject({
  outcome: z.optional(z.enum(OUTCOMES)),
  risk: z.optional(z.enum(RISKS)),
  source: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  agent: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  /** Free text some field of the entry contains (case-insensitive). */
  text: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
});

/** History filters; every given one must match. */
export type HistoryFilters = z.output<typeof filtersSchema>;

export const approvalsPageMessageSchema = z.discriminatedUnion('type', [
  /** The page is listening; `filters` are those it restored after a reload. */
  z.strictObject({ type: z.literal('ready'), filters: z.optional(filtersSchema) }),
  /** Answer a pending request (the same as the Approvals view's buttons). */
  z.strictObject({
    type: z.literal('answer'),
    id: z.string().check(z.minLength(1), z.maxLength(100)),
    decision: z.enum(['allow_once', 'allow_session', 'deny']),
    reason: z.optional(z.string().check(z.maxLength(MAX_REASON))),
  }),
  /** Show the first history page with these filters. */
  z.strictObject({ type: z.literal('filter'), filters: filtersSchema }),
  /** Append the next (older) history page that starts at `cursor`. */
  z.strictObject({ type: z.literal('more'), cursor: z.string().check(z.minLength(1), z.maxLength(20)) }),
  /** The page drew this many pending requests and history rows. */
  z.strictObject({ type: z.literal('rendered'), pending: z.number().check(z.int(), z.gte(0)), history: z.number().check(z.int(), z.gte(0)), filters: filtersSchema }),
]);

export type ApprovalsPageMessage = z.output<typeof approvalsPageMessageSchema>;

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

/** Parses the show command's optional argument, e.g. `{ outcome: 'denied' }`. @throws Error naming the bad field */
export function parseHistoryFilters(raw: unknown): HistoryFilters {
  return parseMessage(filtersSchema, raw, 'Approvals');
}

/**
 * Validates a message from the page.
 * @throws Error naming the offending field, e.g. `reason: Too big...`
 */
export function parseApprovalsPageMessage(raw: unknown): ApprovalsPageMessage {
  return parseMessage(approvalsPageMessageSchema, raw, 'Approvals');
}
