/**
 * Versioned schema of the PostgreSQL store, tracked in the table `schema_version` (one row per
 * applied version, with the Codex Governance version that applied it). Each migration runs in its
 * own transaction with its row; `pg_advisory_xact_lock` makes servers starting together migrate
 * one after the other. Append-only: never edit a released migration, add the next version.
 *
 * Columns mirror the SQLite schema (../migrations.ts): times are ISO-8601 text, JSON records are
 * text, so both stores return the same values and `codex-governance copy` moves rows unchanged.
 * Quoted "E", "I", "S", "V" keep the SQLite column names (PostgreSQL folds unquoted names).
 */
import { VERSION } from '../../version';
import type { PgPool } from './pool';

export interface PgMigration {
  version: number;
  description: string;
  sql: string;
}

/** The database was migrated by a newer Codex Governance than this one. */
export class PgSchemaTooNewError extends Error {
  constructor(readonly database: string, readonly found: number, readonly known: number, readonly writtenBy: string | null) {
    super(
      `The PostgreSQL database ${database} has schema version ${found}, but this Codex Governance (${VERSION}) only knows versions up to ${known}. ` +
        `Install Codex Governance ${writtenBy ?? 'of the version that migrated it'} or later on this machine (every server sharing the database needs it).`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/** Arbitrary key of the advisory lock held while migrating ("cg" + "mig"). */
const MIGRATION_LOCK = 0x63676d6967;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    description: 'agents, history, discoveries (tsvector + GIN), edges, sessions, dialectic, tasks, observed sessions, audit',
    sql: `
      CREATE TABLE agents (
        id TEXT PRIMARY KEY,
        display_name TEXT,
        client_name TEXT,
        client_version TEXT,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        dynamics TEXT,
        last_metrics TEXT,
        last_action TEXT,
        last_reason TEXT,
        last_guidance TEXT,
        last_decision_at TEXT,
        update_count INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'active',
        meta TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX agents_last_seen ON agents(last_seen_at);
      CREATE INDEX agents_status ON agents(status, last_seen_at);

      CREATE TABLE agent_updates (
        id BIGSERIAL PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        operation TEXT NOT NULL,
        complexity DOUBLE PRECISION NOT NULL,
        confidence DOUBLE PRECISION,
        "E" DOUBLE PRECISION NOT NULL,
        "I" DOUBLE PRECISION NOT NULL,
        "S" DOUBLE PRECISION NOT NULL,
        "V" DOUBLE PRECISION NOT NULL,
        coherence DOUBLE PRECISION NOT NULL,
        risk_score DOUBLE PRECISION NOT NULL,
        action TEXT NOT NULL,
        reason TEXT NOT NULL,
        guidance TEXT,
        simulated INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX agent_updates_agent ON agent_updates(agent_id, id);

      CREATE TABLE discoveries (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        agent_id TEXT NOT NULL,
        discovery_type TEXT NOT NULL,
        summary TEXT NOT NULL,
        details TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL DEFAULT 'open',
        severity TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- Weights as FTS5's bm25 columns: summary A (3), tags B (2), details C (1). The 'simple'
        -- configuration lower-cases and does not stem, like FTS5's unicode61 tokenizer.
        search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('simple', summary), 'A') ||
          setweight(to_tsvector('simple', tags), 'B') ||
          setweight(to_tsvector('simple', details), 'C')
        ) STORED
      );
      CREATE INDEX discoveries_agent ON discoveries(agent_id, seq);
      CREATE INDEX discoveries_type ON discoveries(discovery_type, seq);
      CREATE INDEX discoveries_search ON discoveries USING GIN (search);

      CREATE TABLE discovery_tags (
        discovery_id TEXT NOT NULL REFERENCES discoveries(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (discovery_id, tag)
      );
      CREATE INDEX discovery_tags_tag ON discovery_tags(lower(tag), discovery_id);

      CREATE TABLE discovery_edges (
        from_id TEXT NOT NULL REFERENCES discoveries(id) ON DELETE CASCADE,
        to_id TEXT NOT NULL REFERENCES discoveries(id) ON DELETE CASCADE,
        relation TEXT NOT NULL,
        agent_id TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (from_id, to_id, relation)
      );
      CREATE INDEX discovery_edges_to ON discovery_edges(to_id, from_id);

      CREATE TABLE agent_tags (
        agent_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (agent_id, tag)
      );

      CREATE TABLE codex_sessions (
        id TEXT PRIMARY KEY,
        thread_id TEXT,
        backend TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_activity_at TEXT NOT NULL,
        record TEXT NOT NULL
      );
      CREATE INDEX codex_sessions_by_activity ON codex_sessions(last_activity_at DESC);

      CREATE TABLE dialectic_sessions (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        requester_id TEXT NOT NULL,
        reviewer_id TEXT,
        phase TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deadline_at TEXT,
        record TEXT NOT NULL
      );
      CREATE UNIQUE INDEX dialectic_open_requester ON dialectic_sessions(requester_id) WHERE phase IN ('thesis', 'antithesis', 'synthesis');
      CREATE INDEX dialectic_by_requester ON dialectic_sessions(requester_id, created_at);
      CREATE INDEX dialectic_by_reviewer ON dialectic_sessions(reviewer_id, created_at);
      CREATE INDEX dialectic_by_deadline ON dialectic_sessions(deadline_at) WHERE deadline_at IS NOT NULL;

      CREATE TABLE dialectic_messages (
        session_id TEXT NOT NULL REFERENCES dialectic_sessions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        phase TEXT NOT NULL,
        agent_id TEXT NOT NULL,
        at TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
      );

      CREATE TABLE agent_conditions (
        id BIGSERIAL PRIMARY KEY,
        agent_id TEXT NOT NULL,
        session_id TEXT NOT NULL REFERENCES dialectic_sessions(id) ON DELETE CASCADE,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        value DOUBLE PRECISION,
        unit TEXT,
        original TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX agent_conditions_by_agent ON agent_conditions(agent_id, id);

      CREATE TABLE tasks (
        seq BIGSERIAL PRIMARY KEY,
        task_id TEXT NOT NULL UNIQUE,
        description TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        due_date TEXT,
        priority TEXT NOT NULL DEFAULT 'medium',
        tags TEXT NOT NULL DEFAULT '[]',
        created_by TEXT NOT NULL,
        claimed_by TEXT,
        lease_expires_at TEXT,
        result TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX tasks_status ON tasks(status, lease_expires_at);
      CREATE INDEX tasks_claimed_by ON tasks(claimed_by);

      CREATE TABLE observed_sessions (
        session_id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT 'unknown',
        originator TEXT,
        codex_version TEXT,
        cwd TEXT,
        model TEXT,
        permission_mode TEXT,
        transcript_path TEXT,
        first_seen_at TEXT NOT NULL,
        last_event_at TEXT NOT NULL,
        last_event TEXT NOT NULL,
        tool_calls INTEGER NOT NULL DEFAULT 0,
        tool_calls_denied INTEGER NOT NULL DEFAULT 0,
        approvals INTEGER NOT NULL DEFAULT 0,
        approvals_denied INTEGER NOT NULL DEFAULT 0,
        turns INTEGER NOT NULL DEFAULT 0,
        inserted BIGSERIAL
      );
      CREATE INDEX observed_sessions_recent ON observed_sessions(last_event_at);
      CREATE TABLE observed_events (
        seq BIGSERIAL PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES observed_sessions(session_id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        event TEXT NOT NULL,
        tool_name TEXT,
        summary TEXT,
        decision TEXT,
        reason TEXT
      );
      CREATE INDEX observed_events_session ON observed_events(session_id, seq);

      -- Every server's audit entries (the JSONL file stays per data directory).
      CREATE TABLE audit_log (
        seq BIGSERIAL PRIMARY KEY,
        at TEXT NOT NULL,
        server TEXT NOT NULL,
        entry TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'api_tokens: per-agent and admin bearer tokens (src/auth), SHA-256 of the secret only',
    sql: `
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        agent_id TEXT,
        admin BOOLEAN NOT NULL DEFAULT FALSE,
        secret_sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT,
        inserted BIGSERIAL
      );
    `,
  },
  {
    version: 3,
    description: 'discoveries.write_xid: the id of the transaction that wrote each row, so the in-memory search index can catch up with rows committed out of seq order',
    sql: `
      -- pg_current_xact_id() is the writing transaction's 64-bit id; rows that exist already get
      -- this migration's. A reader takes every row at or above the xmin of its previous snapshot
      -- (pg_snapshot_xmin: every transaction below it had ended), see src/store/postgres/search-ranked.ts.
      ALTER TABLE discoveries ADD COLUMN write_xid xid8 NOT NULL DEFAULT pg_current_xact_id();
      CREATE INDEX discoveries_write_xid ON discoveries(write_xid);
    `,
  },
  {
    version: 4,
    description: 'codex_sessions.server: the server whose Codex processes a session record describes, so one server restores, marks lost and prunes only its own',
    sql: `
      -- A Codex session is a process of one server; before this column every server restored every
      -- record, marking another server's running sessions lost. Records from before belong to none.
      ALTER TABLE codex_sessions ADD COLUMN server TEXT NOT NULL DEFAULT '';
      DROP INDEX codex_sessions_by_activity;
      CREATE INDEX codex_sessions_by_server ON codex_sessions(server, last_activity_at DESC);
    `,
  },
  {
    version: 5,
    description: 'agents.conditions_version: bumped in the transaction that stores dialectic conditions for the agent, so an update decided under an older complexity cap does not match',
    sql: `
      -- Checked by the conditional agent update (src/store/postgres/agents.ts) on the row it locks:
      -- a resolution committed while the update waited for that row lock is seen there, where a
      -- subquery on agent_conditions would still read the update's older snapshot.
      ALTER TABLE agents ADD COLUMN conditions_version INTEGER NOT NULL DEFAULT 0;
    `,
  },
];

export const PG_LATEST_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]?.version ?? 0;

/** Current schema version (0 for an empty database). */
export async function pgSchemaVersion(pool: PgPool): Promise<number> {
  const exists = await pool.query<{ t: string | null }>("SELECT to_regclass('schema_version')::text AS t");
  if (!exists.rows[0]?.t) return 0;
  const row = await pool.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
  return Number(row.rows[0]?.v ?? 0);
}

/**
 * Brings the schema up to the latest version; a no-op on an up-to-date database.
 * @returns the versions applied, oldest first
 * @throws PgSchemaTooNewError (name `SchemaTooNewError`) when the database is newer than this code,
 *   naming the version that migrated it
 */
export async function pgMigrate(pool: PgPool, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number[]> {
  const known = migrations[migrations.length - 1]?.version ?? 0;
  return pool.transaction(async (c) => {
    await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_version (
      version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL, applied_by TEXT NOT NULL)`);
    const current = await c.query('SELECT version, applied_by FROM schema_version ORDER BY version DESC LIMIT 1');
    const top = current.rows[0];
    const found = top ? Number(top.version) : 0;
    if (found > known) throw new PgSchemaTooNewError(pool.label, found, known, typeof top?.applied_by === 'string' ? top.applied_by : null);
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= found) continue;
      await c.query(m.sql);
      await c.query('INSERT INTO schema_version (version, description, applied_at, applied_by) VALUES ($1, $2, $3, $4)', [m.version, m.description, new Date().toISOString(), VERSION]);
      applied.push(m.version);
    }
    return applied;
  });
}
