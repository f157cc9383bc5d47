/**
 * The versions `codex --version` reported, kept in a small JSON file in the data directory so a
 * server start does not spawn Codex while the binary is unchanged. Spawning it cost 350-800 ms of
 * the start on a busy 2-CPU machine, and the server waits for the version because the `codex`
 * tool's schema lists what that version accepts.
 *
 * An entry is reused only while the binary at the same path has the same size (bytes), mtime and
 * ctime (ms) and inode: an upgrade, a rewrite or a touch changes at least one of them, and the
 * binary is probed again. Only the version is kept; the backend is picked from it on every start,
 * so a changed backend setting applies at once. The file is an optimisation: a missing, corrupt or
 * foreign file is ignored and rewritten, and a failed write is dropped, never fatal.
 *
 * File shape: `{"format": "codex-governance/codex-version-cache", "version": 1, "entries":
 * [{"path", "size", "mtimeMs", "ctimeMs", "ino", "version"}]}`, newest entry first.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';

/** Name of the cache file inside the data directory. */
export const CODEX_VERSION_CACHE_FILE = 'codex-version-cache.json';

const FORMAT = 'codex-governance/codex-version-cache';
const FORMAT_VERSION = 1;
/** Binaries remembered (explicit paths, PATH, bundled copies, backend-forced fallbacks). */
const MAX_ENTRIES = 8;

/** What identifies one state of a binary file (from `fs.statSync`, following links). */
export interface BinaryFingerprint {
  /** bytes */
  size: number;
  /** ms since the epoch */
  mtimeMs: number;
  /** ms since the epoch; changes on a rewrite even when the mtime is set back */
  ctimeMs: number;
  /** 0 where the platform has none */
  ino: number;
}

interface CacheEntry extends BinaryFingerprint {
  path: string;
  version: string;
}

/** The fingerprint of the file at `path`, or undefined when it cannot be read. */
export function fingerprintOf(path: string): BinaryFingerprint | undefined {
  try {
    const s = statSync(path);
    return { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino };
  } catch {
    return undefined;
  }
}

/** True when two fingerprints name the same state of the file. */
export function sameFingerprint(a: BinaryFingerprint, b: BinaryFingerprint): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

function isEntry(v: unknown): v is CacheEntry {
  const e = v as Partial<Record<keyof CacheEntry, unknown>> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.path === 'string' &&
    typeof e.version === 'string' &&
    /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(e.version) &&
    [e.size, e.mtimeMs, e.ctimeMs, e.ino].every((n) => typeof n === 'number' && Number.isFinite(n))
  );
}

/** The valid entries of the cache file; [] for a missing, unreadable, corrupt or foreign file. */
function readEntries(file: string): CacheEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
  const doc = json as { format?: unknown; version?: unknown; entries?: unknown } | null;
  if (typeof doc !== 'object' || doc === null || doc.format !== FORMAT || doc.version !== FORMAT_VERSION || !Array.isArray(doc.entries)) return [];
  return doc.entries.filter(isEntry);
}

/**
 * The version cached for `path` in this exact state, or undefined (no entry, or the binary changed).
 * @param file the cache file (see {@link CODEX_VERSION_CACHE_FILE})
 * @param current the binary's fingerprint now (see {@link fingerprintOf})
 */
export function cachedCodexVersion(file: string, path: string, current: BinaryFingerprint): string | undefined {
  const entry = readEntries(file).find((e) => e.path === path);
  return entry && sameFingerprint(entry, current) ? entry.version : undefined;
}

/**
 * Records `version` for `path` in the state `probed` (taken before the probe), replacing the
 * path's older entry. Written to a temporary file and renamed over the cache, so a reader never
 * sees half a file. A failed write (read-only directory, full disk) leaves the cache as it was.
 */
export function rememberCodexVersion(file: string, path: string, probed: BinaryFingerprint, version: string): void {
  const entry: CacheEntry = { path, version, size: probed.size, mtimeMs: probed.mtimeMs, ctimeMs: probed.ctimeMs, ino: probed.ino };
  const entries = [entry, ...readEntries(file).filter((e) => e.path !== path)].slice(0, MAX_ENTRIES);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, entries }, null, 1)}\n`);
    renameSync(tmp, file);
  } catch {
    // Only an optimisation: the next start probes again.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing was written, or the directory refuses even that.
    }
  }
}
