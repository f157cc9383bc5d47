/**
 * Worker thread entry of the search index build (see search-worker.ts): builds from the database
 * file in `workerData` and posts the packed index (its buffers transferred) or null.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { transferList } from './search-build';
import { buildPacked, type BuildRequest } from './search-worker';
import { DocTokenizer } from './search-tokens';
import { loadSqlite } from './sqlite';

const { file, minDocs } = workerData as BuildRequest;
const { DatabaseSync } = loadSqlite();
const db = new DatabaseSync(file, { readOnly: true });
const tokenizer = new DocTokenizer();
try {
  db.exec('PRAGMA busy_timeout = 5000');
  const packed = buildPacked(db, tokenizer, minDocs);
  parentPort!.postMessage(packed ?? null, packed ? transferList(packed) : []);
} finally {
  tokenizer.close();
  db.close();
}
