/**
 * Prometheus metrics (prom-client), one registry per server so several servers in one process
 * (tests, the extension restarting) never share counters. Metric names follow the seed's
 * Codex MCP server (`codex_mcp_*`) plus the governance counters from the design.
 */
import type * as Prom from 'prom-client';
import type { RiskApprovalBroker } from '../approvals/broker';
import type { CodexSupervisor } from '../supervisor/supervisor';

// prom-client's index also loads its Pushgateway (http, https, zlib), the cluster aggregator and
// the default process metrics: about 20 ms CPU of every first server start (loading
// dist/on-demand.js, median of 15 interleaved rounds on 2 vCPU: 338 -> 316 ms). The classes used
// here come from their own files in prom-client 15's lib/ (no package "exports" map), the default
// metrics only when asked for.
/* eslint-disable @typescript-eslint/no-require-imports */
const Registry = require('prom-client/lib/registry') as typeof Prom.Registry;
const Counter = require('prom-client/lib/counter') as typeof Prom.Counter;
const Gauge = require('prom-client/lib/gauge') as typeof Prom.Gauge;
const Histogram = require('prom-client/lib/histogram') as typeof Prom.Histogram;
const collectDefaultMetrics = (config: Prom.DefaultMetricsCollectorConfiguration<Prom.RegistryContentType>): void => (require('prom-client/lib/defaultMetrics') as typeof Prom.collectDefaultMetrics)(config);
/* eslint-enable @typescript-eslint/no-require-imports */

export class ServerMetrics {
  readonly registry = new Registry();
  /** Latency of every tool call handled by this server, seconds, by tool. */
  readonly responseTime = new Histogram({
    name: 'codex_mcp_response_time_seconds',
    help: 'Tool call latency in seconds, by tool',
    labelNames: ['tool'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly toolCalls = new Counter({
    name: 'governance_tool_calls_total',
    help: 'Tool calls by tool and outcome (ok or an error code)',
    labelNames: ['tool', 'outcome'],
    registers: [this.registry],
  });
  readonly decisions = new Counter({
    name: 'governance_decisions_total',
    help: 'Governance decisions by action (PROCEED, PAUSE)',
    labelNames: ['action'],
    registers: [this.registry],
  });
  readonly discoveries = new Counter({
    name: 'governance_discoveries_stored_total',
    help: 'Discoveries stored in the knowledge graph',
    registers: [this.registry],
  });
  readonly mcpSessions = new Gauge({
    name: 'governance_mcp_sessions',
    help: 'Open MCP sessions over Streamable HTTP',
    registers: [this.registry],
  });
  readonly httpRequests = new Counter({
    name: 'governance_http_requests_total',
    help: 'HTTP requests by route and status code',
    labelNames: ['route', 'status'],
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'governance_rate_limited_total',
    help: 'Requests refused by the per-agent rate limit',
    registers: [this.registry],
  });

  /** Codex sessions holding a process (starting, running or idle). */
  readonly codexActiveSessions = new Gauge({
    name: 'codex_mcp_active_sessions_total',
    help: 'Codex sessions currently active (starting, running or idle)',
    registers: [this.registry],
  });
  /** Lifetime of ended Codex sessions, seconds. */
  readonly codexSessionDuration = new Histogram({
    name: 'codex_mcp_session_duration_seconds',
    help: 'Lifetime of ended Codex sessions in seconds, by backend',
    labelNames: ['backend'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  /** Share of Codex turns (codex / codex-reply calls) that returned an answer, 0..1. */
  readonly codexSuccessRate = new Gauge({
    name: 'codex_mcp_session_success_rate',
    help: 'Share of Codex turns that returned an answer (0..1)',
    registers: [this.registry],
  });
  readonly codexTurns = new Counter({
    name: 'codex_mcp_turns_total',
    help: 'Codex turns by backend and outcome (ok, codex, deadline, cancelled, lost, closed, start)',
    labelNames: ['backend', 'outcome'],
    registers: [this.registry],
  });
  /**
   * Tokens reported by Codex (Responses API usage, by `backend`) and by governed OpenAI agent runs
   * (`backend="openai-agent"`, by `model`), by kind: input, cached_input, output, reasoning_output.
   */
  readonly codexTokens = new Counter({
    name: 'codex_mcp_tokens_consumed_total',
    help: 'Tokens consumed by Codex sessions and governed agent runs, by kind (input, cached_input, output, reasoning_output), backend and model',
    labelNames: ['kind', 'backend', 'model'],
    registers: [this.registry],
  });
  /** Cost of governed agent runs' model turns, USD, by model (models in the price table only). */
  readonly modelCost = new Counter({
    name: 'codex_mcp_cost_usd_total',
    help: 'Cost of governed agent model turns in USD, by model (from the price table)',
    labelNames: ['model'],
    registers: [this.registry],
  });
  readonly codexChildReady = new Histogram({
    name: 'codex_mcp_child_ready_seconds',
    help: 'Spawn-to-ready time of Codex child processes in seconds, by backend',
    labelNames: ['backend'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });

  /** Approval requests by risk, decision (allow_once, allow_session, deny) and who decided (person, policy, session-grant, timeout, cancelled, error). */
  readonly approvals = new Counter({
    name: 'governance_approvals_total',
    help: 'Approval requests by risk, decision and decided_by',
    labelNames: ['risk', 'decision', 'decided_by'],
    registers: [this.registry],
  });
  /** Request-to-answer time of approvals, seconds, by who decided. */
  readonly approvalWait = new Histogram({
    name: 'governance_approval_decision_seconds',
    help: 'Time from an approval request to its answer in seconds, by decided_by',
    labelNames: ['decided_by'],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  readonly approvalsPending = new Gauge({
    name: 'governance_approvals_pending',
    help: 'Approval requests waiting for a person',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'governance_process_' });
  }

  observeToolCall(tool: string, outcome: string, seconds: number): void {
    this.toolCalls.inc({ tool, outcome });
    if (outcome === 'ok' || seconds > 0) this.responseTime.observe({ tool }, seconds);
  }

  /** One model turn of a governed agent run (`record_model_usage`): its tokens, and its cost (USD) when priced. */
  recordModelUsage(model: string, tokens: { input: number; output: number; cachedInput: number }, cost: number | null): void {
    const add = (kind: string, n: number) => n > 0 && this.codexTokens.inc({ kind, backend: 'openai-agent', model }, n);
    add('input', tokens.input);
    add('cached_input', tokens.cachedInput);
    add('output', tokens.output);
    if (cost !== null) this.modelCost.inc({ model }, cost);
  }

  /** Feeds the Codex metrics from the supervisor's events; returns the unsubscribe function. */
  observeCodex(events: CodexSupervisor['events']): () => void {
    let ok = 0;
    let all = 0;
    const ended = new Set<string>();
    const onTurn = (e: { backend: string; ok: boolean; kind: string }) => {
      all++;
      if (e.ok) ok++;
      this.codexTurns.inc({ backend: e.backend, outcome: e.kind });
      this.codexSuccessRate.set(ok / all);
    };
    const onUsage = (e: { backend: string; usage: { input: number; cachedInput: number; output: number; reasoningOutput: number } }) => {
      const add = (kind: string, n: number) => n > 0 && this.codexTokens.inc({ kind, backend: e.backend }, n);
      add('input', e.usage.input);
      add('cached_input', e.usage.cachedInput);
      add('output', e.usage.output);
      add('reasoning_output', e.usage.reasoningOutput);
    };
    const active = new Set<string>();
    const onSession = (r: { id: string; status: string; backend: string; createdAt: string; endedAt: string | null }) => {
      const isActive = r.status === 'starting' || r.status === 'running' || r.status === 'idle';
      if (isActive) {
        active.add(r.id);
        ended.delete(r.id);
      } else {
        active.delete(r.id);
        if (r.endedAt && !ended.has(r.id)) {
          ended.add(r.id);
          this.codexSessionDuration.observe({ backend: r.backend }, Math.max(0, (Date.parse(r.endedAt) - Date.parse(r.createdAt)) / 1000));
        }
      }
      this.codexActiveSessions.set(active.size);
    };
    const onReady = (e: { backend: string; readyMs: number }) => this.codexChildReady.observe({ backend: e.backend }, e.readyMs / 1000);
    events.on('turn-finished', onTurn);
    events.on('usage', onUsage);
    events.on('session-changed', onSession);
    events.on('child-started', onReady);
    return () => {
      events.off('turn-finished', onTurn);
      events.off('usage', onUsage);
      events.off('session-changed', onSession);
      events.off('child-started', onReady);
    };
  }

  /** Feeds the approval metrics from the broker's events; returns the unsubscribe function. */
  observeApprovals(events: RiskApprovalBroker['events']): () => void {
    const onDecided = (e: { risk: string; decision: string; decidedBy: string; waitMs: number }) => {
      this.approvals.inc({ risk: e.risk, decision: e.decision, decided_by: e.decidedBy });
      this.approvalWait.observe({ decided_by: e.decidedBy }, e.waitMs / 1000);
    };
    const onPending = (p: unknown[]) => this.approvalsPending.set(p.length);
    events.on('decided', onDecided);
    events.on('pending-changed', onPending);
    return () => {
      events.off('decided', onDecided);
      events.off('pending-changed', onPending);
    };
  }

  /** The Prometheus text exposition (format 0.0.4). */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
