/**
 * The MCP SDK's Streamable HTTP server transport, required by ./mcp-sessions when the first MCP
 * session opens rather than when the server starts: its module loads `@hono/node-server`, which
 * reads `globalThis.Request`, `Response` and `Headers` at load, so Node loads its `fetch`
 * implementation (undici) and http2 with it. That was about 80 ms of CPU of every first server
 * start (bench/first-start.ts, 2 vCPU), paid even by a server no MCP client ever connects to.
 */
export { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
