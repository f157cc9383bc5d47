/**
 * Opens the PostgreSQL store: one pool per server process, the schema migrated (or refused when
 * newer than this build), and the repositories over the pool. Several servers share one database
 * by design, so there is no data-directory lock here.
 */
import { hostname } from 'node:os';
import type { StoreInfo } from '../../core/repository';
import type { Store } from '../types';
import { PgAgentRepository } from './agents';
import { PgAgentReadRepository } from './agent-reads';
import { readPgAudit } from './audit-reads';
import { PgDialecticRepository } from './dialectic';
import { PgDiscoveryRepository } from './discoveries';
import { pgMigrate, pgSchemaVersion } from './migrations';
import { PgObservedSessionRepository } from './observed';
import { PgPool } from './pool';
import { PgCodexSessionRepository } from './sessions';
import { PgTaskRepository } from './tasks';
import { PgTokenRepository } from './tokens';

/** The PostgreSQL store, with the pool for what the interfaces do not cover (copy, audit). */
export interface PgStore extends Store {
  readonly pool: PgPool;
  readonly agents: PgAgentRepository;
  readonly discoveries: PgDiscoveryRepository;
}

/**
 * @param url `postgres://user:password@host:port/database` (libpq-style query parameters such as
 *   `sslmode` are read by `pg`)
 * @param options.migrate false: refuse an outdated schema instead of migrating it (default true)
 * @param options.server this server's identity, which owns the Codex session records it saves (see
 *   `sessionOwner` in src/store/open.ts; default: this host and process, i.e. records no later
 *   process restores)
 * @throws StoreUnavailableError naming the database (without password) when it cannot be reached
 * @throws SchemaTooNewError when the database was migrated by a newer Codex Governance
 */
export async function openPostgresStore(url: string, options: { migrate?: boolean; server?: string } = {}): Promise<PgStore> {
  const pool = new PgPool(url);
  try {
    if (options.migrate !== false) await pgMigrate(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw pool.translate(err);
  }
  let closed = false;
  const discoveries = new PgDiscoveryRepository(pool);
  return {
    pool,
    agents: new PgAgentRepository(pool),
    agentReads: new PgAgentReadRepository(pool),
    discoveries,
    codexSessions: new PgCodexSessionRepository(pool, options.server ?? `${hostname()} (pid ${process.pid})`),
    dialectic: new PgDialecticRepository(pool),
    tasks: new PgTaskRepository(pool),
    observedSessions: new PgObservedSessionRepository(pool),
    tokens: new PgTokenRepository(pool),
    async appendAudit(record: { ts: string; type: string }, server: string): Promise<void> {
      await pool.query('INSERT INTO audit_log (at, server, entry) VALUES ($1, $2, $3)', [record.ts, server, JSON.stringify(record)]);
    },
    readAudit: (options) => readPgAudit(pool, options),
    async info(): Promise<StoreInfo> {
      return { kind: 'postgres', path: pool.label, schemaVersion: await pgSchemaVersion(pool) };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      discoveries.close();
      await pool.end();
    },
  };
}
