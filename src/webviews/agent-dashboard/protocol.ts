/**
 * Messages between the Agent dashboard panel's page and its host (src/vscode/panels/). The host
 * validates every page message with {@link parseDashboardPageMessage}; the page trusts the host.
 */
import { z } from 'zod';
import { parseMessage } from '../shared/parse';

export const DASHBOARD_VIEW_TYPE = 'codexGovernance.agentDashboard';

/** Metrics the compare chart can overlay (all 0..1 except V, which is -1..1). */
export const METRICS = ['E', 'I', 'S', 'V', 'risk_score', 'coherence'] as const;
export type MetricName = (typeof METRICS)[number];

/** Most agents shown together in the compare chart. */
export const MAX_COMPARED = 8;
/** History points loaded per agent (the service's maximum). */
export const HISTORY_LIMIT = 1000;

const agentIds = z.array(z.string().min(1).max(200)).max(MAX_COMPARED);

export const dashboardPageMessageSchema = z.discriminatedUnion('type', [
  /** The page is listening; `agentIds` are those it restored after a reload. */
  z.object({ type: z.literal('ready'), agentIds: agentIds.optional() }).strict(),
  /** Show these agents: the first in the detail charts, all of them in the compare chart. */
  z.object({ type: z.literal('select'), agentIds }).strict(),
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
  | { type: 'error'; message: string };

export interface DashboardPageState {
  agentIds: string[];
  metric: MetricName;
}

/**
 * Validates a message from the page.
 * @throws Error naming the offending field, e.g. `agentIds: Too big...`
 */
export function parseDashboardPageMessage(raw: unknown): DashboardPageMessage {
  return parseMessage(dashboardPageMessageSchema, raw, 'Agent dashboard');
}
