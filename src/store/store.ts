/**
 * Opens the governance database (`governance.db` in the data directory) and bundles its
 * repositories. The caller owns the data directory (see lock.ts: acquire it first so two servers
 * never share one file unknowingly).
 */
import { resolve, join } from 'node:path';
import { migrate, schemaVersion } from './migrations';
import { closeWrites, openDatabase } from './sqlite';
import { SqliteAgentRepository } from './sqlite-agents';
import { SqliteAgentReadRepository } from './sqlite-agent-reads';
import { SqliteDiscoveryRepository } from './sqlite-discoveries';
import { SqliteCodexSessionRepository } from './sqlite-sessions';
import { SqliteDialecticRepository } from './sqlite-dialectic';
import { SqliteTaskRepository } from './sqlite-tasks';
import { SqliteObservedSessionRepository } from './sqlite-observed';
import { SqliteTokenRepository } from './sqlite-tokens';
import type { StoreInfo } from '../core/repository';
import type { Store } from './types';
import { runAsPromise } from '../util/promise';

export const DATABASE_FILE = 'governance.db';

/**
 * Opens (creating and migrating as needed) `<dataDir>/governance.db`. The directory must exist.
 * @throws SqliteUnavailableError when the runtime's node:sqlite lacks FTS5 (Node < 22.16, VS Code < 1.103)
 * @throws SchemaTooNewError when the file was written by a newer version
 * @throws Error naming the file when it cannot be opened
 */
export async function openStore(dataDir: string): Promise<Store> {
  return openStoreFile(join(resolve(dataDir), DATABASE_FILE));
}

/** Same as {@link openStore} for an explicit file path (or `:memory:`). */
export function openStoreFile(file: string): Promise<Store> {
  return runAsPromise(() => {
    const db = openDatabase(file);
    try {
      migrate(db, file);
    } catch (err) {
      db.close();
      throw err;
    }
    const agents = new SqliteAgentRepository(db);
    const discoveries = new SqliteDiscoveryRepository(db);
    const codexSessions = new SqliteCodexSessionRepository(db);
    const dialectic = new SqliteDialecticRepository(db);
    let closed = false;
    return {
      agents,
      agentReads: new SqliteAgentReadRepository(db),
      discoveries,
      codexSessions,
      dialectic,
      tasks: new SqliteTaskRepository(db),
      observedSessions: new SqliteObservedSessionRepository(db),
      tokens: new SqliteTokenRepository(db),
      info(): Promise<StoreInfo> {
        return runAsPromise(() => ({ kind: 'sqlite' as const, path: file, schemaVersion: schemaVersion(db) }));
      },
      close(): Promise<void> {
        return runAsPromise(() => {
          if (closed) return;
          closed = true;
          closeWrites(db);
          db.close();
        });
      },
    };
  });
}
