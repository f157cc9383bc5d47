/** What only the PostgreSQL store has: its query text, migrations, the shared audit table, two pools (servers) on one database. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GovernanceEvents } from '../../../src/core/events';
import { GovernanceService } from '../../../src/core/governance';
import { DialecticService } from '../../../src/dialectic/service';
import { AuditLog } from '../../../src/store/audit';
import { toTsQuery } from '../../../src/store/postgres/discoveries';
import { PG_LATEST_SCHEMA_VERSION, PG_MIGRATIONS, pgMigrate, pgSchemaVersion } from '../../../src/store/postgres/migrations';
import { PgPool } from '../../../src/store/postgres/pool';
import { openPostgresStore } from '../../../src/store/postgres/store';
import { testDatabase } from '../../helpers/postgres';
import { manualClock } from './temp-dir';

describe('store: PostgreSQL only', function () {
  this.timeout(180_000);

  it('turns any text into a tsquery of quoted letter/digit runs, OR-ed, with prefixes and phrases', () => {
    assert.equal(toTsQuery('fix the SQLite lock'), "'fix' | 'the' | 'sqlite' | 'lock'");
    assert.equal(toTsQuery("sqli* it's foo-bar"), "'sqli':* | ('it' <-> 's') | ('foo' <-> 'bar')");
    assert.equal(toTsQuery(`'); DROP TABLE x; -- | & ! <-> :*`), "'drop' | 'table' | 'x'");
    assert.equal(toTsQuery('*** ... ---'), null);
    assert.equal(toTsQuery('Ünïcode ÉTÉ'), "'ünïcode' | 'été'");
  });

  it('migrates in one transaction, records who did, and refuses a newer schema naming that version', async () => {
    const url = await testDatabase('mig');
    const pool = new PgPool(url);
    try {
      await assert.rejects(pgMigrate(pool, [{ version: 1, description: 'a', sql: 'CREATE TABLE a (x int)' }, { version: 2, description: 'b', sql: 'CREATE TABLE b (x int); INSERT INTO nowhere VALUES (1)' }]), /nowhere/);
      assert.equal(await pgSchemaVersion(pool), 0, 'nothing applied');
      assert.deepEqual(await pgMigrate(pool), PG_MIGRATIONS.map((m) => m.version));
      assert.equal(await pgSchemaVersion(pool), PG_LATEST_SCHEMA_VERSION);
      assert.deepEqual(await pgMigrate(pool), []);
      await pool.query("INSERT INTO schema_version VALUES (42, 'future', 'x', '7.0.1')");
      await assert.rejects(openPostgresStore(url), (err: Error) => err.name === 'SchemaTooNewError' && /schema version 42/.test(err.message) && /Install Codex Governance 7\.0\.1 or later/.test(err.message));
    } finally {
      await pool.end();
    }
  });

  it('an unreachable database is StoreUnavailableError naming it without the password', async () => {
    const store = openPostgresStore('postgres://someone:hunter2@127.0.0.1:1/nowhere');
    await assert.rejects(store, (err: Error & { code?: string }) => err.code === 'unavailable' && /postgres:\/\/someone@127\.0\.0\.1:1\/nowhere is unavailable/.test(err.message) && !/hunter2/.test(err.message));
  });

  it('two servers (two pools) updating one agent at once: every update starts from the previous one', async () => {
    const url = await testDatabase('race');
    const [s1, s2] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    try {
      const g1 = new GovernanceService(s1, new GovernanceEvents());
      const g2 = new GovernanceService(s2, new GovernanceEvents());
      await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? g1 : g2).processUpdate({ agentId: 'shared', operation: `op ${i}`, complexity: 0.5 })));
      const agent = (await s1.agents.get('shared'))!;
      assert.equal(agent.updateCount, 30);
      assert.equal(agent.dynamics!.updates, 30);
    } finally {
      await Promise.all([s1.close(), s2.close()]);
    }
  });

  it('many agents updated at once through one pool (more than its connections)', async () => {
    const url = await testDatabase('many');
    const store = await openPostgresStore(url);
    try {
      const gov = new GovernanceService(store, new GovernanceEvents());
      await Promise.all(Array.from({ length: 40 }, (_, i) => gov.processUpdate({ agentId: `agent-${i}`, operation: 'w', complexity: 0.5 })));
      assert.deepEqual(await store.agents.counts(), { agents: 40, updates: 40 });
    } finally {
      await store.close();
    }
  });

  it('a dialectic resolution stored through one server caps the next update of the agent on a server that has its state cached', async () => {
    const url = await testDatabase('cap');
    const [s1, s2] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    const dir = mkdtempSync(join(tmpdir(), 'cg-pg-cap-'));
    const audit = await AuditLog.open(dir);
    try {
      const clock = manualClock();
      const events = new GovernanceEvents();
      const svc = new DialecticService({ repository: s2.dialectic, agents: s2.agents, events, audit, clock: clock.now, random: () => 0.5 });
      // Server 1 has no complexityCap callback: the PostgreSQL store reads the conditions itself.
      const g1 = new GovernanceService(s1, events, clock.now);
      const g2 = new GovernanceService(s2, events, clock.now, (id) => svc.complexityCap(id));
      let paused = false;
      for (let i = 0; i < 40 && !paused; i++) {
        clock.advance(15_000);
        paused = (await g1.processUpdate({ agentId: 'worker', operation: `rewrite ${i}`, complexity: 1, confidence: 0.05 })).governance_decision.action === 'PAUSE';
      }
      assert.ok(paused, 'worker paused through server 1');
      clock.advance(1000);
      await g2.processUpdate({ agentId: 'reviewer', operation: 'read docs', complexity: 0.1, confidence: 0.9 });
      const agree = { rootCause: 'Complexity spiked', proposedConditions: ['Reduce complexity to 0.3'], agrees: true };
      const { session_id: id } = await svc.request({ agentId: 'worker', reason: 'Paused' });
      await svc.submitThesis({ sessionId: id, agentId: 'worker', rootCause: agree.rootCause, proposedConditions: agree.proposedConditions });
      await svc.submitAntithesis({ sessionId: id, agentId: 'reviewer', concerns: ['High risk'] });
      await svc.submitSynthesis({ sessionId: id, agentId: 'worker', ...agree });
      assert.equal((await svc.submitSynthesis({ sessionId: id, agentId: 'reviewer', ...agree })).phase, 'resolved');
      clock.advance(60_000);
      const capped = await g1.processUpdate({ agentId: 'worker', operation: 'big change', complexity: 1 });
      assert.match(capped.dialectic_enforcement_warning ?? '', /capped to 0.30/);
      assert.equal((await s2.agents.history('worker', { limit: 1 }))[0]!.complexity, 0.3);
    } finally {
      await audit.close();
      await Promise.all([s1.close(), s2.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('audit entries also land in the shared audit_log table', async () => {
    const url = await testDatabase('audit');
    const store = await openPostgresStore(url);
    const dir = mkdtempSync(join(tmpdir(), 'cg-pg-audit-'));
    const audit = await AuditLog.open(dir);
    try {
      audit.mirrorTo((r) => store.appendAudit!(r, 'host:1'));
      await audit.append({ type: 'approval.requested', tool: 'shell', token: 'secret-value' });
      const rows = (await store.pool.query('SELECT server, entry FROM audit_log')).rows as Array<{ server: string; entry: string }>;
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.server, 'host:1');
      const entry = JSON.parse(rows[0]!.entry) as Record<string, unknown>;
      assert.equal(entry.type, 'approval.requested');
      assert.equal(entry.token, '****', 'masked as in the file');
    } finally {
      await audit.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
