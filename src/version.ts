import pkg from '../package.json';

/** The extension/CLI version from package.json. */
export const VERSION: string = pkg.version;
