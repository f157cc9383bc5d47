/**
 * The typed tool protocol: tool names, arguments and results come from the tools' one declaration.
 * The `@ts-expect-error` lines are checked by `npm run typecheck`: a wrong name or argument must not
 * compile. At run time, the registry serves exactly the names the types know.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGovernanceApp } from '../../../src/server/app';
import type { ToolArgs, ToolName, ToolOutput } from '../../../src/server/tools/catalog';
import { nullLogger } from '../../../src/util/log';

// Compile-time checks (never run).
export function typeChecks(o: ToolOutput<'observe_agent'>, c: ToolOutput<'codex'>, s: ToolOutput<'codex-session-info'>): unknown[] {
  const args: ToolArgs<'codex'> = { prompt: 'p', sandbox: 'read-only' };
  // @ts-expect-error an unknown tool name does not compile
  const badName: ToolName = 'no_such_tool';
  // @ts-expect-error an unknown argument does not compile
  const badArg: ToolArgs<'observe_agent'> = { agent: 'x' };
  // @ts-expect-error a wrong argument type does not compile
  const badType: ToolArgs<'process_agent_update'> = { complexity: 'high' };
  return [o.agent_id, c.session_id, c.threadId, s.session?.transcript, s.sessions?.[0]?.prompt, args, badName, badArg, badType];
}

const ALL: Record<ToolName, true> = {
  list_observed_sessions: true,
  get_observed_session: true,
  post_task: true,
  list_tasks: true,
  claim_task: true,
  complete_task: true,
  fail_task: true,
  request_tool_approval: true,
  record_model_usage: true,
  process_agent_update: true,
  simulate_update: true,
  get_governance_metrics: true,
  health_check: true,
  list_agents: true,
  observe_agent: true,
  store_discovery_graph: true,
  search_knowledge_graph: true,
  list_knowledge_graph: true,
  get_discovery_details: true,
  link_discoveries: true,
  update_discovery_status: true,
  find_similar_discoveries_graph: true,
  compare_me_to_similar: true,
  compare_agents: true,
  detect_anomalies: true,
  aggregate_metrics: true,
  get_system_history: true,
  codex: true,
  'codex-reply': true,
  'codex-session-info': true,
  'codex-cleanup': true,
  request_dialectic_review: true,
  submit_thesis: true,
  submit_antithesis: true,
  submit_synthesis: true,
  get_dialectic_session: true,
  nudge_dialectic_session: true,
  list_dialectic_sessions: true,
};

describe('typed tool protocol (catalog)', () => {
  it('the registry serves exactly the tool names the types declare', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cg-catalog-'));
    const app = await createGovernanceApp({ dataDir, logger: nullLogger, hostKind: 'test', port: null, codex: { codexPath: '/nonexistent/codex' } });
    try {
      assert.deepEqual(app.registry.names().sort(), Object.keys(ALL).sort());
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
