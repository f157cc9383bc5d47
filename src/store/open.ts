/**
 * The store factory: the embedded SQLite file in the data directory (one machine, the default), or
 * a PostgreSQL database shared by a team's servers when a `postgres://` URL is given
 * (`serve --database`, CODEX_GOVERNANCE_DATABASE_URL).
 */
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { isPostgresUrl, redactUrl } from './postgres/url';
import { openStore } from './store';
import type { Store } from './types';

/**
 * The identity of the server using `dataDir` in a shared database: `<host name>:<absolute data
 * directory>`. Stable across restarts and distinct per server (each needs a data directory of its
 * own), so a server restores exactly the Codex session records it saved.
 */
export function sessionOwner(dataDir: string): string {
  return `${hostname()}:${resolve(dataDir)}`;
}

/** The environment variable naming the team's PostgreSQL database. */
export const DATABASE_URL_ENV = 'CODEX_GOVERNANCE_DATABASE_URL';

/**
 * Checks a `--database` value. Empty/undefined means the SQLite store.
 * @throws Error naming the option and the accepted forms
 */
export function checkDatabaseUrl(value: string | undefined, source = '--database'): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (!isPostgresUrl(v)) {
    throw new Error(`${source} must be a PostgreSQL URL (postgres://user:password@host:5432/database), got "${/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? redactUrl(v) : v}". Leave it out for the SQLite file in the data directory.`);
  }
  return v;
}

/**
 * Opens the store the options name.
 * @param options.database a `postgres://` URL, or undefined for `<dataDir>/governance.db`
 * @throws as openStore (SQLite) or openPostgresStore (unreachable database, schema too new)
 */
export async function openConfiguredStore(options: { dataDir: string; database?: string }): Promise<Store> {
  if (options.database) {
    // Loaded only for a team database: the bundles keep the `pg` client in dist/pg.js beside them
    // (esbuild.mjs), so a SQLite start neither parses nor runs it. A `require`, not
    // `import()`: the bundles are CommonJS either way, and a dynamic import() of a .ts module is
    // not resolved when the sources run in process under tsx's CommonJS hook (the unit tests).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { openPostgresStore } = require('./postgres/store') as typeof import('./postgres/store');
    return openPostgresStore(options.database, { server: sessionOwner(options.dataDir) });
  }
  return openStore(options.dataDir);
}
