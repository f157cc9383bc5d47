/**
 * The governance server's code, loaded when the server first starts instead of when the extension
 * activates. The MCP SDK, ajv, prom-client and Hono are most of the extension's bytes; parsing them
 * before `activate()` made activation miss its 50 ms budget (bench/activation.ts).
 *
 * In the built extension this is `dist/server.js`, a second esbuild bundle of src/server/server.ts
 * next to dist/extension.js (esbuild.mjs keeps this `require` out of the extension bundle). The two
 * bundles share data, not classes: what crosses between them is checked by shape (e.g. an
 * `EADDRINUSE` code, not `instanceof PortInUseError`).
 */
import type * as ServerModule from '../server/server';

/** Path of the server bundle relative to dist/extension.js; esbuild.mjs marks it external. */
export const SERVER_BUNDLE = './server.js';

let loaded: typeof ServerModule | undefined;

/**
 * Loads the server bundle once (synchronous `require`, about 30-60 ms the first time).
 * @throws Error when dist/server.js is missing (a broken build or VSIX).
 */
export function loadServerModule(): typeof ServerModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require(SERVER_BUNDLE) as typeof ServerModule;
  return loaded;
}
