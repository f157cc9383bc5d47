/** The dialectic repository on every store kind (SQLite file, PostgreSQL): one transaction per step, versions, claims, facts for selection. */
import assert from 'node:assert/strict';
import { GovernanceService } from '../../../src/core/governance';
import { GovernanceEvents } from '../../../src/core/events';
import { KnowledgeGraph } from '../../../src/knowledge/knowledge';
import { submitAntithesis, submitSynthesis, submitThesis, type Step } from '../../../src/dialectic/machine';
import { openSession, type OpenRequest } from '../../../src/dialectic/opening';
import type { SessionSnapshot } from '../../../src/dialectic/types';
import { join } from 'node:path';
import { MIGRATIONS, migrate } from '../../../src/store/migrations';
import { openDatabase } from '../../../src/store/sqlite';
import type { Store } from '../../../src/store/types';
import { manualClock, useTempDir } from './temp-dir';
import { describeStores } from './store-kinds';

const open = (id: string, requesterId: string, reviewerId: string | null, nowMs: number, fields: Partial<OpenRequest> = {}) =>
  openSession({ id, requesterId, reviewerId, mode: reviewerId ? 'peer' : 'any', reason: 'review', discoveryId: null, disputeType: null, complexity: null, requesterState: { status: 'paused', risk_score: 0.7, coherence: 0.5, void_active: false }, nowMs, ...fields });
const next = (step: Step, prev: SessionSnapshot): SessionSnapshot => ({ session: { ...step.session, version: prev.session.version + 1 }, messages: [...prev.messages, ...step.messages] });

describeStores('store: dialectic repository', (h) => {
  let store: Store;
  let clock: ReturnType<typeof manualClock>;
  let gov: GovernanceService;

  beforeEach(async () => {
    store = await h.open();
    clock = manualClock();
    gov = new GovernanceService(store, new GovernanceEvents(), clock.now);
  });
  afterEach(async () => store.close());

  async function pause(agentId: string): Promise<void> {
    for (let i = 0; i < 40; i++) {
      clock.advance(15_000);
      if ((await gov.processUpdate({ agentId, operation: `rewrite ${i}`, complexity: 1, confidence: 0.05 })).governance_decision.action === 'PAUSE') return;
    }
    assert.fail(`${agentId} never paused`);
  }

  it('stores a session with its messages, and survives a reopen', async () => {
    const step = open('s1', 'a', 'b', clock.now());
    assert.deepEqual(await store.dialectic.insert(step), { ok: true });
    const thesis = submitThesis({ session: { ...step.session, version: 1 }, messages: [] }, { agentId: 'a', rootCause: 'Complexity spiked', proposedConditions: ['Reduce complexity to 0.3'] }, clock.now());
    assert.equal(await store.dialectic.commit(thesis, 1), 'ok');
    await store.close();
    store = await h.open();
    const got = (await store.dialectic.get('s1'))!;
    assert.equal(got.session.version, 2);
    assert.equal(got.session.phase, 'antithesis');
    assert.deepEqual(got.messages.map((m) => [m.phase, m.agentId, m.proposedConditions]), [['thesis', 'a', ['Reduce complexity to 0.3']]]);
    assert.equal(await store.dialectic.get('nope'), undefined);
  });

  it('one open session per requester: a second request is refused and nothing is stored', async () => {
    await store.dialectic.insert(open('s1', 'a', 'b', clock.now()));
    const again = await store.dialectic.insert(open('s2', 'a', 'c', clock.now()));
    assert.deepEqual(again, { ok: false, reason: 'requester_busy', sessionId: 's1' });
    assert.equal(await store.dialectic.get('s2'), undefined);
    assert.deepEqual(await store.dialectic.insert(open('s3', 'x', 'b', clock.now()), { freeReviewer: 'b' }), { ok: false, reason: 'reviewer_busy' }, 'b reviews s1');
  });

  it('a step decided from an old version is refused (stale) and writes nothing', async () => {
    const step = open('s1', 'a', null, clock.now());
    await store.dialectic.insert(step);
    let snap = (await store.dialectic.get('s1'))!;
    snap = next(submitThesis(snap, { agentId: 'a' }, clock.now()), snap);
    await store.dialectic.commit({ session: snap.session, messages: snap.messages }, 1);
    const stored = (await store.dialectic.get('s1'))!;
    // Two claimers read the same version; both decide they claim the open slot.
    const first = submitAntithesis(stored, { agentId: 'c', reasoning: 'c claims' }, clock.now());
    const second = submitAntithesis(stored, { agentId: 'd', reasoning: 'd claims' }, clock.now());
    const outcomes = await Promise.all([store.dialectic.commit(first, stored.session.version, { freeReviewer: 'c' }), store.dialectic.commit(second, stored.session.version, { freeReviewer: 'd' })]);
    // Exactly one wins (on PostgreSQL either may be first); the session holds the winner's step only.
    assert.deepEqual([...outcomes].sort(), ['ok', 'stale']);
    const winner = outcomes[0] === 'ok' ? 'c' : 'd';
    const after = (await store.dialectic.get('s1'))!;
    assert.equal(after.session.reviewerId, winner);
    assert.deepEqual(after.messages.map((m) => m.agentId), ['a', winner]);
  });

  it('a claim is refused when the claimer joined another open session meanwhile', async () => {
    await store.dialectic.insert(open('s1', 'a', null, clock.now(), {}));
    await store.dialectic.insert(open('s2', 'c', 'e', clock.now()));
    const s1 = (await store.dialectic.get('s1'))!;
    const s1b = next(submitThesis(s1, { agentId: 'a' }, clock.now()), s1);
    await store.dialectic.commit(s1b, 1);
    const claim = submitAntithesis((await store.dialectic.get('s1'))!, { agentId: 'c' }, clock.now());
    assert.equal(await store.dialectic.commit(claim, 2, { freeReviewer: 'c' }), 'reviewer_busy');
    assert.equal((await store.dialectic.get('s1'))!.session.reviewerId, null);
  });

  it('a resolution sets a paused requester active and stores its conditions, in the same transaction', async () => {
    await pause('a');
    assert.equal((await store.agents.get('a'))!.status, 'paused');
    await store.dialectic.insert(open('s1', 'a', 'b', clock.now()));
    let snap = (await store.dialectic.get('s1'))!;
    for (const step of [(s: SessionSnapshot) => submitThesis(s, { agentId: 'a' }, clock.now()), (s: SessionSnapshot) => submitAntithesis(s, { agentId: 'b' }, clock.now())]) {
      const st = step(snap);
      assert.equal(await store.dialectic.commit(st, snap.session.version), 'ok');
      snap = next(st, snap);
    }
    const agree = { rootCause: 'Complexity spiked in the refactor', proposedConditions: ['Reduce complexity to 0.3'], agrees: true };
    const s1 = submitSynthesis(snap, { agentId: 'a', ...agree }, clock.now(), true);
    await store.dialectic.commit(s1, snap.session.version);
    snap = next(s1, snap);
    const resolved = submitSynthesis(snap, { agentId: 'b', ...agree }, clock.now(), true);
    assert.equal(resolved.session.phase, 'resolved');
    assert.equal(await store.dialectic.commit(resolved, snap.session.version), 'ok');
    assert.equal((await store.agents.get('a'))!.status, 'active');
    assert.deepEqual(await store.dialectic.conditions('a'), [{ action: 'reduce', target: 'complexity', value: 0.3, unit: null, original: 'Reduce complexity to 0.3' }]);
  });

  it('answers what reviewer selection needs: status, risk, tags, reviews, busy, last review of the requester', async () => {
    const knowledge = new KnowledgeGraph(store, new GovernanceEvents(), clock.now);
    await gov.processUpdate({ agentId: 'a', operation: 'auth work', complexity: 0.2, confidence: 0.9 });
    await gov.processUpdate({ agentId: 'b', operation: 'auth review', complexity: 0.2, confidence: 0.9 });
    await gov.processUpdate({ agentId: 'c', operation: 'docs', complexity: 0.2, confidence: 0.9 });
    await knowledge.store({ agentId: 'a', discoveryType: 'insight', summary: 'JWT rotation', tags: ['Auth', 'jwt'] });
    await knowledge.store({ agentId: 'b', discoveryType: 'bug_found', summary: 'Token expiry bug', tags: ['auth', 'bugs'] });
    // b reviewed a (resolved), c is busy in an open session.
    await store.dialectic.insert({ session: { ...open('old', 'a', 'b', clock.now()).session, phase: 'resolved', deadlineAt: null }, messages: [] });
    await store.dialectic.insert(open('busy', 'c', 'z', clock.now()));
    const { candidates, requesterTags } = await store.dialectic.candidates('a');
    assert.deepEqual(requesterTags.sort(), ['auth', 'jwt']);
    const byId = new Map(candidates.map((c) => [c.agentId, c]));
    assert.deepEqual([...byId.keys()].sort(), ['b', 'c']);
    const b = byId.get('b')!;
    assert.equal(b.status, 'active');
    assert.equal(typeof b.risk, 'number');
    assert.deepEqual([...b.tags].sort(), ['auth', 'bugs']);
    assert.deepEqual(b.reviews, { total: 1, successful: 1 });
    assert.equal(b.inOpenSession, false);
    assert.equal(b.reviewedRequesterAtMs, clock.now());
    assert.equal(byId.get('c')!.inOpenSession, true);
    assert.deepEqual((await store.dialectic.candidates('a', 'c')).candidates.map((c) => c.agentId), ['c']);
  });

  it('lists open sessions past their deadline, oldest deadline first', async () => {
    await store.dialectic.insert(open('late', 'a', 'b', clock.now()));
    clock.advance(60_000);
    await store.dialectic.insert(open('later', 'c', 'd', clock.now()));
    const sixHours = 6 * 3600_000;
    assert.deepEqual(await store.dialectic.due(new Date(clock.now() + sixHours - 60_001).toISOString(), 10), []);
    assert.deepEqual(await store.dialectic.due(new Date(clock.now() + sixHours).toISOString(), 10), ['late', 'later']);
    assert.deepEqual((await store.dialectic.listByAgent('b', { limit: 5 })).map((s) => s.id), ['late']);
  });
});

describe('store: dialectic tables, SQLite migrations', () => {
  const dir = useTempDir('cg-dialectic-store-');

  it("migration 5 fills agent_tags from existing discoveries, and triggers keep it in step with their tags", () => {
    const file = join(dir(), 'old.db');
    const db = openDatabase(file);
    try {
      migrate(db, file, MIGRATIONS.filter((m) => m.version <= 4));
      const add = db.prepare("INSERT INTO discoveries (id, agent_id, discovery_type, summary, tags, created_at, updated_at) VALUES (?, ?, 'insight', 's', ?, 't', 't')");
      add.run('d1', 'a', '["Auth", "ci"]');
      migrate(db, file);
      const pairs = () => db.prepare('SELECT agent_id, tag FROM agent_tags ORDER BY agent_id, tag').all().map((r) => `${String(r.agent_id)}:${String(r.tag)}`);
      assert.deepEqual(pairs(), ['a:auth', 'a:ci']);
      add.run('d2', 'b', '["CI"]');
      add.run('d3', 'a', '["ci"]');
      assert.deepEqual(pairs(), ['a:auth', 'a:ci', 'b:ci']);
      db.prepare(`UPDATE discoveries SET tags = '["ci"]' WHERE id = 'd1'`).run();
      assert.deepEqual(pairs(), ['a:ci', 'b:ci']);
      db.prepare(`DELETE FROM discoveries WHERE id IN ('d1', 'd3')`).run();
      assert.deepEqual(pairs(), ['b:ci']);
    } finally {
      db.close();
    }
  });
});
