/**
 * The parts of the extension loaded on first use rather than at activation, built by esbuild.mjs
 * into their own bundle, dist/on-demand.js: the governance server (MCP SDK, ajv, prom-client, Hono),
 * and the MCP connection test of the settings panel (the SDK's client). They are most of the
 * extension's bytes; parsing them before `activate()` made activation miss its 50 ms budget
 * (bench/activation.ts). The governed agent runner is a bundle of its own (./on-demand-agent), so the
 * first server start does not parse the `openai` SDK. Load it with {@link loadOnDemand} from ./load-on-demand.
 */
export { startGovernanceServer } from '../server/server';

/**
 * The MCP connection test of the settings panel (../config/connection), loaded on its first use:
 * the MCP SDK's client transports (HTTP, stdio) are not needed to start the server, and running
 * their modules cost the first server start about 30 ms of CPU (bench/first-start.ts).
 */
export const testConnection: typeof import('../config/connection').testConnection = (...args) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../config/connection') as typeof import('../config/connection')).testConnection(...args);
