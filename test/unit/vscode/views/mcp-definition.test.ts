import assert from 'node:assert/strict';
import { mcpAuthHeaders, mcpDefinitionFor } from '../../../../src/client/mcp-definition';
import { VERSION } from '../../../../src/version';
import { startTestServer } from '../../../helpers/governance-server';

describe('MCP server definition for VS Code', () => {
  it('points at <url>/mcp, changes version with the port, and offers nothing without a server', () => {
    assert.deepEqual(mcpDefinitionFor('http://127.0.0.1:8765'), { label: 'Codex Governance', uri: 'http://127.0.0.1:8765/mcp', version: `${VERSION}+8765` });
    assert.notEqual(mcpDefinitionFor('http://127.0.0.1:9000/')?.version, mcpDefinitionFor('http://127.0.0.1:8765')?.version);
    assert.equal(mcpDefinitionFor('http://127.0.0.1:9000/')?.uri, 'http://127.0.0.1:9000/mcp');
    assert.equal(mcpDefinitionFor(undefined), undefined);
    assert.throws(() => mcpAuthHeaders(''), /token is empty/);
  });

  it('the resolved definition (uri + headers) is what a real MCP client needs to list the governance tools', async () => {
    const srv = await startTestServer();
    try {
      const d = mcpDefinitionFor(srv.url)!;
      const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
      const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
      const client = new Client({ name: 'vscode-mcp-definition-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(d.uri), { requestInit: { headers: mcpAuthHeaders(srv.token) } }));
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('process_agent_update') && names.includes('search_knowledge_graph'), names.join(', '));
      await client.close();
      const noToken = new Client({ name: 'no-token', version: '1.0.0' });
      await assert.rejects(noToken.connect(new StreamableHTTPClientTransport(new URL(d.uri))));
    } finally {
      await srv.stop();
    }
  });
});
