/**
 * Versioned schema migrations, tracked in `PRAGMA user_version`. Each migration runs in its own
 * transaction together with the version bump, so a crash leaves the file at the previous version.
 * Migrations are append-only: never edit a released one, add the next version instead.
 */
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from './sqlite';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** The database file was written by a newer Codex Governance than this one. */
export class SchemaTooNewError extends Error {
  constructor(readonly file: string, readonly found: number, readonly known: number) {
    super(
      `The database ${file} has schema version ${found}, but this Codex Governance only knows versions up to ${known}. ` +
        'Update the extension/CLI, or point it at another data directory (--data-dir).',
    );
    this.name = 'SchemaTooNewError';
  }
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'agents, update history, discoveries with tags, edges and FTS5 index',
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
        id INTEGER PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        operation TEXT NOT NULL,
        complexity REAL NOT NULL,
        confidence REAL,
        E REAL NOT NULL,
        I REAL NOT NULL,
        S REAL NOT NULL,
        V REAL NOT NULL,
        coherence REAL NOT NULL,
        risk_score REAL NOT NULL,
        action TEXT NOT NULL,
        reason TEXT NOT NULL,
        guidance TEXT,
        simulated INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX agent_updates_agent ON agent_updates(agent_id, id);

      -- seq is the FTS rowid: an INTEGER PRIMARY KEY survives VACUUM, an implicit rowid may not.
      CREATE TABLE discoveries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        agent_id TEXT NOT NULL,
        discovery_type TEXT NOT NULL,
        summary TEXT NOT NULL,
        details TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL DEFAULT 'open',
        severity TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX discoveries_agent ON discoveries(agent_id, seq);
      CREATE INDEX discoveries_type ON discoveries(discovery_type, seq);

      CREATE TABLE discovery_tags (
        discovery_id TEXT NOT NULL REFERENCES discoveries(id) ON DELETE CASCADE,
        tag TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (discovery_id, tag)
      ) WITHOUT ROWID;
      CREATE INDEX discovery_tags_tag ON discovery_tags(tag, discovery_id);

      CREATE TABLE discovery_edges (
        from_id TEXT NOT NULL REFERENCES discoveries(id) ON DELETE CASCADE,
        to_id TEXT NOT NULL REFERENCES discoveries(id) ON DELETE CASCADE,
        relation TEXT NOT NULL,
        agent_id TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (from_id, to_id, relation)
      ) WITHOUT ROWID;
      CREATE INDEX discovery_edges_to ON discovery_edges(to_id, from_id);

      CREATE VIRTUAL TABLE discoveries_fts USING fts5(
        summary, details, tags,
        content='discoveries', content_rowid='seq',
        tokenize='unicode61 remove_diacritics 2'
      );

      -- The tag table and the FTS index follow the discoveries table through triggers, so every
      -- write path (single insert, bulk import, future updates) keeps them consistent.
      CREATE TRIGGER discoveries_ai AFTER INSERT ON discoveries BEGIN
        INSERT INTO discoveries_fts(rowid, summary, details, tags) VALUES (new.seq, new.summary, new.details, new.tags);
        INSERT OR IGNORE INTO discovery_tags(discovery_id, tag) SELECT new.id, value FROM json_each(new.tags);
      END;
      CREATE TRIGGER discoveries_ad AFTER DELETE ON discoveries BEGIN
        INSERT INTO discoveries_fts(discoveries_fts, rowid, summary, details, tags) VALUES ('delete', old.seq, old.summary, old.details, old.tags);
      END;
      CREATE TRIGGER discoveries_au AFTER UPDATE OF summary, details, tags ON discoveries BEGIN
        INSERT INTO discoveries_fts(discoveries_fts, rowid, summary, details, tags) VALUES ('delete', old.seq, old.summary, old.details, old.tags);
        INSERT INTO discoveries_fts(rowid, summary, details, tags) VALUES (new.seq, new.summary, new.details, new.tags);
        DELETE FROM discovery_tags WHERE discovery_id = old.id;
        INSERT OR IGNORE INTO discovery_tags(discovery_id, tag) SELECT new.id, value FROM json_each(new.tags);
      END;
    `,
  },
  {
    version: 2,
    description: 'Codex supervisor sessions (one row per session; the record as JSON)',
    sql: `
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
      CREATE INDEX codex_sessions_by_thread ON codex_sessions(thread_id);
    `,
  },
  {
    version: 3,
    description: 'agents_snapshot: covering index of each agent\'s latest numbers for fleet-wide reads',
    // Replaced by version 6 (same columns, another key order). compare_me_to_similar,
    // aggregate_metrics and the list_agents summary read every agent per call.
    // Read from the table, each row drags its `dynamics` JSON (overflow pages) along: 24-37 ms for
    // 1,000 agents. Served from this index (SQLite uses indexed expressions as covering columns), the
    // same read takes 1.5-2 ms. The expressions must stay identical to SNAPSHOT_COLUMNS in
    // sqlite-agent-reads.ts, or SQLite falls back to the table.
    sql: `
      CREATE INDEX agents_snapshot ON agents(
        status, last_seen_at, id, update_count, last_action,
        json_extract(last_metrics, '$.E'), json_extract(last_metrics, '$.I'), json_extract(last_metrics, '$.S'),
        json_extract(last_metrics, '$.V'), json_extract(last_metrics, '$.coherence'),
        json_extract(last_metrics, '$.risk_score'), json_extract(last_metrics, '$.phi'),
        json_extract(last_metrics, '$.void_active')
      );
    `,
  },
  {
    version: 4,
    description: 'dialectic peer review: sessions (record as JSON), their messages, conditions stored for agents',
    sql: `
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
      -- One open review per requester, whoever writes.
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
      ) WITHOUT ROWID;

      CREATE TABLE agent_conditions (
        id INTEGER PRIMARY KEY,
        agent_id TEXT NOT NULL,
        session_id TEXT NOT NULL REFERENCES dialectic_sessions(id) ON DELETE CASCADE,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        value REAL,
        unit TEXT,
        original TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX agent_conditions_by_agent ON agent_conditions(agent_id, id);
    `,
  },
  {
    version: 5,
    description: "agent_tags: each agent's discovery tags (lower-case), kept by triggers, for reviewer selection",
    // Reviewer selection weighs every agent by the overlap of its discovery tags with the
    // requester's. Joining discovery_tags to discoveries for 1,000 agents took 7 ms of the 5 ms
    // budget (bench/dialectic.ts); this set has one row per agent and tag.
    sql: `
      CREATE TABLE agent_tags (
        agent_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (agent_id, tag)
      ) WITHOUT ROWID;
      INSERT OR IGNORE INTO agent_tags (agent_id, tag)
        SELECT d.agent_id, lower(t.tag) FROM discovery_tags t JOIN discoveries d ON d.id = t.discovery_id;
      CREATE TRIGGER discovery_tags_ai_agent_tags AFTER INSERT ON discovery_tags BEGIN
        INSERT OR IGNORE INTO agent_tags (agent_id, tag) SELECT agent_id, lower(new.tag) FROM discoveries WHERE id = new.discovery_id;
      END;
      -- A tag removed (a discovery's tags changed, or the discovery deleted): drop the pairs no discovery backs any more.
      CREATE TRIGGER discovery_tags_ad_agent_tags AFTER DELETE ON discovery_tags BEGIN
        DELETE FROM agent_tags WHERE tag = lower(old.tag)
          AND agent_id NOT IN (SELECT d.agent_id FROM discovery_tags t JOIN discoveries d ON d.id = t.discovery_id WHERE t.tag = old.tag);
      END;
    `,
  },
  {
    version: 6,
    description: 'agents_snapshot keyed by (status, id): an update rewrites its entry in place',
    // Version 3 keyed the index by (status, last_seen_at, id): every update moved the agent's entry
    // to another place in the index, which cost process_agent_update about 60 us in process
    // (90 -> 150 us per update, 500 agents x 20 rounds). Keyed by (status, id) the entry stays put:
    // about 20 us. The fleet reads sort by last_seen_at themselves (a temporary B-tree, under a
    // millisecond for 1,000 agents). The expressions must stay identical to SNAPSHOT_COLUMNS in
    // sqlite-agent-reads.ts, or SQLite falls back to the table.
    sql: `
      DROP INDEX agents_snapshot;
      CREATE INDEX agents_snapshot ON agents(
        status, id, update_count, last_action, last_seen_at,
        json_extract(last_metrics, '$.E'), json_extract(last_metrics, '$.I'), json_extract(last_metrics, '$.S'),
        json_extract(last_metrics, '$.V'), json_extract(last_metrics, '$.coherence'),
        json_extract(last_metrics, '$.risk_score'), json_extract(last_metrics, '$.phi'),
        json_extract(last_metrics, '$.void_active')
      );
    `,
  },  {
    version: 7,
    description: 'tasks: the task queue (src/tasks) with claim leases',
    sql: `
      CREATE TABLE tasks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
    `,
  },
  {
    version: 8,
    description: 'observed_sessions: Codex sessions seen through hooks (src/hooks) and their events',
    sql: `
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
        turns INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX observed_sessions_recent ON observed_sessions(last_event_at);
      CREATE TABLE observed_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES observed_sessions(session_id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        event TEXT NOT NULL,
        tool_name TEXT,
        summary TEXT,
        decision TEXT,
        reason TEXT
      );
      CREATE INDEX observed_events_session ON observed_events(session_id, seq);
    `,
  },
  {
    version: 9,
    description: 'api_tokens: per-agent and admin bearer tokens (src/auth), SHA-256 of the secret only',
    sql: `
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        agent_id TEXT,
        admin INTEGER NOT NULL DEFAULT 0,
        secret_sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT
      );
    `,
  },
];

/** Highest schema version this code knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** Current `user_version` of the database. */
export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version?: number } | undefined;
  return Number(row?.user_version ?? 0);
}

/**
 * Brings the schema up to {@link LATEST_SCHEMA_VERSION}; a no-op on an up-to-date file.
 * @param file the database path, only used in error messages
 * @returns the versions applied, oldest first
 * @throws SchemaTooNewError when the file is newer than this code
 */
export function migrate(db: DatabaseSync, file: string, migrations: readonly Migration[] = MIGRATIONS): number[] {
  const known = migrations[migrations.length - 1]?.version ?? 0;
  const applied: number[] = [];
  for (const migration of migrations) {
    const done = inTransaction(db, () => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const current = schemaVersion(db);
      if (current > known) throw new SchemaTooNewError(file, current, known);
      if (current >= migration.version) return false;
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  const final = schemaVersion(db);
  if (final > known) throw new SchemaTooNewError(file, final, known);
  return applied;
}
