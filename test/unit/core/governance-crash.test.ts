import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { useTempDir } from '../store/temp-dir';

describe('core: process_agent_update under SIGKILL', () => {
  const dir = useTempDir('cg-gov-crash-');

  it('no acknowledged update is lost when the process is killed mid-stream, with updates of one agent sharing commits', async function () {
    this.timeout(60_000);
    for (let trial = 0; trial < 3; trial++) {
      const data = mkdtempSync(join(dir(), 'kill-'));
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'durable-updater.ts'), data], { stdio: ['ignore', 'pipe', 'inherit'] });
      const acked = new Map<string, number>();
      let count = 0;
      let buffer = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          const lines = buffer.split('\n');
          buffer = lines.pop() ?? '';
          for (const line of lines) {
            const [agent, n] = line.split(' ');
            acked.set(agent!, Math.max(acked.get(agent!) ?? 0, Number(n)));
            count++;
          }
          if (count >= 200 + trial * 150) child.kill('SIGKILL');
        });
        child.once('exit', () => resolve());
        child.once('error', reject);
      });
      assert.ok(count >= 200, `the updater acknowledged ${count} updates before it was killed`);
      const db = new DatabaseSync(join(data, 'governance.db'));
      try {
        assert.equal((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check, 'ok');
        for (const [agent, n] of acked) {
          const row = db.prepare('SELECT update_count AS n, (SELECT count(*) FROM agent_updates WHERE agent_id = ?) AS rows FROM agents WHERE id = ?').get(agent, agent) as { n: number; rows: number } | undefined;
          assert.ok(row && row.n >= n, `trial ${trial}: ${agent} acknowledged update ${n} but stored ${row?.n ?? 'nothing'}`);
          assert.equal(row.rows, row.n, `trial ${trial}: ${agent}'s history rows match its update count`);
        }
      } finally {
        db.close();
      }
    }
  });
});
