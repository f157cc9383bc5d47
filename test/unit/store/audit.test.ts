import assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog, AUDIT_FILE, type AuditRecord } from '../../../src/store/audit';
import { ValidationError } from '../../../src/core/errors';
import { useTempDir, manualClock } from './temp-dir';

async function readAll(log: AuditLog, limit: number, filter?: Record<string, string>): Promise<{ pages: AuditRecord[][]; cursor: string }> {
  const pages: AuditRecord[][] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await log.read({ cursor, limit, filter });
    pages.push(page.entries);
    cursor = page.next_cursor;
    if (!page.has_more) return { pages, cursor };
  }
}

describe('store: audit log (JSONL)', () => {
  const dir = useTempDir('cg-audit-');

  it('appends {ts, ...entry} lines that survive a reopen, oldest first', async () => {
    const clock = manualClock();
    let log = await AuditLog.open(dir(), clock.now);
    await log.append({ type: 'approval.requested', agent_id: 'a1', command: 'rm -rf build' });
    clock.advance(1000);
    await log.append({ type: 'approval.answered', agent_id: 'a1', answer: 'deny' });
    await log.close();

    log = await AuditLog.open(dir());
    try {
      await log.append({ type: 'tool.call', agent_id: 'a2' });
      const page = await log.read({ limit: 10 });
      assert.deepEqual(page.entries.map((e) => e.type), ['approval.requested', 'approval.answered', 'tool.call']);
      assert.equal(page.entries[0]?.ts, '2026-11-05T10:00:00.000Z');
      assert.equal(page.entries[1]?.ts, '2026-11-05T10:00:01.000Z');
      assert.equal(page.entries[0]?.command, 'rm -rf build');
      assert.equal(page.has_more, false);
      const lines = readFileSync(join(dir(), AUDIT_FILE), 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, 3);
    } finally {
      await log.close();
    }
  });

  it('pages without gaps or duplicates, filters, and resumes from the last cursor for new entries', async () => {
    const log = await AuditLog.open(dir());
    try {
      for (let i = 0; i < 25; i++) await log.append({ type: i % 5 === 0 ? 'approval' : 'tool.call', n: i });
      const { pages, cursor } = await readAll(log, 10);
      assert.deepEqual(pages.map((p) => p.length), [10, 10, 5]);
      assert.deepEqual(pages.flat().map((e) => e.n), Array.from({ length: 25 }, (_, i) => i));

      const approvals = await readAll(log, 2, { type: 'approval' });
      assert.deepEqual(approvals.pages.flat().map((e) => e.n), [0, 5, 10, 15, 20]);

      assert.deepEqual((await log.read({ cursor, limit: 10 })).entries, []);
      await log.append({ type: 'tool.call', n: 25 });
      assert.deepEqual((await log.read({ cursor, limit: 10 })).entries.map((e) => e.n), [25]);
    } finally {
      await log.close();
    }
  });

  it('masks secrets in values and under secret-named keys', async () => {
    const log = await AuditLog.open(dir());
    try {
      const record = await log.append({
        type: 'tool.call',
        token: 'plain-secret-value-123',
        headers: { Authorization: 'Bearer abcdefghijklmnop' },
        command: 'curl -H "Authorization: Bearer abcdefghijklmnop" --data api_key=zyxwvutsrq',
        args: ['OPENAI_API_KEY=sk-proj-0123456789abcdefghij'],
      });
      const text = readFileSync(join(dir(), AUDIT_FILE), 'utf8');
      for (const secret of ['plain-secret-value-123', 'abcdefghijklmnop', 'zyxwvutsrq', '0123456789abcdefghij']) {
        assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
      }
      assert.equal(record.token, '****');
      assert.match(String(record.command), /curl -H/);
    } finally {
      await log.close();
    }
  });

  it('concurrent appends never interleave', async () => {
    const log = await AuditLog.open(dir());
    try {
      const big = 'x'.repeat(20_000);
      await Promise.all(Array.from({ length: 100 }, (_, i) => log.append({ type: 'bulk', n: i, big })));
      const lines = readFileSync(join(dir(), AUDIT_FILE), 'utf8').trimEnd().split('\n');
      assert.equal(lines.length, 100);
      assert.deepEqual(lines.map((l) => JSON.parse(l).n), Array.from({ length: 100 }, (_, i) => i));
    } finally {
      await log.close();
    }
  });

  it('skips a torn line left by a crash and keeps appending after it', async () => {
    let log = await AuditLog.open(dir());
    await log.append({ type: 'before' });
    await log.close();
    appendFileSync(join(dir(), AUDIT_FILE), '{"type":"torn","ts":"2026');
    log = await AuditLog.open(dir());
    try {
      await log.append({ type: 'after' });
      assert.deepEqual((await log.read({ limit: 10 })).entries.map((e) => e.type), ['before', 'after']);
    } finally {
      await log.close();
    }
  });

  it('rejects cursors it did not produce, naming the cursor field', async () => {
    const log = await AuditLog.open(dir());
    try {
      await log.append({ type: 'one' });
      await log.append({ type: 'two' });
      for (const cursor of ['abc', '-1', '5', '999999']) {
        await assert.rejects(log.read({ cursor, limit: 5 }), (err: Error) => err instanceof ValidationError && err.field === 'cursor');
      }
      await assert.rejects(log.read({ limit: 0 }), (err: Error) => err instanceof ValidationError && err.field === 'limit');
    } finally {
      await log.close();
    }
  });
});
