/**
 * Team mode's audit trail: with PostgreSQL every read of the audit log (the Approvals panel's
 * history, GET /audit, the audit_log resource) comes from the shared table `audit_log`, so each
 * member sees every server's answers, each naming the server that wrote it. Real PostgreSQL (the
 * throwaway cluster), real servers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditFilter, readAudit, type AuditQuery } from '../../../src/approvals/audit-query';
import { findRunningServer } from '../../../src/cli/running-server';
import { startGovernanceServer } from '../../../src/server/server';
import type { RunningGovernanceServer } from '../../../src/server/api';
import { AuditLog, type AuditRecord } from '../../../src/store/audit';
import { openPostgresStore, type PgStore } from '../../../src/store/postgres/store';
import { nullLogger } from '../../../src/util/log';
import { ApprovalsPanelHandler } from '../../../src/vscode/approvals/panel-handler';
import type { ApprovalsHostMessage } from '../../../src/webviews/approvals/protocol';
import { findFreePort } from '../../../src/vscode/net';
import { testCluster, testDatabase } from '../../helpers/postgres';

/** Every matching entry, newest first, following `next_cursor` through desc pages. */
async function allDesc(audit: AuditLog, q: AuditQuery): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await readAudit(audit, { ...q, order: 'desc', ...(cursor ? { cursor } : {}) });
    out.push(...page.entries);
    if (!page.has_more) return out;
    cursor = page.next_cursor;
  }
}

describe('approvals: the audit trail in team mode (PostgreSQL audit_log)', function () {
  this.timeout(180_000);
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** One "server": its own JSONL file, writing to and reading from the shared table. */
  async function member(store: PgStore, label: string): Promise<AuditLog> {
    const dir = mkdtempSync(join(tmpdir(), 'cg-audit-shared-'));
    const audit = await AuditLog.open(dir);
    audit.mirrorTo((r) => store.appendAudit!(r, label));
    audit.readSharedFrom(store.readAudit!);
    cleanups.push(async () => {
      await audit.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return audit;
  }

  async function stores(): Promise<[PgStore, PgStore]> {
    const url = await testDatabase('audit_shared');
    const pair = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    cleanups.push(() => Promise.all(pair.map((s) => s.close())).then(() => undefined));
    return pair;
  }

  it("reads both servers' entries, each with its server, in the file's page shapes and filters (across several 500-row batches)", async () => {
    const [s1, s2] = await stores();
    const a = await member(s1, 'alpha:8765');
    const b = await member(s2, 'beta:8765');
    const written: AuditRecord[] = [];
    for (let i = 0; i < 1100; i++) {
      const answered = i % 2 === 1;
      const entry = {
        type: answered ? 'approval.answered' : 'approval.requested',
        id: `r${i}`,
        source: i % 3 ? 'codex-exec' : 'codex-full-access',
        agent: `agent-${i % 4}`,
        risk: ['low', 'medium', 'high', 'critical'][i % 4]!,
        command: `echo step-${i}${i % 97 === 0 ? ' NEEDLE' : ''}`,
        ...(answered ? { decision: ['allow_once', 'deny', 'allow_session', 'deny'][(i >> 1) % 4]!, decided_by: (i >> 1) % 4 === 3 ? 'timeout' : 'person' } : {}),
      };
      const record = await (i % 5 < 2 ? b : a).append(entry);
      written.push({ server: i % 5 < 2 ? 'beta:8765' : 'alpha:8765', ...record });
    }
    const cases: AuditQuery[] = [
      {},
      { type: 'approval.answered', limit: 50 },
      { type: 'approval.answered', outcome: 'timeout', limit: 7 },
      { outcome: 'denied', risk: 'critical', limit: 30 },
      { agent: 'agent-3', source: 'codex-exec', limit: 1000 },
      { decided_by: 'person', decision: 'allow_session', limit: 25 },
      { q: 'needle', limit: 3 },
      { type: 'approval.answered', q: 'NEEDLE' },
    ];
    for (const q of cases) {
      const expected = written.filter(auditFilter(q)).reverse();
      for (const reader of [a, b]) {
        const got = await allDesc(reader, q);
        assert.deepEqual(got.map((r) => r.id), expected.map((r) => r.id), JSON.stringify(q));
        assert.deepEqual(got.map((r) => r.server), expected.map((r) => r.server), `servers ${JSON.stringify(q)}`);
      }
    }
    // Oldest first, page by page, is the same order forwards.
    const asc: AuditRecord[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await readAudit(a, { type: 'approval.requested', limit: 120, ...(cursor ? { cursor } : {}) });
      asc.push(...page.entries);
      cursor = page.next_cursor;
      if (!page.has_more) break;
    }
    assert.deepEqual(asc.map((r) => r.id), written.filter((r) => r.type === 'approval.requested').map((r) => r.id));
    assert.ok(asc.every((r) => r.ts && r.server), 'every entry keeps its ts and gains its server');
  });

  it('a newest-first read gives a tail cursor from which an oldest-first poll returns only what either server wrote since', async () => {
    const [s1, s2] = await stores();
    const a = await member(s1, 'alpha:1');
    const b = await member(s2, 'beta:2');
    await a.append({ type: 'approval.answered', id: 'old', decision: 'deny', decided_by: 'person' });
    const first = await readAudit(a, { type: 'approval.answered', order: 'desc', limit: 10 });
    assert.deepEqual(first.entries.map((r) => r.id), ['old']);
    assert.match(first.tail_cursor ?? '', /^pg:\d+$/);
    await b.append({ type: 'approval.requested', id: 'new' });
    await b.append({ type: 'approval.answered', id: 'new', decision: 'allow_once', decided_by: 'person' });
    const poll = await readAudit(a, { type: 'approval.answered', order: 'asc', limit: 1000, cursor: first.tail_cursor! });
    assert.deepEqual(poll.entries.map((r) => [r.id, r.server]), [['new', 'beta:2']]);
    const again = await readAudit(a, { type: 'approval.answered', order: 'asc', limit: 1000, cursor: poll.next_cursor });
    assert.deepEqual(again.entries, [], 'nothing new after the poll');
  });

  it("refuses a cursor of the file and a bad limit, naming the field; the file's own reads are unchanged without a shared reader", async () => {
    const [s1] = await stores();
    const a = await member(s1, 'alpha:1');
    await a.append({ type: 'approval.requested', id: 'x' });
    await assert.rejects(readAudit(a, { cursor: '0' }), (e: Error & { field?: string }) => e.name === 'ValidationError' && /pg:123/.test(e.message));
    await assert.rejects(readAudit(a, { limit: 0 }), /limit must be an integer from 1 to 1000/);
    const dir = mkdtempSync(join(tmpdir(), 'cg-audit-local-'));
    const local = await AuditLog.open(dir);
    try {
      await local.append({ type: 'approval.requested', id: 'local' });
      const page = await readAudit(local, { order: 'desc' });
      assert.deepEqual(page.entries.map((r) => [r.id, r.server]), [['local', undefined]]);
      assert.match(page.next_cursor, /^\d+$/, 'a byte offset of the file');
    } finally {
      await local.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the Approvals panel's history shows every server's answers, each 'answered on' its server, and adds another server's new answer live", async () => {
    const [s1, s2] = await stores();
    const mine = await member(s1, 'laptop:8765');
    const theirs = await member(s2, 'ci-runner:9000');
    await mine.append({ type: 'approval.answered', id: 'a1', source: 'codex-exec', risk: 'high', decision: 'allow_once', decided_by: 'person', command: 'make' });
    await theirs.append({ type: 'approval.answered', id: 'b1', source: 'codex-exec', risk: 'low', decision: 'deny', decided_by: 'policy', command: 'rm -rf /' });
    const posted: ApprovalsHostMessage[] = [];
    const noPending = { list: () => [], answer: () => false, onDidChange: () => ({ dispose() {} }) };
    const handler = new ApprovalsPanelHandler(noPending, () => ({ kind: 'in-process', readAudit: (q) => readAudit(mine, q) }), (m) => posted.push(m), { pollMs: 50 });
    cleanups.push(() => handler.dispose());
    await handler.handle({ type: 'ready' });
    const history = posted.find((m) => m.type === 'history');
    assert.ok(history && history.type === 'history');
    assert.deepEqual(history.rows.map((r) => [r.id, r.server]), [['b1', 'ci-runner:9000'], ['a1', 'laptop:8765']]);
    await theirs.append({ type: 'approval.answered', id: 'b2', source: 'codex-exec', risk: 'medium', decision: 'allow_session', decided_by: 'person', command: 'npm test' });
    const deadline = Date.now() + 10_000;
    let added: ApprovalsHostMessage | undefined;
    while (!(added = posted.find((m) => m.type === 'history-new')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(added && added.type === 'history-new', 'the other server\'s answer arrives with the poll');
    assert.deepEqual(added.rows.map((r) => [r.id, r.server, r.decision]), [['b2', 'ci-runner:9000', 'allow_session']]);
  });

  it("two real servers on one database, each owning its data directory: GET /audit of one shows the other's answer named host:port; while the database is down a read fails naming it", async () => {
    const url = await testDatabase('audit_http');
    const token = 't'.repeat(32);
    const servers: RunningGovernanceServer[] = [];
    const dataDirs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'cg-audit-http-'));
      dataDirs.push(dataDir);
      const port = await findFreePort();
      servers.push(await startGovernanceServer({ dataDir, database: url, token, port, logger: nullLogger, hostKind: 'test', codex: { codexPath: '/nonexistent/codex' } }));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    }
    cleanups.push(() => Promise.all(servers.map((s) => s.close())).then(() => undefined));
    const [one, two] = servers as [RunningGovernanceServer, RunningGovernanceServer];
    // Each data directory names its server (owner.json), as Codex's bridge and hooks find it; a second
    // server on the same directory is refused even though the database is shared.
    const dirOfTwo = dataDirs[1]!;
    assert.equal(findRunningServer({ dataDir: dirOfTwo, env: { CODEX_GOVERNANCE_TOKEN: token } }).url, two.url);
    await assert.rejects(startGovernanceServer({ dataDir: dirOfTwo, database: url, token, port: 0, logger: nullLogger, hostKind: 'test' }), (e: Error) => e.name === 'DataDirLockedError');
    await two.app.audit.append({ type: 'approval.answered', id: 'req-1', decision: 'deny', decided_by: 'person', agent: 'agent-b' });
    const res = await fetch(`${one.url}/audit?type=approval.answered&order=desc`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { entries: AuditRecord[] };
    assert.deepEqual(page.entries.map((r) => [r.id, r.server]), [['req-1', `${hostname()}:${two.port}`]]);

    // The in-process read (the Approvals panel of the window running the server) names the database.
    const cluster = await testCluster();
    await cluster.stop();
    try {
      await assert.rejects(readAudit(one.app.audit, { order: 'desc' }), (e: Error & { code?: string }) => e.code === 'unavailable' && /postgres:\/\/postgres@127\.0\.0\.1:\d+\/audit_http_\w+ is unavailable/.test(e.message));
      // Over HTTP: 503 naming the database, as every route that needs it answers during an outage.
      const down = await fetch(`${one.url}/audit?order=desc`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(down.status, 503);
      assert.match(((await down.json()) as { error: { message: string } }).error.message, /audit_http_\w+ is unavailable/);
    } finally {
      await cluster.start();
    }
  });
});
