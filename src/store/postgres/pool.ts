/**
 * The connection pool of the PostgreSQL store (the `pg` client, https://node-postgres.com) and the
 * one place that turns a lost connection into {@link StoreUnavailableError}: requests made while
 * the database is down fail at once with a message naming it (HTTP 503), and the pool opens new
 * connections by itself once it is back (a dead connection is dropped, not reused).
 */
import pg from 'pg';
import { StoreUnavailableError } from '../../core/errors';
import { redactUrl } from './url';

export { isPostgresUrl, redactUrl } from './url';

/** Connections per server process (each governance server has its own pool). */
export const POOL_SIZE = 10;
/** How long a request waits for a connection (ms) before it fails as unavailable. */
export const CONNECT_TIMEOUT_MS = 5000;

/**
 * SQLSTATE classes and socket codes that mean "the database is not reachable right now" (not "the
 * statement is wrong"): 08 connection exception, 57P01-57P03 shutdown/starting
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Client was closed/i.test(message);
}

/** A connection or the pool: what the repositories' helpers run statements on. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** A pool that reports unreachable-database errors as {@link StoreUnavailableError}. */
export class PgPool {
  readonly pool: pg.Pool;
  /** The URL without password. */
  readonly label: string;

  constructor(url: string, options: { max?: number } = {}) {
    this.label = redactUrl(url);
    this.pool = new pg.Pool({ connectionString: url, max: options.max ?? POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 });
    // An idle connection cut by a database restart emits here; without a listener the process dies.
    this.pool.on('error', () => undefined);
  }

  /** One statement on any connection. @throws StoreUnavailableError when the database cannot be reached */
  async query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (err) {
      throw this.translate(err);
    }
  }

  /**
   * Runs `fn` in one transaction (READ COMMITTED) on one connection: COMMIT when it resolves,
   * ROLLBACK when it throws. The promise resolves after COMMIT returned, i.e. once the write is
   * durable (synchronous_commit=on, PostgreSQL's default).
   * @throws StoreUnavailableError when the database cannot be reached (then the write may or may
   *   not have been committed: it was not acknowledged)
   */
  async transaction<T>(fn: (client: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.translate(err);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const value = await fn(client);
      await client.query('COMMIT');
      return value;
    } catch (err) {
      broken = isConnectionError(err);
      if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
      throw this.translate(err);
    } finally {
      // A connection that failed is destroyed, not returned: the next request opens a fresh one.
      client.release(broken ? true : undefined);
    }
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  translate(err: unknown): unknown {
    if (err instanceof StoreUnavailableError || !isConnectionError(err)) return err;
    return new StoreUnavailableError(
      `The PostgreSQL database ${this.label} is unavailable (${(err as Error)?.message || String(err)}). The server reconnects by itself once it is back; retry the request.`,
      { cause: err },
    );
  }
}

/** Parses a count or bigint column (pg returns int8 as a string). */
export function int(value: unknown): number {
  return value == null ? 0 : Number(value);
}
