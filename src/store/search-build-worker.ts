/**
 * Worker thread entry of the search index build (see search-worker.ts): builds from the SQLite
 * database file or the PostgreSQL database in `workerData` and posts the packed index (its
 * buffers transferred) or null.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { transferList } from './search-build';
import { buildPacked, type BuildRequest } from './search-worker';
import { DocTokenizer } from './search-tokens';
import { loadSqlite } from './sqlite';

const request = workerData as BuildRequest;
const tokenizer = new DocTokenizer();

if ('postgresUrl' in request) {
  // Loaded only here, so a SQLite build does not load the PostgreSQL client. A `require`, not
  // `import()`, as in open.ts: a dynamic import() of a .ts module fails under the TypeScript loader.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildInThisThread } = require('./postgres/search-build') as typeof import('./postgres/search-build');
  void buildInThisThread(request.postgresUrl, tokenizer, request.minDocs)
    .then(
      (built) => parentPort!.postMessage(built ?? null, built ? transferList(built.packed) : []),
      () => parentPort!.postMessage(null),
    )
    .finally(() => tokenizer.close());
} else {
  const { DatabaseSync } = loadSqlite();
  const db = new DatabaseSync(request.file, { readOnly: true });
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    const packed = buildPacked(db, tokenizer, request.minDocs);
    parentPort!.postMessage(packed ?? null, packed ? transferList(packed) : []);
  } finally {
    tokenizer.close();
    db.close();
  }
}
