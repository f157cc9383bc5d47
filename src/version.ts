// A named import lets esbuild keep only this field of package.json in the bundles (not the whole manifest).
import { version } from '../package.json';

/** The extension/CLI version from package.json. */
export const VERSION: string = version;
