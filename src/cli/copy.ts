/**
 * `codex-governance copy --from sqlite:PATH --to postgres://...`: moves an existing SQLite store
 * (the `governance.db` file, or a data directory holding one) into an empty PostgreSQL database,
 * every table in one transaction: a failure leaves the target as it was. Row ids and sequence
 * numbers are kept (cursors and `seq` orders stay valid) and the sequences continue after them.
 * Per-agent and admin tokens (`api_tokens`, hashes only) come along, so agents keep their tokens.
 * The Codex session records go to the server that will run on the same data directory (see
 * `sessionOwner` in src/store/open.ts).
 * Stop the server using the SQLite file first, so that nothing is written to it meanwhile.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkDatabaseUrl, sessionOwner } from '../store/open';
import type { StoreCommandIo } from './migrate';

/** Tables in foreign-key order, with the column a sequence continues after (if any). */
const TABLES: ReadonlyArray<[table: string, serial?: string]> = [
  ['agents'],
  ['agent_updates', 'id'],
  ['discoveries', 'seq'],
  ['discovery_tags'],
  ['discovery_edges'],
  ['agent_tags'],
  ['codex_sessions'],
  ['dialectic_sessions'],
  ['dialectic_messages'],
  ['agent_conditions', 'id'],
  ['tasks', 'seq'],
  ['observed_sessions'],
  ['observed_events', 'seq'],
  // Hashes only (the secrets were shown once at creation): the team's agents keep their tokens.
  ['api_tokens'],
];
/**
 * Columns PostgreSQL has and SQLite does not, set on every copied row of the table: the Codex
 * session records belong to the server that will use the copied data directory.
 */
function extraColumns(table: string, dataDir: string): Record<string, unknown> {
  return table === 'codex_sessions' ? { server: sessionOwner(dataDir) } : {};
}

/** Rows per INSERT (PostgreSQL allows 65,535 parameters per statement). */
const BATCH = 400;

/** Columns SQLite keeps as 0/1 that PostgreSQL declares BOOLEAN (see postgres/migrations.ts). */
const BOOLEANS = new Set(['api_tokens.admin']);

/** A SQLite value as the PostgreSQL column takes it. */
function toPg(table: string, column: string, value: unknown): unknown {
  if (BOOLEANS.has(`${table}.${column}`) && value !== null) return Number(value) !== 0;
  return typeof value === 'bigint' ? Number(value) : value;
}

/** @returns 0 copied, 1 failed (nothing written), 2 usage */
export async function runCopyCommand(args: string[], io: StoreCommandIo): Promise<number> {
  let from: string;
  let to: string;
  try {
    const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true });
    if (!values.from?.startsWith('sqlite:')) throw new Error(`--from must be sqlite:PATH (the governance.db file or its data directory), got "${values.from ?? ''}".`);
    from = resolve(values.from.slice('sqlite:'.length));
    if (existsSync(from) && statSync(from).isDirectory()) from = join(from, 'governance.db');
    if (!existsSync(from)) throw new Error(`--from: ${from} does not exist.`);
    const target = checkDatabaseUrl(values.to, '--to');
    if (!target) throw new Error('--to postgres://user:password@host:5432/database is required.');
    to = target;
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const { openDatabase } = await import('../store/sqlite');
  const { migrate } = await import('../store/migrations');
  const { PgPool } = await import('../store/postgres/pool');
  const { pgMigrate } = await import('../store/postgres/migrations');
  const db = openDatabase(from);
  const pool = new PgPool(to, { max: 1 });
  try {
    migrate(db, from);
    await pgMigrate(pool);
    const counts = await pool.transaction(async (c) => {
      for (const [table] of TABLES) {
        const r = await c.query(`SELECT 1 FROM ${table} LIMIT 1`);
        if (r.rows.length) throw new Error(`${pool.label} already holds rows in ${table}; copy only into an empty database (create a new one, or drop and recreate it).`);
      }
      const copied: string[] = [];
      for (const [table, serial] of TABLES) {
        const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
        const extra = extraColumns(table, dirname(from));
        const list = columns.map((name) => `"${name}"`).join(', ');
        const rows = db.prepare(`SELECT ${list} FROM ${table}`).all() as Array<Record<string, unknown>>;
        const targetList = [...columns, ...Object.keys(extra)].map((name) => `"${name}"`).join(', ');
        for (let i = 0; i < rows.length; i += BATCH) {
          const params: unknown[] = [];
          const tuples = rows.slice(i, i + BATCH).map((row) => {
            const values = [...columns.map((name) => toPg(table, name, row[name])), ...Object.values(extra)];
            return `(${values.map((v) => `$${params.push(v)}`).join(', ')})`;
          });
          await c.query(`INSERT INTO ${table} (${targetList}) VALUES ${tuples.join(', ')}`, params);
        }
        if (serial) await c.query(`SELECT setval(pg_get_serial_sequence('${table}', '${serial}'), coalesce((SELECT max(${serial}) FROM ${table}), 0) + 1, false)`);
        copied.push(`${table} ${rows.length}`);
      }
      return copied;
    });
    io.stdout.write(`Copied ${from} into ${pool.label}: ${counts.join(', ')}.\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`copy failed, nothing was written to ${pool.label}: ${(pool.translate(err) as Error).message}\n`);
    return 1;
  } finally {
    db.close();
    await pool.end().catch(() => undefined);
  }
}
