/**
 * Loads dist/on-demand.js (the server and the MCP connection test, see ./on-demand) the first time
 * either is needed. esbuild.mjs builds it next to dist/extension.js and leaves this `require` out of
 * the extension bundle. The two bundles share data, not classes: what crosses between them is
 * checked by shape (e.g. an `EADDRINUSE` code, not `instanceof PortInUseError`).
 */
import type * as OnDemand from './on-demand';
import type * as OnDemandAgent from './on-demand-agent';

/** Path of the bundle relative to dist/extension.js (a variable, so esbuild does not bundle it). */
export const ON_DEMAND_BUNDLE = './on-demand.js';
/** The agent runner's bundle (./on-demand-agent), relative to dist/extension.js. */
export const AGENT_RUN_BUNDLE = './agent-run.js';

/** Both bundles' exports; the agent runner's load on their first call. */
export type OnDemandModule = typeof OnDemand & typeof OnDemandAgent;

let loaded: OnDemandModule | undefined;
let agentRun: typeof OnDemandAgent | undefined;

/**
 * The on-demand module, loaded once (synchronous `require`, then free; bench/first-start.ts
 * measures it with the server start that follows).
 * @throws Error when dist/on-demand.js is missing (a broken build or VSIX).
 */
export function loadOnDemand(): OnDemandModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= { ...(require(ON_DEMAND_BUNDLE) as typeof OnDemand), startAgentRun: (...args) => loadAgentRun().startAgentRun(...args) };
  return loaded;
}

/**
 * The agent runner's module, loaded once, on the first run (the `openai` SDK is not parsed before).
 * @throws Error when dist/agent-run.js is missing (a broken build or VSIX).
 */
export function loadAgentRun(): typeof OnDemandAgent {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  agentRun ??= require(AGENT_RUN_BUNDLE) as typeof OnDemandAgent;
  return agentRun;
}
