/**
 * Messages between the Agent dashboard panel's page and its host (src/vscode/panels/). The host
 * validates every page message with {@link parseDashboardPageMessage}; the page trusts the host.
 */
import * as z from 'zod/mini';
import { parseMessage } from '../shared/parse';

export const DASHBOARD_VIEW_TYPE = 'codexGovernance.agentDashboard';

/** Metrics the compare chart can overlay (all 0..1 except V, which is -1..1). */
export const METRICS = ['E', 'I', 'S', 'V', 'risk_score', 'coherence'] as const;
export type MetricName = (typeof METRICS)[number];

/** Most agents shown together in the compare chart. */
export const MAX_COMPARED = 8;
/** History points loaded per agent (the service's maximum). */
export const HISTORY_LIMIT = 1000;

const agentIds = z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.maxLength(MAX_COMPARED));

export const dashboardPageMessageSchema = z.discriminatedUnion('type', [
  /** The page is listening; `agentIds` are those it restored after a reload. */
  z.strictObject({ type: z.literal('ready'), agentIds: z.optional(agentIds) }),
  /** Show these agents: the first in the detail charts, all of them in the compare chart. */
  z.strictObject({ type: z.literal('select'), agentIds }),
  /** The page drew these agents' charts with this many points of the first agent. */
  z.strictObject({ type: z.literal('rendered'), agentIds, points: z.number().check(z.int(), z.gte(0)) }),
]);

export type DashboardPageMessage = z.output<typeof dashboardPageMessageSchema>;

export interface AgentItem {
  agentId: string;
  status: string;
  updateCount: number;
  lastAction: 'PROCEED' | 'PAUSE' | null;
  lastSeenAt: string;
}

export interface SeriesPoint {
  /** ISO-8601 time of the update. */
  at: string;
  E: number;
  I: number;
  S: number;
  V: number;
  risk_score: number;
  coherence: number;
  action: 'PROCEED' | 'PAUSE';
  reason: string;
  operation: string;
}

export interface AgentSeries {
  agentId: string;
  /** Oldest first. */
  points: SeriesPoint[];
  trend: { risk: string; coherence: string; pauses: number };
}

export type DashboardHostMessage =
  | { type: 'agents'; agents: AgentItem[]; total: number }
  /** The selection's data; replaces what is shown. */
  | { type: 'series'; agentIds: string[]; series: AgentSeries[] }
  /** A new update of a shown agent. */
  | { type: 'point'; agentId: string; point: SeriesPoint }
  /** Select these agents as if picked (the show command's argument); the page answers with `select`. */
  | { type: 'apply'; agentIds: string[] }
  | { type: 'error'; message: string };

export interface DashboardPageState {
  agentIds: string[];
  metric: MetricName;
}

/** Parses the show command's optional argument, e.g. `{ agentIds: ['alice', 'bob'] }`. */
export function parseDashboardSelection(raw: unknown): { agentIds: string[] } {
  return parseMessage(z.strictObject({ agentIds }), raw, 'Agent dashboard');
}

/**
 * Validates a message from the page.
 * @throws Error naming the offending field, e.g. `agentIds: Too big...`
 */
export function parseDashboardPageMessage(raw: unknown): DashboardPageMessage {
  return parseMessage(dashboardPageMessageSchema, raw, 'Agent dashboard');
}
