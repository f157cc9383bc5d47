/**
 * The governance service: the agent registry and the EISV update loop behind the tools
 * `process_agent_update`, `simulate_update`, `get_governance_metrics`, `list_agents`,
 * `observe_agent` and `health_check`. Dynamics and decisions come from `./eisv` (`applyUpdate`);
 * this service validates input, serializes updates per agent, persists through the store and
 * publishes `agent-created` / `agent-updated` events.
 *
 * Results use snake_case because they are the tools' wire shapes: the seed's clients read
 * `result.governance_decision.action` and `.reason`.
 */
import { applyUpdate, initialDynamics, type DynamicsState, type GovernanceDecision, type GovernanceMetrics } from './eisv';
import { NotFoundError, ValidationError } from './errors';
import type { GovernanceEvents } from './events';
import type { AgentRecord, AgentUpdateRecord, GovernanceStore, RecordUpdateInput } from './repository';

export interface UpdateRequest {
  agentId: string;
  /** What the agent did, one line; at most 10,000 characters. */
  operation?: string;
  /** 0..1 */
  complexity: number;
  /** 0..1 */
  confidence?: number;
  /** The calling client (MCP clientInfo), stored on the agent with the update instead of a separate touch. */
  clientName?: string;
  clientVersion?: string;
}

export interface DecisionView {
  action: GovernanceDecision['action'];
  reason: string;
  guidance?: string;
  /** UNITARES verdict (`safe`, `caution`, `high-risk`) when the model gives one. */
  verdict?: GovernanceDecision['verdict'];
}

export interface UpdateResult {
  agent_id: string;
  governance_decision: DecisionView;
  metrics: GovernanceMetrics;
  /** Stored updates of this agent including this one (for a simulation: as if it were stored). */
  update_count: number;
  /** ISO-8601 time of the update. */
  timestamp: string;
  /** Set when a dialectic resolution's condition capped the reported complexity (v1 `dialectic_enforcement_warning`). */
  dialectic_enforcement_warning?: string;
}

export interface SimulationResult extends UpdateResult {
  simulated: true;
}

export interface HistoryPoint {
  at: string;
  operation: string;
  complexity: number;
  confidence: number | null;
  E: number;
  I: number;
  S: number;
  V: number;
  coherence: number;
  risk_score: number;
  action: GovernanceDecision['action'];
  reason: string;
  guidance?: string;
}

export interface AgentSummary {
  agent_id: string;
  display_name: string | null;
  client_name: string | null;
  client_version: string | null;
  /** `active`, or `paused` after a PAUSE decision. */
  status: string;
  created_at: string;
  last_seen_at: string;
  update_count: number;
  /** null before the first update. */
  last_decision: (DecisionView & { at: string }) | null;
  /** null before the first update. */
  metrics: GovernanceMetrics | null;
}

export interface MetricsResult extends AgentSummary {
  /** Current E, I, S, V (the initial state before the first update). */
  eisv: { E: number; I: number; S: number; V: number };
  /** The most recent updates, oldest first. */
  history: HistoryPoint[];
}

export type TrendDirection = 'rising' | 'falling' | 'stable' | 'insufficient_data';

export interface Trend {
  /** Number of history points the trend is computed from. */
  window: number;
  risk: TrendDirection;
  /** Mean risk of the newer half minus mean of the older half, -1..1 (0 with fewer than 2 points). */
  risk_delta: number;
  coherence: TrendDirection;
  coherence_delta: number;
  /** PAUSE decisions in the window. */
  pauses: number;
}

export interface ObserveResult extends MetricsResult {
  trend: Trend;
}

export interface HealthResult {
  ok: boolean;
  /** `kind` is `sqlite` or `postgres`; `path` the file, or the PostgreSQL URL without password. */
  database: { kind: 'sqlite' | 'postgres'; path: string; schema_version: number } | null;
  counts: { agents: number; updates: number; discoveries: number; edges: number } | null;
  /** Present when `ok` is false. */
  error?: string;
}

/** Half-window mean differences below this are reported as `stable` (units of risk/coherence, 0..1). */
export const TREND_EPSILON = 0.02;
/** Limits the service checks; the tools' schemas (src/server/tools/governance-tools.ts) use the same numbers. */
export const GOVERNANCE_LIMITS = {
  agentId: 200,
  /** Characters of an update's `operation`. */
  operation: 10_000,
  /** Most history points one read returns. */
  history: 1000,
  /** Most agents one list returns. */
  agents: 1000,
} as const;
const MAX_OPERATION_CHARS = GOVERNANCE_LIMITS.operation;
const MAX_AGENT_ID_CHARS = GOVERNANCE_LIMITS.agentId;

/**
 * The highest complexity an agent's updates may report (0..1), or undefined for no cap: the
 * conditions a dialectic resolution stored for it (src/dialectic). UNITARES v1 enforces them in
 * `src/mcp_handlers/core.py` (CIRWEL/governance-mcp-v1-backup @ e162fb7) by lowering the complexity.
 */
export type ComplexityCap = (agentId: string) => Promise<number | undefined>;

export class GovernanceService {
  private readonly queues = new Map<string, Promise<unknown>>();

  /**
   * @param clock ms since epoch; injectable so tests control the drift between updates
   * @param complexityCap consulted on every stored update (dialectic conditions), except by a store
   *   with `updateAtomically`, which reads the cap from its own conditions with the agent's state
   */
  constructor(
    private readonly store: GovernanceStore,
    private readonly events: GovernanceEvents,
    private readonly clock: () => number = Date.now,
    private readonly complexityCap?: ComplexityCap,
  ) {}

  /**
   * Registers the agent on first sight (emitting `agent-created`), otherwise refreshes its
   * `last_seen_at` and client info.
   * @throws ValidationError (`agent_id`)
   */
  async ensureAgent(agentId: string, info: { clientName?: string; clientVersion?: string } = {}): Promise<AgentSummary> {
    const id = checkAgentId(agentId);
    const { agent, created } = await this.store.agents.ensure({ id, clientName: info.clientName, clientVersion: info.clientVersion, atMs: this.clock() });
    if (created) this.events.emit('agent-created', { agentId: id, clientName: agent.clientName, clientVersion: agent.clientVersion });
    return summarize(agent);
  }

  /**
   * Applies one update to the agent's EISV state (creating the agent if new), stores the new
   * state and the history row in one transaction, and emits `agent-updated`. Updates of one agent
   * are applied one at a time, in call order.
   * @throws ValidationError naming `agent_id`, `complexity`, `confidence` or `operation`
   */
  async processUpdate(request: UpdateRequest): Promise<UpdateResult> {
    const input = checkUpdate(request);
    // The per-agent queue covers read, decide and write, not the durable commit: the store runs
    // statements in call order on one connection, so the next update of this agent reads this one's
    // state at once (and shares its group commit) instead of waiting a commit per update. Each
    // caller is still answered only after its own write is durable.
    const { existed, complexity, outcome, nowMs, written } = await this.serialized(input.agentId, async () => {
      let decided: { complexity: number; outcome: ReturnType<typeof applyUpdate>; nowMs: number } | undefined;
      // eslint-disable-next-line @typescript-eslint/require-await -- the repository's DecideUpdate returns a promise
      const decide = async (existing: { dynamics: DynamicsState | null } | undefined, cap: number | undefined): Promise<RecordUpdateInput> => {
        const complexity = cap !== undefined && input.complexity > cap ? cap : input.complexity;
        const nowMs = this.clock();
        const outcome = applyUpdate(validDynamics(existing?.dynamics), { complexity, nowMs, confidence: input.confidence, operation: input.operation });
        decided = { complexity, outcome, nowMs };
        return {
          agentId: input.agentId,
          atMs: nowMs,
          operation: input.operation,
          complexity,
          confidence: input.confidence,
          dynamics: outcome.state,
          metrics: outcome.metrics,
          decision: outcome.decision,
          ...(request.clientName !== undefined ? { clientName: request.clientName } : {}),
          ...(request.clientVersion !== undefined ? { clientVersion: request.clientVersion } : {}),
        };
      };
      // A store shared by several servers (PostgreSQL) decides there, again if another server wrote
      // first or stored a condition meanwhile: it reads the cap itself, with the state.
      if (this.store.agents.updateAtomically) {
        const done = await this.store.agents.updateAtomically(input.agentId, this.clock(), decide);
        return { existed: done.existed, ...decided!, written: Promise.resolve(done.agent) };
      }
      const cap = await this.complexityCap?.(input.agentId);
      const existing = await this.store.agents.dynamics(input.agentId);
      const written = this.store.agents.recordUpdate(await decide(existing, cap));
      // Settled by the awaiting caller below; the queue must not wait for it.
      written.catch(() => undefined);
      return { existed: existing !== undefined, ...decided!, written };
    });
    const agent = await written;
    const at = agent.lastDecision?.at ?? new Date(nowMs).toISOString();
    if (!existed) this.events.emit('agent-created', { agentId: agent.id, clientName: agent.clientName, clientVersion: agent.clientVersion });
    this.events.emit('agent-updated', { agentId: agent.id, metrics: outcome.metrics, decision: outcome.decision, updateCount: agent.updateCount, at });
    return {
      agent_id: agent.id,
      governance_decision: decisionView(outcome.decision),
      metrics: outcome.metrics,
      update_count: agent.updateCount,
      timestamp: at,
      ...(complexity < input.complexity
        ? { dialectic_enforcement_warning: `Dialectic condition enforced: complexity ${input.complexity.toFixed(2)} capped to ${complexity.toFixed(2)}.` }
        : {}),
    };
  }

  /**
   * The result `processUpdate` would return now, computed from the agent's current state (the
   * initial state for an unknown agent). Stores nothing, emits nothing.
   * @throws ValidationError as processUpdate
   */
  async simulateUpdate(request: UpdateRequest): Promise<SimulationResult> {
    const input = checkUpdate(request);
    const existing = await this.store.agents.get(input.agentId);
    const nowMs = this.clock();
    const outcome = applyUpdate(dynamicsOf(existing), { complexity: input.complexity, nowMs, confidence: input.confidence, operation: input.operation });
    return {
      agent_id: input.agentId,
      governance_decision: decisionView(outcome.decision),
      metrics: outcome.metrics,
      update_count: (existing?.updateCount ?? 0) + 1,
      timestamp: new Date(nowMs).toISOString(),
      simulated: true,
    };
  }

  /**
   * Current metrics, last decision and the `historyLimit` (default 20, 0..1000) most recent updates.
   * @throws NotFoundError naming the agent_id when the agent was never seen
   */
  async getMetrics(agentId: string, options: { historyLimit?: number } = {}): Promise<MetricsResult> {
    const id = checkAgentId(agentId);
    const limit = checkLimit('history_limit', options.historyLimit ?? 20, 0, GOVERNANCE_LIMITS.history);
    const agent = await this.store.agents.get(id);
    if (!agent) throw unknownAgent(id);
    const history = await this.store.agents.history(id, { limit });
    return detail(agent, history);
  }

  /**
   * Agents most recently seen first, with their last decision and metrics.
   * @param options.limit 1..1000, default 100
   * @param options.status only agents with this status (`active`, `paused`)
   */
  async listAgents(options: { limit?: number; status?: string } = {}): Promise<{ agents: AgentSummary[]; count: number; total: number }> {
    const limit = checkLimit('limit', options.limit ?? 100, 1, GOVERNANCE_LIMITS.agents);
    const status = options.status?.trim() || undefined;
    const [records, counts] = await Promise.all([this.store.agents.list({ limit, status }), this.store.agents.counts()]);
    return { agents: records.map(summarize), count: records.length, total: counts.agents };
  }

  /**
   * Another agent's state, history (default 50 points) and trend: the mean risk and coherence of
   * the newer half of the window against the older half (`rising`/`falling` beyond
   * {@link TREND_EPSILON}, else `stable`; fewer than 2 points: `insufficient_data`).
   * @throws NotFoundError naming the agent_id
   */
  async observeAgent(agentId: string, options: { historyLimit?: number } = {}): Promise<ObserveResult> {
    const id = checkAgentId(agentId);
    const limit = checkLimit('history_limit', options.historyLimit ?? 50, 0, GOVERNANCE_LIMITS.history);
    const agent = await this.store.agents.get(id);
    if (!agent) throw unknownAgent(id);
    const history = await this.store.agents.history(id, { limit });
    return { ...detail(agent, history), trend: trendOf(history) };
  }

  /** Store status and counts; never throws (a failing store gives `ok: false` and `error`). */
  async health(): Promise<HealthResult> {
    try {
      const [info, agents, discoveries] = await Promise.all([this.store.info(), this.store.agents.counts(), this.store.discoveries.counts()]);
      return {
        ok: true,
        database: { kind: info.kind, path: info.path, schema_version: info.schemaVersion },
        counts: { agents: agents.agents, updates: agents.updates, discoveries: discoveries.discoveries, edges: discoveries.edges },
      };
    } catch (err) {
      return { ok: false, database: null, counts: null, error: (err as Error)?.message ?? String(err) };
    }
  }

  /** Runs `task` after every earlier task of the same agent (read-modify-write of its dynamics). */
  private serialized<T>(agentId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(agentId) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    this.queues.set(agentId, tail);
    void tail.then(() => {
      if (this.queues.get(agentId) === tail) this.queues.delete(agentId);
    });
    return run;
  }
}

function checkAgentId(agentId: unknown): string {
  if (typeof agentId !== 'string' || !agentId.trim()) {
    throw new ValidationError('agent_id', 'agent_id must be a non-empty string (a stable id for the agent, e.g. "codex_refactor_agent").');
  }
  const id = agentId.trim();
  if (id.length > MAX_AGENT_ID_CHARS) throw new ValidationError('agent_id', `agent_id is ${id.length} characters long; the limit is ${MAX_AGENT_ID_CHARS}.`);
  return id;
}

function checkUnit(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ValidationError(field, `${field} must be a number from 0 to 1 (got ${JSON.stringify(value) ?? String(value)}).`);
  }
  return value;
}

function checkLimit(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new ValidationError(field, `${field} must be an integer from ${min} to ${max} (got ${value}).`);
  return value;
}

function checkUpdate(request: UpdateRequest): { agentId: string; operation: string; complexity: number; confidence?: number } {
  const agentId = checkAgentId(request.agentId);
  const complexity = checkUnit('complexity', request.complexity);
  const confidence = request.confidence === undefined || request.confidence === null ? undefined : checkUnit('confidence', request.confidence);
  const operation = request.operation ?? '';
  if (typeof operation !== 'string') throw new ValidationError('operation', 'operation must be a string describing the work.');
  if (operation.length > MAX_OPERATION_CHARS) {
    throw new ValidationError('operation', `operation is ${operation.length} characters long; the limit is ${MAX_OPERATION_CHARS}. Summarize it in one line.`);
  }
  return { agentId, operation, complexity, confidence };
}

function unknownAgent(id: string): NotFoundError {
  return new NotFoundError('agent', id, `No agent with agent_id "${id}" is known. An agent appears after its first process_agent_update; see list_agents.`);
}

/** Stored dynamics, or the initial state for a new agent (or one whose stored state is unreadable). */
function dynamicsOf(agent: AgentRecord | undefined): DynamicsState {
  return validDynamics(agent?.dynamics);
}

function validDynamics(d: DynamicsState | null | undefined): DynamicsState {
  return d && typeof d === 'object' && d.eisv && typeof d.eisv === 'object' ? d : initialDynamics();
}

function decisionView(decision: GovernanceDecision): DecisionView {
  return {
    action: decision.action,
    reason: decision.reason,
    ...(decision.guidance ? { guidance: decision.guidance } : {}),
    ...(decision.verdict ? { verdict: decision.verdict } : {}),
  };
}

function summarize(agent: AgentRecord): AgentSummary {
  return {
    agent_id: agent.id,
    display_name: agent.displayName,
    client_name: agent.clientName,
    client_version: agent.clientVersion,
    status: agent.status,
    created_at: agent.createdAt,
    last_seen_at: agent.lastSeenAt,
    update_count: agent.updateCount,
    last_decision: agent.lastDecision ? { ...decisionView(agent.lastDecision), at: agent.lastDecision.at } : null,
    metrics: agent.lastMetrics,
  };
}

function detail(agent: AgentRecord, history: AgentUpdateRecord[]): MetricsResult {
  const { E, I, S, V } = dynamicsOf(agent).eisv;
  return { ...summarize(agent), eisv: { E, I, S, V }, history: history.map(historyPoint) };
}

/** One stored update as the tools show it (snake_case fields). */
export function historyPoint(row: AgentUpdateRecord): HistoryPoint {
  return {
    at: row.at,
    operation: row.operation,
    complexity: row.complexity,
    confidence: row.confidence,
    E: row.E,
    I: row.I,
    S: row.S,
    V: row.V,
    coherence: row.coherence,
    risk_score: row.riskScore,
    action: row.action,
    reason: row.reason,
    ...(row.guidance ? { guidance: row.guidance } : {}),
  };
}

function trendOf(history: AgentUpdateRecord[]): Trend {
  const pauses = history.filter((h) => h.action === 'PAUSE').length;
  if (history.length < 2) {
    return { window: history.length, risk: 'insufficient_data', risk_delta: 0, coherence: 'insufficient_data', coherence_delta: 0, pauses };
  }
  const half = Math.floor(history.length / 2);
  const older = history.slice(0, half);
  const newer = history.slice(history.length - half);
  const delta = (pick: (h: AgentUpdateRecord) => number) => mean(newer.map(pick)) - mean(older.map(pick));
  const riskDelta = delta((h) => h.riskScore);
  const coherenceDelta = delta((h) => h.coherence);
  return {
    window: history.length,
    risk: direction(riskDelta),
    risk_delta: round(riskDelta),
    coherence: direction(coherenceDelta),
    coherence_delta: round(coherenceDelta),
    pauses,
  };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function direction(delta: number): TrendDirection {
  return delta > TREND_EPSILON ? 'rising' : delta < -TREND_EPSILON ? 'falling' : 'stable';
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
