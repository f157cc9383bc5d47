import assert from 'node:assert/strict';
import { TouchedAgents } from '../../../src/server/tools/touched-agents';

const caller = (agentId: string, over: Partial<{ anonymous: boolean; transport: string; clientName: string }> = {}) => ({ agentId, anonymous: false, transport: 'mcp-http', ...over });

describe('touched agents (who called tools since the server started)', () => {
  it('counts calls per agent, most recently seen first, with the last tool and client', () => {
    const t = new TouchedAgents();
    t.record(caller('a', { clientName: 'codex' }), 'health_check', 1000);
    t.record(caller('b'), 'codex', 2000);
    t.record(caller('a'), 'search_knowledge_graph', 3000);
    assert.deepEqual(t.list(10), [
      { agent_id: 'a', first_seen_at: new Date(1000).toISOString(), last_seen_at: new Date(3000).toISOString(), tool_calls: 2, last_tool: 'search_knowledge_graph', client_name: 'codex' },
      { agent_id: 'b', first_seen_at: new Date(2000).toISOString(), last_seen_at: new Date(2000).toISOString(), tool_calls: 1, last_tool: 'codex' },
    ]);
    assert.equal(t.list(1).length, 1);
  });

  it('leaves out anonymous callers and in-process reads; forgets the least recently seen past its bound', () => {
    const t = new TouchedAgents(2);
    t.record(caller('anon', { anonymous: true }), 'health_check', 1);
    t.record(caller('vscode-user', { transport: 'in-process' }), 'list_agents', 2);
    t.record(caller('x'), 'health_check', 3);
    t.record(caller('y'), 'health_check', 4);
    t.record(caller('x'), 'health_check', 5);
    t.record(caller('z'), 'health_check', 6);
    assert.deepEqual(t.list(10).map((a) => a.agent_id), ['z', 'x']);
  });
});
