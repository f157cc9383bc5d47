/**
 * The parts of the extension loaded on first use rather than at activation, built by esbuild.mjs
 * into their own bundle, dist/on-demand.js: the governance server (MCP SDK, ajv, prom-client, Hono),
 * the MCP connection test of the settings panel (the SDK's client), and the governed agent runner
 * (the `openai` SDK). They are most of the extension's bytes; parsing them before `activate()` made activation miss its 50 ms budget
 * (bench/activation.ts). Load it with {@link loadOnDemand} from ./load-on-demand.
 */
export { startGovernanceServer } from '../server/server';
export { testConnection } from '../config/connection';
export { startAgentRun } from './agent-run/start-run';
