/**
 * Loads dist/on-demand.js (the server and the MCP connection test, see ./on-demand) the first time
 * either is needed. esbuild.mjs builds it next to dist/extension.js and leaves this load out of
 * the extension bundle. The two bundles share data, not classes: what crosses between them is
 * checked by shape (e.g. an `EADDRINUSE` code, not `instanceof PortInUseError`).
 *
 * The first server start loads the bundle with a V8 code cache kept in the server's data directory
 * (the extension's global storage; ../util/bundle-loader), written a few seconds after the server
 * listens, so every later VS Code window compiles little of it (bench/first-start.ts).
 */
import { join } from 'node:path';
import { loadBundle, type LoadedBundle } from '../util/bundle-loader';
import type * as OnDemand from './on-demand';
import type * as OnDemandAgent from './on-demand-agent';

/** Path of the bundle relative to dist/extension.js (a variable, so esbuild does not bundle it). */
export const ON_DEMAND_BUNDLE = './on-demand.js';
/** The agent runner's bundle (./on-demand-agent), relative to dist/extension.js. */
export const AGENT_RUN_BUNDLE = './agent-run.js';
/**
 * How long after the server listens its code cache is written, ms: not on the start path, and late
 * enough that the first requests' functions are compiled and in it (the write takes tens of ms CPU).
 */
export const CODE_CACHE_SAVE_DELAY_MS = 3_000;

/** Both bundles' exports; each bundle loads on the first call that needs it. */
export type OnDemandModule = typeof OnDemand & typeof OnDemandAgent;

let bundle: LoadedBundle<typeof OnDemand> | undefined;
let agentRun: typeof OnDemandAgent | undefined;

/**
 * The on-demand module: its functions load dist/on-demand.js on their first call (synchronously,
 * then free). A server start loads it with the code cache in its data directory (its problems
 * logged at debug level by the server's logger) and writes that cache after it listens; loaded
 * first by the connection test, it runs without a cache.
 * Errors: a missing dist/on-demand.js (a broken build or VSIX) fails the first call, as `require` would.
 */
export function loadOnDemand(): OnDemandModule {
  return {
    startGovernanceServer: async (options) => {
      const fresh = !bundle;
      const t0 = performance.now();
      const loaded = load(options.dataDir, (m) => options.logger?.debug(m));
      if (fresh) options.logger?.debug(`Loaded ${ON_DEMAND_BUNDLE} in ${(performance.now() - t0).toFixed(0)} ms (code cache: ${loaded.cache}).`);
      const running = await loaded.exports.startGovernanceServer(options);
      // Once per process (saveCache does nothing after a write or an accepted cache).
      setTimeout(() => void loaded.saveCache(), CODE_CACHE_SAVE_DELAY_MS).unref();
      return running;
    },
    testConnection: (...args) => load(undefined).exports.testConnection(...args),
    startAgentRun: (...args) => loadAgentRun().startAgentRun(...args),
  };
}

function load(cacheDir: string | undefined, onError?: (message: string) => void): LoadedBundle<typeof OnDemand> {
  bundle ??= loadBundle<typeof OnDemand>(join(__dirname, ON_DEMAND_BUNDLE), { cacheDir, onError });
  return bundle;
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
