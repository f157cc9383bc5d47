// A tiny stdio MCP server (SDK McpServer + StdioServerTransport) with two tools; with argument
// `--fail` it writes to stderr and exits before answering, like a misconfigured server.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

if (process.argv.includes('--fail')) {
  process.stderr.write(`tiny-stdio: missing API key (GREETING=${process.env.GREETING ?? ''})\n`);
  process.exit(3);
}
const server = new McpServer({ name: 'tiny-stdio', version: '1.0.0' });
server.registerTool('echo', { description: 'Echoes its input' }, async () => ({ content: [{ type: 'text', text: 'echo' }] }));
server.registerTool('greet', { description: `Says ${process.env.GREETING ?? 'hi'}` }, async () => ({ content: [{ type: 'text', text: 'hi' }] }));
await server.connect(new StdioServerTransport());
