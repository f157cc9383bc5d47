/**
 * A benchmark server in its own process (so server and client CPU are not mixed):
 *   serve-child.ts echo                 bare McpServer + echo tool (the floor)
 *   serve-child.ts governance N         governance server seeded with N discoveries
 * Prints one JSON line `{url, token}` on stdout when ready; exits on SIGTERM.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGovernanceApp } from '../src/server/app';
import { startGovernanceServer } from '../src/server/server';
import { nullLogger } from '../src/util/log';
import { zipfWords } from './corpus';
import { startEchoServer } from './echo-server';

async function main(): Promise<void> {
  const [mode, count] = process.argv.slice(2);
  if (mode === 'echo') {
    const s = await startEchoServer();
    process.stdout.write(JSON.stringify({ url: s.url, token: '' }) + '\n');
    process.on('SIGTERM', () => void s.close().then(() => process.exit(0)));
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-bench-'));
  const n = Number(count ?? 10_000);
  const app = await createGovernanceApp({ dataDir, logger: nullLogger, hostKind: 'bench', port: null });
  // Sequential awaits: one durable commit each, as discoveries arrive in practice.
  for (let i = 0; i < n; i++) {
    const words = zipfWords(i + 1, 24);
    await app.knowledge.store({
      agentId: `seed-agent-${i % 50}`,
      discoveryType: ['insight', 'pattern', 'bug_found', 'note'][i % 4]!,
      summary: `${words.slice(0, 6).join(' ')} #${i}`,
      details: words.slice(6).join(' '),
      tags: [...new Set(words.slice(0, 2))],
      relatedTo: [],
    });
  }
  await app.close();
  const token = 'bench-token-0123456789abcdef';
  const server = await startGovernanceServer({ port: 0, dataDir, token, rateLimitPerMinute: 10_000_000, hostKind: 'bench' });
  process.stdout.write(JSON.stringify({ url: server.url, token }) + '\n');
  process.on('SIGTERM', () =>
    void server.close().then(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
