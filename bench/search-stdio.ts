/**
 * The governance server over stdio on an existing data directory, for the search benchmark:
 *
 *     node --import tsx bench/search-stdio.ts <dataDir>
 *
 * Writes "search-ready" to stderr once ranked searches are answered from the in-memory index.
 */
import { runStdioServer } from '../src/server/stdio';
import { nullLogger } from '../src/util/log';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: search-stdio.ts <dataDir>');
  const server = await runStdioServer({ dataDir, logger: nullLogger, codex: { codexPath: '/nonexistent/codex' } });
  await server.app.store.discoveries.searchReady();
  process.stderr.write('search-ready\n');
  await server.closed;
  await server.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
