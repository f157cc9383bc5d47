/**
 * The Agent dashboard panel's host logic, without `vscode`: the agent list, the selected agents'
 * EISV history (`observe_agent`, oldest first) and live points from the client's agent updates
 * (at once from this window's server, polled from another window's; read again when the agent
 * list counts updates no event brought, i.e. another server's on a shared database), their anomalies and open
 * peer reviews (./agent-dashboard-details, refreshed after new points and review changes), and
 * the first agent's similar agents (`compare_me_to_similar`). One instance per open panel.
 */
import type { AgentUpdate, GovernanceClient } from '../../client/types';
import type { HistoryPoint } from '../../core/governance';
import { HISTORY_LIMIT, type AgentItem, type AgentSeries, type DashboardHostMessage, type SeriesPoint } from '../../webviews/agent-dashboard/protocol';
import { parseDashboardPageMessage, parseDashboardSelection } from '../../webviews/agent-dashboard/schema';
import { openReviews, readComparison, readDetails } from './agent-dashboard-details';
import { currentClient, type PanelClientSource } from './data';
import { RenderWaiter } from './render-waiter';

/** What the page drew last: the agents shown and the first one's number of points. */
export interface DashboardRenderReport {
  agentIds: string[];
  points: number;
  /** Renders reported by this panel's pages so far, this one included. */
  renders: number;
}

export interface AgentDashboardHandlerOptions {
  /** Delay (ms) that coalesces new-agent events into one agent list refresh. Default 500. */
  agentsDelayMs?: number;
  /** Opens the Review panel of a dialectic session (the page's "Open Review"). */
  openReview?: (sessionId: string) => void;
}

/** Agents offered in the picker, most recently seen first. */
const AGENT_LIST_LIMIT = 1000;
/** Said above the charts when they come from another window's server. */
export const REMOTE_DASHBOARD_NOTE = 'Read from the governance server of another VS Code window; new updates appear within a few seconds.';

export class AgentDashboardHandler {
  private selected: string[] = [];
  private readonly subscriptions: (() => void)[] = [];
  private agentsTimer: ReturnType<typeof setTimeout> | undefined;
  private detailsTimer: ReturnType<typeof setTimeout> | undefined;
  /** Each listed agent's status, for the details. */
  private statuses = new Map<string, string>();
  /**
   * Per selected agent, the updates its charts hold (the history's update count, plus the live
   * points since): an agent list that counts more means updates no event brought (another server
   * on a shared database), and the series is read again.
   */
  private readonly charted = new Map<string, number>();
  private generation = 0;
  private ready = false;
  private pending: string[] | undefined;
  private readonly renders = new RenderWaiter<DashboardRenderReport>();
  private lastReport: DashboardRenderReport | undefined;

  constructor(
    private readonly client: PanelClientSource,
    private readonly post: (message: DashboardHostMessage) => void,
    private readonly options: AgentDashboardHandlerOptions = {},
  ) {}

  /** Handles one raw message from the page; failures are posted to the page as `error`, never thrown. */
  async handle(raw: unknown): Promise<void> {
    try {
      const message = parseDashboardPageMessage(raw);
      if (message.type === 'rendered') {
        this.lastReport = { agentIds: message.agentIds, points: message.points, renders: (this.lastReport?.renders ?? 0) + 1 };
        return this.renders.resolve(this.lastReport);
      }
      if (message.type === 'openReview') return this.options.openReview?.(message.sessionId);
      const client = currentClient(this.client);
      if (message.type === 'ready') {
        this.subscribe(client);
        this.ready = true;
        const wanted = this.pending ?? message.agentIds ?? [];
        this.pending = undefined;
        const agents = await this.postAgents(client);
        // A restored selection may name agents that are gone; fall back to the most recent one.
        const known = new Set(agents.map((a) => a.agentId));
        const restored = wanted.filter((id) => known.has(id));
        const first = agents[0];
        return await this.select(client, restored.length > 0 ? restored : first ? [first.agentId] : []);
      }
      return await this.select(client, message.agentIds);
    } catch (err) {
      this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * Selects agents chosen outside the page (the show command's argument), through the page so its
   * pickers match: before `ready` it replaces the restored selection.
   * @throws Error naming the bad field of `raw`
   */
  apply(raw: unknown): void {
    const { agentIds } = parseDashboardSelection(raw);
    if (this.ready) this.post({ type: 'apply', agentIds });
    else this.pending = agentIds;
  }

  /** Resolves with the page's next render report; rejects after `timeoutMs` (ms). */
  nextRender(timeoutMs: number): Promise<DashboardRenderReport> {
    return this.renders.next('Agent dashboard', timeoutMs);
  }

  lastRender(): DashboardRenderReport | undefined {
    return this.lastReport;
  }

  dispose(): void {
    for (const off of this.subscriptions.splice(0)) off();
    if (this.agentsTimer) clearTimeout(this.agentsTimer);
    if (this.detailsTimer) clearTimeout(this.detailsTimer);
    this.renders.dispose();
  }

  /** Listens to the client in use (a reloaded page may come after the server moved to another window). */
  private subscribe(client: GovernanceClient): void {
    for (const off of this.subscriptions.splice(0)) off();
    this.subscriptions.push(
      client.onAgentUpdate((u) => this.onUpdate(u)),
      // A new agent (no update yet) joins the picker too.
      client.onDidChange((topics) => {
        if (topics.has('agents')) this.refreshAgentsSoon();
        if (topics.has('reviews')) {
          this.refreshAgentsSoon();
          this.refreshDetailsSoon();
        }
      }),
    );
  }

  private onUpdate(u: AgentUpdate): void {
    this.refreshAgentsSoon();
    if (!this.selected.includes(u.agentId)) return;
    const { agentId, ...point } = u;
    const charted = this.charted.get(agentId);
    if (charted !== undefined) this.charted.set(agentId, charted + 1);
    this.post({ type: 'point', agentId, point });
    // A new point may start (or end) a risk spike, a coherence drop or a void event.
    this.refreshDetailsSoon();
  }

  private refreshDetailsSoon(): void {
    this.detailsTimer ??= setTimeout(() => {
      this.detailsTimer = undefined;
      const client = this.client();
      if (!client || this.selected.length === 0) return;
      const generation = this.generation;
      void readDetails(client, this.selected, this.statuses)
        .then((details) => {
          if (generation === this.generation) this.post({ type: 'details', details });
        })
        .catch(() => undefined);
    }, this.options.agentsDelayMs ?? 500);
  }

  private refreshAgentsSoon(): void {
    this.agentsTimer ??= setTimeout(() => {
      this.agentsTimer = undefined;
      const client = this.client();
      if (client) void this.postAgents(client).then((agents) => this.catchUp(client, agents), () => undefined);
    }, this.options.agentsDelayMs ?? 500);
  }

  /** Reads the selected agents' series again when the list counts updates their charts lack. */
  private async catchUp(client: GovernanceClient, agents: AgentItem[]): Promise<void> {
    const behind = agents.some((a) => this.selected.includes(a.agentId) && a.updateCount > (this.charted.get(a.agentId) ?? Infinity));
    if (behind) await this.select(client, this.selected).catch(() => undefined);
  }

  private async postAgents(client: GovernanceClient): Promise<AgentItem[]> {
    const [{ agents, total }, reviews] = await Promise.all([client.agentsPage(AGENT_LIST_LIMIT), openReviews(client)]);
    this.statuses = new Map(agents.map((a) => [a.agent_id, a.status]));
    const items = agents.map((a) => ({
      agentId: a.agent_id,
      status: a.status,
      updateCount: a.update_count,
      lastAction: a.last_decision?.action ?? null,
      lastSeenAt: a.last_seen_at,
      underReview: reviews.has(a.agent_id),
    }));
    this.post({ type: 'agents', agents: items, total, ...(client.kind === 'http' ? { note: REMOTE_DASHBOARD_NOTE } : {}) });
    return items;
  }

  private async select(client: GovernanceClient, agentIds: string[]): Promise<void> {
    const generation = ++this.generation;
    const ids = [...new Set(agentIds)];
    const counts = new Map<string, number>();
    const series: AgentSeries[] = await Promise.all(
      ids.map(async (agentId) => {
        const observed = await client.observeAgent(agentId, HISTORY_LIMIT);
        counts.set(agentId, observed.update_count);
        return {
          agentId,
          points: observed.history.map(toPoint),
          trend: { risk: observed.trend.risk, coherence: observed.trend.coherence, pauses: observed.trend.pauses },
        };
      }),
    );
    const [details, comparison] = await Promise.all([readDetails(client, ids, this.statuses), ids[0] === undefined ? Promise.resolve(null) : readComparison(client, ids[0])]);
    if (generation !== this.generation) return; // a newer selection replaced this one
    this.selected = ids;
    this.charted.clear();
    for (const [id, n] of counts) this.charted.set(id, n);
    this.post({ type: 'series', agentIds: ids, series, details, comparison });
  }
}

function toPoint(h: HistoryPoint): SeriesPoint {
  return {
    at: h.at,
    E: h.E,
    I: h.I,
    S: h.S,
    V: h.V,
    risk_score: h.risk_score,
    coherence: h.coherence,
    action: h.action,
    reason: h.reason,
    operation: h.operation,
  };
}

