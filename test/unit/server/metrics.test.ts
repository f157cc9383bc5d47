import assert from 'node:assert/strict';
import { ServerMetrics } from '../../../src/server/metrics';

// ServerMetrics takes prom-client's classes from their own files (not the package index, whose
// Pushgateway and cluster modules cost every server start); these render what /metrics serves.
describe('ServerMetrics (prom-client classes required one by one)', () => {
  it('renders its counters, gauges and histograms in the Prometheus text format', async () => {
    const m = new ServerMetrics();
    m.observeToolCall('health_check', 'ok', 0.004);
    m.mcpSessions.set(2);
    m.decisions.inc({ action: 'PROCEED' });
    const { contentType, body } = await m.render();
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    assert.match(body, /^governance_tool_calls_total\{tool="health_check",outcome="ok"\} 1$/m);
    assert.match(body, /^codex_mcp_response_time_seconds_bucket\{le="0\.005",tool="health_check"\} 1$/m);
    assert.match(body, /^governance_mcp_sessions 2$/m);
    assert.match(body, /^governance_decisions_total\{action="PROCEED"\} 1$/m);
    assert.doesNotMatch(body, /governance_process_/);
  });

  it('adds the process metrics only when asked for (loaded then)', async () => {
    const { body } = await new ServerMetrics({ processMetrics: true }).render();
    assert.match(body, /^governance_process_process_cpu_user_seconds_total \d/m);
    assert.match(body, /^governance_process_nodejs_heap_size_used_bytes \d/m);
  });
});
