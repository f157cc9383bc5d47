/**
 * The MCP SDK's Streamable HTTP server transport, required by ./mcp-sessions when the first MCP
 * session opens rather than when the server starts: its module loads `@hono/node-server`, which
 * reads `globalThis.Request`, `Response` and `Headers` at load, so Node loads its `fetch`
 * implementation (undici) and http2 with it. That was about 40 ms of CPU of every first server
 * start (`require` of dist/on-demand.js, median of 15 interleaved rounds on 2 vCPU: 340 -> 298 ms),
 * paid even by a server no MCP client ever connects to. `isInitializeRequest` comes from here too,
 * so nothing on the start path runs the SDK's types module (its zod schemas; see ../mcp).
 */
export { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
export { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
