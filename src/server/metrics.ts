/**
 * Prometheus metrics (prom-client), one registry per server so several servers in one process
 * (tests, the extension restarting) never share counters. Metric names follow the seed's
 * Codex MCP server (`codex_mcp_*`) plus the governance counters from the design.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'governance_process_' });
  }

  observeToolCall(tool: string, outcome: string, seconds: number): void {
    this.toolCalls.inc({ tool, outcome });
    if (outcome === 'ok' || seconds > 0) this.responseTime.observe({ tool }, seconds);
  }

  /** The Prometheus text exposition (format 0.0.4). */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
