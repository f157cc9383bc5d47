/**
 * The governance server for bench/codex-supervisor.ts in its own process, as Codex and MCP clients
 * meet it (a client in the server's process would be charged for the server's own work after an
 * answer, such as spawning the next spare Codex process, which blocks that process's event loop).
 *   codex-serve-child.ts DATA_DIR
 * Codex comes from the environment (CODEX_GOVERNANCE_CODEX_PATH, CODEX_HOME, HOME). Prints one JSON
 * line `{url, token}` when listening; then answers each stdin line `spare` with `{spare: pid|null}`
 * (the ready spare Codex process); exits on SIGTERM.
 */
import { createInterface } from 'node:readline';
import { startGovernanceServer } from '../src/server/server';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: codex-serve-child.ts DATA_DIR');
  const token = 'bench-token-0123456789abcdef';
  const server = await startGovernanceServer({ port: 0, dataDir, token, rateLimitPerMinute: 1_000_000, hostKind: 'bench' });
  process.stdout.write(JSON.stringify({ url: server.url, token }) + '\n');
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'spare') void server.app.codex.sparePid().then((pid) => process.stdout.write(JSON.stringify({ spare: pid ?? null }) + '\n'));
  });
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
