/**
 * Ownership of a data directory: one governance server (CLI, VS Code or test) per directory, so
 * two processes never write the same database and audit log unknowingly. The owner is recorded in
 * `<dataDir>/owner.json` `{pid, port, hostKind, startedAt, nonce}`. The file is written whole to a
 * temporary name and hard-linked into place, which fails atomically if it exists, so nobody ever
 * reads a half-written lock. A lock whose pid no longer runs (a crash) is taken over.
 */
import { randomUUID } from 'node:crypto';
import { accessSync, constants, linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'owner.json';

export interface DataDirOwner {
  pid: number;
  /** TCP port served, or null while the server is still binding. */
  port: number | null;
  /** `cli`, `vscode`, `test`, ... */
  hostKind: string;
  /** ISO-8601 */
  startedAt: string;
  nonce: string;
}

export interface DataDirLease {
  readonly dataDir: string;
  readonly lockFile: string;
  /** Records the port once it is known (atomic rewrite). */
  update(change: { port: number | null }): void;
  /** Removes the lock if it is still ours; idempotent. */
  release(): void;
}

/** The data directory cannot be created or written. */
export class DataDirError extends Error {
  constructor(readonly dataDir: string, reason: string, options?: { cause?: unknown }) {
    super(`Cannot use the data directory ${dataDir}: ${reason}. Choose a writable folder (--data-dir, or CODEX_GOVERNANCE_DATA_DIR) or fix its permissions.`, options);
    this.name = 'DataDirError';
  }
}

/** Another live process owns the data directory. */
export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string, readonly owner: DataDirOwner, readonly lockFile: string) {
    const serving = owner.port == null ? 'which is still starting' : `serving port ${owner.port}`;
    super(
      `The data directory ${dataDir} is owned by process ${owner.pid} (${owner.hostKind}) ${serving}; stop it or use --data-dir. ` +
        `If process ${owner.pid} is not a Codex Governance server, delete ${lockFile}.`,
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * Creates `dataDir` (mode 0700) if missing and takes ownership of it.
 * @param options.port the port about to be served (null/0 if not known yet; see `update`)
 * @throws DataDirError naming the path when it cannot be created or written
 * @throws DataDirLockedError naming the owner's pid and port when a live process owns it
 */
export function acquireDataDir(dataDir: string, options: { port: number | null; hostKind: string }): DataDirLease {
  const dir = resolve(dataDir);
  prepareDir(dir);
  const lockFile = join(dir, LOCK_FILE);
  const mine: DataDirOwner = {
    pid: process.pid,
    port: options.port || null,
    hostKind: options.hostKind,
    startedAt: new Date().toISOString(),
    nonce: randomUUID(),
  };

  // Two rounds: the second follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (tryCreate(dir, lockFile, mine)) return lease(dir, lockFile, mine);
    const owner = readOwner(lockFile);
    if (owner && isLive(owner)) throw new DataDirLockedError(dir, owner, lockFile);
    removeStale(lockFile, owner);
  }
  const owner = readOwner(lockFile);
  if (owner) throw new DataDirLockedError(dir, owner, lockFile);
  throw new DataDirError(dir, `the lock file ${lockFile} keeps reappearing`);
}

function prepareDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new DataDirError(dir, (err as Error).message, { cause: err });
  }
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new DataDirError(dir, `it is not writable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  if (!isDir) throw new DataDirError(dir, 'it is not a directory');
}

/** Writes the lock under a unique temp name and links it into place; false if a lock exists. */
function tryCreate(dir: string, lockFile: string, owner: DataDirOwner): boolean {
  const tmp = join(dir, `.owner.${owner.nonce}.tmp`);
  try {
    writeFileSync(tmp, JSON.stringify(owner, null, 2) + '\n', { mode: 0o600, flush: true });
  } catch (err) {
    throw new DataDirError(dir, `cannot write ${tmp} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
  try {
    linkSync(tmp, lockFile);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new DataDirError(dir, `cannot create ${lockFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  } finally {
    safeUnlink(tmp);
  }
}

/** The recorded owner, or undefined when the file is missing or not a valid lock. */
function readOwner(lockFile: string): DataDirOwner | undefined {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<DataDirOwner>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return undefined;
    return {
      pid: value.pid,
      port: typeof value.port === 'number' ? value.port : null,
      hostKind: typeof value.hostKind === 'string' ? value.hostKind : 'unknown',
      startedAt: typeof value.startedAt === 'string' ? value.startedAt : '',
      nonce: typeof value.nonce === 'string' ? value.nonce : '',
    };
  } catch {
    return undefined;
  }
}

/**
 * The live owner of `dataDir` as recorded in its lock file (pid still running), or undefined when
 * nobody owns it, the lock is stale, or the file is unreadable. Read-only: never takes the lock.
 * Used by the commands that look for the running server of a data directory (`bridge`, `hook`).
 */
export function liveDataDirOwner(dataDir: string): DataDirOwner | undefined {
  const owner = readOwner(join(resolve(dataDir), LOCK_FILE));
  return owner && isLive(owner) ? owner : undefined;
}

/** Nonces of the leases this process holds right now. */
const heldHere = new Set<string>();

/**
 * A lock naming our own pid but none of our leases was left by an earlier process that had the
 * same pid (common in containers, where the server is often pid 1).
 */
function isLive(owner: DataDirOwner): boolean {
  if (owner.pid === process.pid) return heldHere.has(owner.nonce);
  return isAlive(owner.pid);
}

/** `kill(pid, 0)` probes without signalling: ESRCH = gone; EPERM = alive under another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the stale lock aside before deleting it, then checks that what was moved is the lock
 * judged stale: if another process replaced it meanwhile, its lock is put back.
 */
function removeStale(lockFile: string, judged: DataDirOwner | undefined): void {
  const aside = `${lockFile}.stale.${randomUUID()}`;
  try {
    renameSync(lockFile, aside);
  } catch {
    return; // Someone else removed it first; retry creating.
  }
  const moved = readOwner(aside);
  if (moved && moved.nonce !== judged?.nonce && isLive(moved)) {
    try {
      linkSync(aside, lockFile);
    } catch {
      // A third process holds the lock now; the retry will report it.
    }
  }
  safeUnlink(aside);
}

function lease(dir: string, lockFile: string, owner: DataDirOwner): DataDirLease {
  let current = owner;
  let released = false;
  heldHere.add(owner.nonce);
  const stillOurs = () => readOwner(lockFile)?.nonce === owner.nonce;
  return {
    dataDir: dir,
    lockFile,
    update(change) {
      if (released) throw new Error(`The lock on ${dir} was already released.`);
      if (!stillOurs()) throw new DataDirError(dir, `the lock file ${lockFile} was replaced by another process`);
      current = { ...current, port: change.port || null };
      const tmp = join(dir, `.owner.${owner.nonce}.tmp`);
      writeFileSync(tmp, JSON.stringify(current, null, 2) + '\n', { mode: 0o600, flush: true });
      renameSync(tmp, lockFile);
    },
    release() {
      if (released) return;
      released = true;
      heldHere.delete(owner.nonce);
      if (stillOurs()) safeUnlink(lockFile);
    },
  };
}

function safeUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
