/**
 * Messages between the Agent dashboard panel's page and its host (src/vscode/panels/): types and
 * constants only, so the page bundle carries no validation code. The host validates every page
 * message with the schemas of ./schema (zod/mini, host only); the page trusts the host.
 */

export const DASHBOARD_VIEW_TYPE = 'codexGovernance.agentDashboard';

/** Metrics the compare chart can overlay (all 0..1 except V, which is -1..1). */
export const METRICS = ['E', 'I', 'S', 'V', 'risk_score', 'coherence'] as const;
export type MetricName = (typeof METRICS)[number];

/** Most agents shown together in the compare chart. */
export const MAX_COMPARED = 8;
/** History points loaded per agent (the service's maximum). */
export const HISTORY_LIMIT = 1000;
/** Longest agent id the host accepts (characters). */
export const MAX_AGENT_ID = 200;

export type DashboardPageMessage =
  /** The page is listening; `agentIds` are those it restored after a reload. */
  | { type: 'ready'; agentIds?: string[] }
  /** Show these agents: the first in the detail charts, all of them in the compare chart. */
  | { type: 'select'; agentIds: string[] }
  /** The page drew these agents' charts with this many points of the first agent. */
  | { type: 'rendered'; agentIds: string[]; points: number };

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
  /** `note`: set when the server runs in another VS Code window (read over HTTP), says what that changes. */
  | { type: 'agents'; agents: AgentItem[]; total: number; note?: string }
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
