/**
 * Loads dist/on-demand.js (the server and the MCP connection test, see ./on-demand) the first time
 * either is needed. esbuild.mjs builds it next to dist/extension.js and leaves this `require` out of
 * the extension bundle. The two bundles share data, not classes: what crosses between them is
 * checked by shape (e.g. an `EADDRINUSE` code, not `instanceof PortInUseError`).
 */
import type * as OnDemand from './on-demand';

/** Path of the bundle relative to dist/extension.js (a variable, so esbuild does not bundle it). */
export const ON_DEMAND_BUNDLE = './on-demand.js';

let loaded: typeof OnDemand | undefined;

/**
 * The on-demand module, loaded once (synchronous `require`; ~100 ms the first time on a loaded
 * 2-vCPU machine, then free).
 * @throws Error when dist/on-demand.js is missing (a broken build or VSIX).
 */
export function loadOnDemand(): typeof OnDemand {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(ON_DEMAND_BUNDLE) as typeof OnDemand;
  return loaded;
}
