/**
 * The Agent dashboard panel's host logic, without `vscode`: the agent list, the selected agents'
 * EISV history (GovernanceService.observeAgent, oldest first) and live points from `agent-updated`
 * events. One instance per open panel.
 */
import type { HistoryPoint } from '../../core/governance';
import type { GovernanceEventMap } from '../../core/events';
import { HISTORY_LIMIT, type AgentItem, type AgentSeries, type DashboardHostMessage, type SeriesPoint } from '../../webviews/agent-dashboard/protocol';
import { parseDashboardPageMessage, parseDashboardSelection } from '../../webviews/agent-dashboard/schema';
import { NO_SERVER_MESSAGE, type PanelData, type PanelDataSource } from './data';
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
}

/** Agents offered in the picker, most recently seen first. */
const AGENT_LIST_LIMIT = 1000;

export class AgentDashboardHandler {
  private selected: string[] = [];
  private readonly subscriptions: (() => void)[] = [];
  private agentsTimer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private ready = false;
  private pending: string[] | undefined;
  private readonly renders = new RenderWaiter<DashboardRenderReport>();
  private lastReport: DashboardRenderReport | undefined;

  constructor(
    private readonly data: PanelDataSource,
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
      const data = this.data();
      if (!data) throw new Error(NO_SERVER_MESSAGE);
      if (message.type === 'ready') {
        this.subscribe(data);
        this.ready = true;
        const wanted = this.pending ?? message.agentIds ?? [];
        this.pending = undefined;
        const agents = await this.postAgents(data);
        // A restored selection may name agents that are gone; fall back to the most recent one.
        const known = new Set(agents.map((a) => a.agentId));
        const restored = wanted.filter((id) => known.has(id));
        const first = agents[0];
        return await this.select(data, restored.length > 0 ? restored : first ? [first.agentId] : []);
      }
      return await this.select(data, message.agentIds);
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
  }

  private subscribe(data: PanelData): void {
    if (this.subscriptions.length > 0) return;
    this.subscriptions.push(
      data.events.on('agent-updated', (e) => this.onUpdate(e)),
      data.events.on('agent-created', () => this.refreshAgentsSoon()),
    );
  }

  private onUpdate(e: GovernanceEventMap['agent-updated']): void {
    this.refreshAgentsSoon();
    if (!this.selected.includes(e.agentId)) return;
    const m = e.metrics;
    this.post({
      type: 'point',
      agentId: e.agentId,
      point: {
        at: e.at,
        E: m.E,
        I: m.I,
        S: m.S,
        V: m.V,
        risk_score: m.risk_score,
        coherence: m.coherence,
        action: e.decision.action,
        reason: e.decision.reason,
        operation: '',
      },
    });
  }

  private refreshAgentsSoon(): void {
    this.agentsTimer ??= setTimeout(() => {
      this.agentsTimer = undefined;
      const data = this.data();
      if (data) void this.postAgents(data).catch(() => undefined);
    }, this.options.agentsDelayMs ?? 500);
  }

  private async postAgents(data: PanelData): Promise<AgentItem[]> {
    const { agents, total } = await data.governance.listAgents({ limit: AGENT_LIST_LIMIT });
    const items = agents.map((a) => ({
      agentId: a.agent_id,
      status: a.status,
      updateCount: a.update_count,
      lastAction: a.last_decision?.action ?? null,
      lastSeenAt: a.last_seen_at,
    }));
    this.post({ type: 'agents', agents: items, total });
    return items;
  }

  private async select(data: PanelData, agentIds: string[]): Promise<void> {
    const generation = ++this.generation;
    const ids = [...new Set(agentIds)];
    const series: AgentSeries[] = await Promise.all(
      ids.map(async (agentId) => {
        const observed = await data.governance.observeAgent(agentId, { historyLimit: HISTORY_LIMIT });
        return {
          agentId,
          points: observed.history.map(toPoint),
          trend: { risk: observed.trend.risk, coherence: observed.trend.coherence, pauses: observed.trend.pauses },
        };
      }),
    );
    if (generation !== this.generation) return; // a newer selection replaced this one
    this.selected = ids;
    this.post({ type: 'series', agentIds: ids, series });
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

