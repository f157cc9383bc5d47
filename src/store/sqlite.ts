/**
 * Opens the embedded SQLite database through Node's built-in `node:sqlite` and configures it for
 * durable, concurrent use: WAL journal, `synchronous=FULL` (an acknowledged write survives a power
 * loss), foreign keys on, and a busy timeout for readers in other processes.
 *
 * FTS5 is compiled into `node:sqlite` only from Node 22.16; VS Code >= 1.103 (Electron 37.2.3+,
 * Node 22.17+) has it. Both facts are checked at open so an old runtime fails with a clear message
 * rather than at the first search.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

/** Milliseconds a statement waits for a lock held by another connection before failing. */
export const BUSY_TIMEOUT_MS = 5000;

/** The runtime cannot host the store (no `node:sqlite`, or no FTS5 in it). */
export class SqliteUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SqliteUnavailableError';
  }
}

type SqliteModule = typeof import('node:sqlite');

let cachedModule: SqliteModule | undefined;
let ftsChecked = false;

const RUNTIME_HINT = 'Codex Governance needs Node.js >= 22.16 (or VS Code >= 1.103), whose built-in node:sqlite includes FTS5.';

/**
 * Loads `node:sqlite` and proves FTS5 works by creating an FTS5 table in memory (once per process).
 * @throws SqliteUnavailableError naming the running Node version and the version needed.
 */
export function loadSqlite(): SqliteModule {
  if (cachedModule && ftsChecked) return cachedModule;
  // getBuiltinModule returns undefined instead of throwing, so an old runtime gets our message.
  let mod: SqliteModule | undefined;
  try {
    mod = process.getBuiltinModule('node:sqlite');
  } catch {
    mod = undefined;
  }
  if (!mod?.DatabaseSync) {
    throw new SqliteUnavailableError(`This runtime (Node ${process.versions.node}) has no node:sqlite module. ${RUNTIME_HINT}`);
  }
  const probe = new mod.DatabaseSync(':memory:');
  try {
    probe.exec('CREATE VIRTUAL TABLE fts5_probe USING fts5(body)');
  } catch (err) {
    throw new SqliteUnavailableError(
      `node:sqlite in this runtime (Node ${process.versions.node}) lacks FTS5 (${(err as Error).message}). ${RUNTIME_HINT}`,
    );
  } finally {
    probe.close();
  }
  cachedModule = mod;
  ftsChecked = true;
  return mod;
}

/**
 * Opens (creating if missing) the database file and applies the connection pragmas.
 * @param file path of the database file, or `:memory:`
 * @throws SqliteUnavailableError when the runtime lacks node:sqlite or FTS5;
 *         Error naming the file when SQLite cannot open it or refuses WAL mode.
 */
export function openDatabase(file: string): DatabaseSync {
  const { DatabaseSync } = loadSqlite();
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
  } catch (err) {
    throw new Error(`Cannot open the database ${file}: ${(err as Error).message}. Check that the folder exists and is writable.`, { cause: err });
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const mode = (db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode?: string } | undefined)?.journal_mode;
    if (file !== ':memory:' && mode !== 'wal') {
      throw new Error(`SQLite refused WAL mode for ${file} (journal_mode is ${mode}); the file system may not support shared memory. Use a local disk for the data directory.`);
    }
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Runs `fn` inside `BEGIN IMMEDIATE ... COMMIT` (rolled back if it throws). IMMEDIATE takes the
 * write lock up front so a read-then-write inside `fn` cannot be invalidated by another writer.
 * Not reentrant: callers never nest transactions.
 */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  flushWrites(db);
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // SQLite may already have rolled back (e.g. after SQLITE_FULL); the original error matters.
    }
    throw err;
  }
}

/** Caches prepared statements by SQL text; statements are reused for the life of the connection. */
export class StatementCache {
  private readonly statements = new Map<string, StatementSync>();
  constructor(private readonly db: DatabaseSync) {}

  get(sql: string): StatementSync {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
}

/**
 * Group commit. With `synchronous=FULL` every COMMIT waits for an fsync (0.1-0.3 ms here, more on
 * laptops) on the thread that runs the server, so one commit per tool call caps throughput. Writes
 * issued in the same turn of the event loop therefore share one transaction: each runs at once
 * inside its own SAVEPOINT (a failing write rolls back alone and rejects at once), and each
 * promise resolves only after the shared COMMIT is durable (scheduled with setImmediate, so a lone
 * write waits no longer than the current turn). An acknowledged write is still a durable write.
 * Same idea as PostgreSQL's group commit (`commit_delay`), without the delay.
 *
 * Measured and rejected (2 vCPU, server pinned to one CPU): committing with synchronous=NORMAL and
 * fdatasync'ing the WAL on libuv's thread pool before acknowledging. It frees the event loop during
 * the sync, but the thread hand-off added 0.5-1 ms to a lone write and 16-client throughput did not
 * improve (991-1,443 calls/s inline vs 961-1,233 off-loop in the same runs): while the sync runs,
 * the waiting clients send nothing new, so there is little to overlap with it.
 */
class GroupCommit {
  private open = false;
  private closed = false;
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  // Prepared once: exec() would parse these on every write.
  private readonly begin: StatementSync;
  private readonly commit: StatementSync;
  private readonly savepoint: StatementSync;
  private readonly release: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.savepoint = db.prepare('SAVEPOINT group_write');
    this.release = db.prepare('RELEASE group_write');
  }

  write<T>(fn: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The database is closed; no more writes are accepted.'));
    if (!this.open) {
      this.begin.run();
      this.open = true;
      setImmediate(() => this.flush());
    }
    this.savepoint.run();
    let value: T;
    try {
      value = fn();
      this.release.run();
    } catch (err) {
      try {
        this.db.exec('ROLLBACK TO group_write');
        this.db.exec('RELEASE group_write');
      } catch {
        // The statement may have ended the transaction already; COMMIT/ROLLBACK below reports it.
      }
      return Promise.reject(err);
    }
    return new Promise<T>((resolve, reject) => this.waiters.push({ resolve: () => resolve(value), reject }));
  }

  /** Commits the open batch now (before a plain transaction, a close, or at the end of the turn). */
  flush(): void {
    if (!this.open) return;
    const waiters = this.waiters.splice(0);
    this.open = false;
    try {
      this.commit.run();
    } catch (err) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // Already rolled back by SQLite.
      }
      for (const w of waiters) w.reject(err);
      return;
    }
    for (const w of waiters) w.resolve();
  }

  /** Commits the open batch; later writes are refused. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}

const groups = new WeakMap<DatabaseSync, GroupCommit>();

/**
 * Runs `fn` (synchronous statements) as one atomic write that shares its durable COMMIT with the
 * other writes of this event-loop turn. Resolves with `fn`'s value once committed.
 * @throws (rejects) whatever `fn` throws, with its changes rolled back; or the COMMIT's error.
 */
export function durableWrite<T>(db: DatabaseSync, fn: () => T): Promise<T> {
  let group = groups.get(db);
  if (!group) {
    group = new GroupCommit(db);
    groups.set(db, group);
  }
  return group.write(fn);
}

/** Commits any open group-commit batch on `db` synchronously (before BEGIN). */
export function flushWrites(db: DatabaseSync): void {
  groups.get(db)?.flush();
}

/**
 * Commits any open batch (every write acknowledged so far is then durable); call before
 * `db.close()`. Later durableWrite calls on `db` reject with an error saying the database is closed.
 */
export function closeWrites(db: DatabaseSync): void {
  groups.get(db)?.close();
}
