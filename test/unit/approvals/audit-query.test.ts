import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { auditQueryFrom, auditQueryParams, readAudit, type AuditQuery } from '../../../src/approvals/audit-query';
import { AuditLog, type AuditRecord } from '../../../src/store/audit';
import { useTempDir } from '../store/temp-dir';

/** Every matching entry, newest first, by following `next_cursor` through desc pages. */
async function allDesc(audit: AuditLog, q: AuditQuery): Promise<{ entries: AuditRecord[]; pages: number }> {
  const entries: AuditRecord[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await readAudit(audit, { ...q, order: 'desc', ...(cursor ? { cursor } : {}) });
    pages++;
    entries.push(...page.entries);
    if (!page.has_more) return { entries, pages };
    cursor = page.next_cursor;
  }
}

describe('approvals: audit query', () => {
  const dir = useTempDir('cg-audit-query-');
  let audit: AuditLog;
  beforeEach(async () => {
    audit = await AuditLog.open(dir());
  });
  afterEach(async () => {
    await audit.close();
  });

  async function seed(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await audit.append({
        type: i % 2 ? 'approval.answered' : 'approval.requested',
        id: `r${i}`,
        source: i % 3 ? 'codex-exec' : 'codex-full-access',
        agent: `agent-${i % 4}`,
        risk: ['low', 'medium', 'high', 'critical'][i % 4],
        command: `echo ${'x'.repeat(i % 7 === 0 ? 300 : 20)} step-${i}`,
        decision: i % 2 ? ['allow_once', 'deny', 'allow_session', 'deny'][(i >> 1) % 4] : null,
        decided_by: i % 2 ? ((i >> 1) % 4 === 3 ? 'timeout' : 'person') : null,
      });
    }
  }

  it('desc pages are the asc order reversed, across 64 KiB read chunks, with no entry lost or repeated', async () => {
    await seed(1500); // ~100 KiB
    const asc = (await audit.read({ limit: 1000, cursor: '0' })).entries;
    const rest = (await audit.read({ limit: 1000, cursor: (await audit.read({ limit: 1000 })).next_cursor })).entries;
    const all = [...asc, ...rest];
    assert.equal(all.length, 1500);
    const { entries, pages } = await allDesc(audit, { limit: 70 });
    assert.equal(pages, Math.ceil(1500 / 70));
    assert.deepEqual(entries.map((e) => e.id), all.map((e) => e.id).reverse());
  });

  it('filters combine (outcome, risk, agent, source, decided_by, free text) the same way in both orders', async () => {
    await seed(400);
    const cases: AuditQuery[] = [
      { type: 'approval.answered', outcome: 'denied' },
      { outcome: 'timeout' },
      { outcome: 'allowed', risk: 'medium' },
      { agent: 'agent-1', source: 'codex-exec' },
      { decided_by: 'timeout' },
      { q: 'STEP-13' },
    ];
    for (const q of cases) {
      const asc = (await readAudit(audit, { ...q, limit: 1000 })).entries;
      const desc = (await allDesc(audit, { ...q, limit: 13 })).entries;
      assert.ok(asc.length > 0, JSON.stringify(q));
      assert.deepEqual(desc.map((e) => e.id), asc.map((e) => e.id).reverse(), JSON.stringify(q));
    }
    const denied = (await readAudit(audit, { outcome: 'denied', limit: 1000 })).entries;
    assert.ok(denied.every((e) => e.decision === 'deny' && e.decided_by !== 'timeout'));
    const timeouts = (await readAudit(audit, { outcome: 'timeout', limit: 1000 })).entries;
    assert.ok(timeouts.every((e) => e.decision === 'deny' && e.decided_by === 'timeout'));
    assert.deepEqual((await readAudit(audit, { q: 'step-399', limit: 1000 })).entries.map((e) => e.id), ['r399']);
  });

  it('the first desc page names a tail cursor: an asc read from it returns only entries appended later', async () => {
    await seed(10);
    const first = await readAudit(audit, { order: 'desc', limit: 3 });
    assert.deepEqual(first.entries.map((e) => e.id), ['r9', 'r8', 'r7']);
    assert.ok(first.tail_cursor);
    assert.deepEqual((await readAudit(audit, { cursor: first.tail_cursor, limit: 10 })).entries, []);
    await audit.append({ type: 'approval.answered', id: 'late', decision: 'deny' });
    assert.deepEqual((await readAudit(audit, { cursor: first.tail_cursor, limit: 10 })).entries.map((e) => e.id), ['late']);
  });

  it('desc skips a torn last line and an unparsable line, and rejects a cursor inside a line', async () => {
    await seed(3);
    await audit.close();
    appendFileSync(audit.path, 'not json\n{"type":"approval.answered","id":"torn"');
    audit = await AuditLog.open(dir());
    // Reopening ends the torn line, so it becomes an unparsable line like the other.
    await audit.append({ type: 'approval.answered', id: 'after' });
    assert.deepEqual((await readAudit(audit, { order: 'desc', limit: 10 })).entries.map((e) => e.id), ['after', 'r2', 'r1', 'r0']);
    appendFileSync(audit.path, '{"type":"approval.answered","id":"in-progress"');
    assert.deepEqual((await readAudit(audit, { order: 'desc', limit: 1 })).entries.map((e) => e.id), ['after'], 'a line without its newline is not an entry yet');
    await assert.rejects(readAudit(audit, { order: 'desc', limit: 1, cursor: '5' }), (e: Error) => e.name === 'ValidationError' && /not at the start of an entry/.test(e.message));
    await assert.rejects(readAudit(audit, { order: 'desc', limit: 1, cursor: 'abc' }), /Invalid audit cursor/);
  });

  it('an empty log gives an empty desc page', async () => {
    const page = await readAudit(audit, { order: 'desc', limit: 5 });
    assert.deepEqual(page, { entries: [], next_cursor: '0', has_more: false, tail_cursor: '0' });
  });

  it('query parameters: the new filters are read and validated, and auditQueryParams writes what auditQueryFrom reads', () => {
    const q: AuditQuery = { cursor: '120', limit: 50, outcome: 'timeout', risk: 'high', agent: 'agent-7', decided_by: 'person', q: 'rm -rf', order: 'desc', type: 'approval.answered', source: 'codex-exec' };
    assert.deepEqual(auditQueryFrom(auditQueryParams(q)), q);
    for (const [param, value, field] of [
      ['outcome', 'maybe', 'outcome'],
      ['risk', 'extreme', 'risk'],
      ['decided_by', 'robot', 'decided_by'],
      ['order', 'sideways', 'order'],
      ['q', 'x'.repeat(201), 'q'],
    ] as const) {
      assert.throws(() => auditQueryFrom(new URLSearchParams({ [param]: value })), (e: Error & { field?: string }) => e.field === field && e.message.includes(field));
    }
  });
});
