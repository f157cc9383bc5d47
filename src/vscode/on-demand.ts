/**
 * The parts of the extension loaded on first use rather than at activation, built by esbuild.mjs
 * into their own bundle, dist/on-demand.js: the governance server (MCP SDK, ajv, prom-client, Hono),
 * and the MCP connection test of the settings panel (the SDK's client). They are most of the
 * extension's bytes; parsing them before `activate()` made activation miss its 50 ms budget
 * (bench/activation.ts). The governed agent runner is a bundle of its own (./on-demand-agent), so the
 * first server start does not parse the `openai` SDK. Load it with {@link loadOnDemand} from ./load-on-demand.
 */
export { startGovernanceServer } from '../server/server';
export { testConnection } from '../config/connection';
