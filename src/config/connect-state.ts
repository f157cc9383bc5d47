/**
 * What "connect codex" wrote, kept beside the server's data (`<dataDir>/connect/codex-<id>.json`,
 * mode 0600 in the 0700 data directory: a config file may hold other servers' secrets), so that
 * "disconnect codex" can put the file back byte for byte when nothing else changed it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface ConnectState {
  /** The config file (absolute, symlinks resolved). */
  config: string;
  /** The file did not exist before connect. */
  created: boolean;
  /** Text before connect ('' when created). */
  before: string;
  /** Text connect wrote. */
  after: string;
  /** ISO-8601 time of the write. */
  at: string;
}

/** Path of the state file for `configPath` in `dataDir`. */
export function connectStatePath(dataDir: string, configPath: string): string {
  const id = createHash('sha256').update(configPath).digest('hex').slice(0, 16);
  return path.join(dataDir, 'connect', `codex-${id}.json`);
}

/** The recorded state, or undefined when there is none (or it is unreadable or for another file). */
export async function readConnectState(dataDir: string, configPath: string): Promise<ConnectState | undefined> {
  try {
    const value = JSON.parse(await fs.readFile(connectStatePath(dataDir, configPath), 'utf8')) as Partial<ConnectState>;
    if (value.config !== configPath || typeof value.before !== 'string' || typeof value.after !== 'string') return undefined;
    return { config: value.config, created: value.created === true, before: value.before, after: value.after, at: String(value.at ?? '') };
  } catch {
    return undefined;
  }
}

/** Writes the state atomically (temp + rename). @throws Error naming the file when the data directory is not writable. */
export async function writeConnectState(dataDir: string, state: ConnectState): Promise<void> {
  const file = connectStatePath(dataDir, state.config);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, JSON.stringify(state) + '\n', { mode: 0o600 });
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new Error(`Cannot record the connection in ${file}: ${(e as Error).message}`, { cause: e });
  }
}

export async function deleteConnectState(dataDir: string, configPath: string): Promise<void> {
  await fs.rm(connectStatePath(dataDir, configPath), { force: true });
}
