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

/**
 * What each number means, in plain words (the legend and the tooltips). Sources: the EISV
 * equations and decision rules of src/core/eisv.ts (UNITARES v1), the labels of
 * src/core/observability.ts EISV_LABELS.
 */
export const METRIC_HELP: Readonly<Record<MetricName, string>> = {
  E: 'Energy: how much drive the agent has to make progress. It follows I and is drained by disorder (S).',
  I: 'Information integrity: how consistent and trustworthy its work is. Disorder (S) wears it down; coherence builds it back.',
  S: 'Entropy: how scattered or uncertain the work is. Complex changes and erratic updates raise it; it fades with rest.',
  V: 'Void: the built-up gap between energy and integrity (E minus I). Near 0 is balanced; past its threshold the agent is paused.',
  risk_score: 'Risk: how likely this work is to go wrong, from complexity, coherence and sustained load. Under 0.35 PROCEED, under 0.60 PROCEED with guidance, above PAUSE.',
  coherence: 'Coherence: how well energy and integrity hold together (it falls as |V| grows). Below its floor the agent is paused.',
};

export type DashboardPageMessage =
  /** The page is listening; `agentIds` are those it restored after a reload. */
  | { type: 'ready'; agentIds?: string[] }
  /** Open the Review panel of this dialectic session. */
  | { type: 'openReview'; sessionId: string }
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
  /** An open peer review was asked for this agent (its PAUSE is under review). */
  underReview: boolean;
}

/** A finding of `detect_anomalies` (risk spike, coherence drop, void event). */
export interface SeriesAnomaly {
  type: string;
  severity: string;
  /** ISO time of the update it is about (a void event: its onset), or null. */
  at: string | null;
  description: string;
}

/** The open peer review of an agent. */
export interface AgentReview {
  sessionId: string;
  phase: string;
  /** The reviewer's id, `you`, or `open slot`. */
  reviewer: string;
  /** Whose turn it is, in words. */
  turn: string;
  /** ISO time the current phase (or the session) fails if nobody acts. */
  deadline: string | null;
}

/** What the charts mark beside an agent's points. */
export interface AgentDetails {
  agentId: string;
  anomalies: SeriesAnomaly[];
  review: AgentReview | null;
  status: string;
}

/** `compare_me_to_similar` for the first selected agent. */
export interface Comparison {
  agentId: string;
  /** The server's sentence, or why there is no comparison (no update yet). */
  message: string;
  similar: Array<{ agentId: string; similarity: number; status: string; updates: number; differences: { E: number; I: number; S: number; coherence: number } }>;
  /** What similar agents do better, per agent. */
  insights: Array<{ agentId: string; insights: string[] }>;
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
  | { type: 'series'; agentIds: string[]; series: AgentSeries[]; details: AgentDetails[]; comparison: Comparison | null }
  /** The shown agents' anomalies and reviews as they are now (after new updates or a review change). */
  | { type: 'details'; details: AgentDetails[] }
  /** A new update of a shown agent. */
  | { type: 'point'; agentId: string; point: SeriesPoint }
  /** Select these agents as if picked (the show command's argument); the page answers with `select`. */
  | { type: 'apply'; agentIds: string[] }
  | { type: 'error'; message: string };

export interface DashboardPageState {
  agentIds: string[];
  metric: MetricName;
}
