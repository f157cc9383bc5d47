/**
 * `codex-governance migrate [--database postgres://...]`: brings the team's PostgreSQL database to
 * this version's schema (servers also do it when they start; this lets an operator do it first and
 * see the result). Without --database, CODEX_GOVERNANCE_DATABASE_URL.
 */
import { parseArgs } from 'node:util';
import { checkDatabaseUrl, DATABASE_URL_ENV } from '../store/open';

export interface StoreCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** @returns the exit code: 0 done, 1 failed (database unreachable, schema too new), 2 usage */
export async function runMigrateCommand(args: string[], io: StoreCommandIo): Promise<number> {
  let url: string | undefined;
  try {
    const { values } = parseArgs({ args, options: { database: { type: 'string' } }, strict: true });
    url = values.database !== undefined ? checkDatabaseUrl(values.database) : checkDatabaseUrl(io.env[DATABASE_URL_ENV], DATABASE_URL_ENV);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (!url) {
    io.stderr.write(`migrate needs --database postgres://... (or ${DATABASE_URL_ENV}); the SQLite file is migrated by the server itself when it opens it.\n`);
    return 2;
  }
  const { PgPool } = await import('../store/postgres/pool');
  const { pgMigrate, pgSchemaVersion } = await import('../store/postgres/migrations');
  const pool = new PgPool(url, { max: 1 });
  try {
    const applied = await pgMigrate(pool);
    const version = await pgSchemaVersion(pool);
    io.stdout.write(`${pool.label}: schema version ${version}${applied.length ? ` (applied ${applied.join(', ')})` : ' (already up to date)'}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`${(pool.translate(err) as Error).message}\n`);
    return 1;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
