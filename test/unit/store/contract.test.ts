/**
 * The store contract: the same observable behaviour from every store kind (SQLite file and
 * PostgreSQL), through the repository interfaces and the services that use them.
 */
import assert from 'node:assert/strict';
import { GovernanceEvents } from '../../../src/core/events';
import { GovernanceService } from '../../../src/core/governance';
import type { NewDiscovery } from '../../../src/knowledge/repository';
import type { Store } from '../../../src/store/types';
import type { CodexSessionRecord } from '../../../src/supervisor/session';
import { describeStores } from './store-kinds';
import { manualClock } from './temp-dir';

const T0 = Date.UTC(2026, 10, 5, 10, 0, 0);

function discovery(i: number, over: Partial<NewDiscovery> = {}): NewDiscovery {
  return {
    id: `disc_${i}`,
    agentId: `agent-${i % 3}`,
    discoveryType: 'insight',
    summary: `bulk discovery number ${i}`,
    details: i % 2 ? 'odd details about sqlite' : 'even details about typescript',
    tags: [`group${i % 5}`],
    status: 'open',
    severity: null,
    createdAtMs: T0 + i,
    ...over,
  };
}

function session(id: string, lastActivityAt: string): CodexSessionRecord {
  return {
    id, threadId: `t-${id}`, backend: 'app-server', codexVersion: '0.171.0', pid: null, cwd: '/w', sandbox: null, approvalPolicy: null, model: null, mode: null,
    agentId: null, status: 'closed', createdAt: lastActivityAt, lastActivityAt, endedAt: null, turns: 1, tokens: { input: 1, cachedInput: 0, output: 2, reasoningOutput: 0, total: 3 },
    lastError: null, transcript: [],
  };
}

describeStores('store contract', (h) => {
  let store: Store;
  let clock: ReturnType<typeof manualClock>;
  let gov: GovernanceService;
  beforeEach(async () => {
    store = await h.open();
    clock = manualClock(T0);
    gov = new GovernanceService(store, new GovernanceEvents(), clock.now);
  });
  afterEach(() => store.close());

  it('info names the kind and the latest schema', async () => {
    const info = await store.info();
    assert.equal(info.kind, h.kind);
    assert.ok(info.schemaVersion >= 1);
    assert.doesNotMatch(info.path, /:[^/@]*@/, 'no password in the path');
  });

  it('agents: ensure creates once, updates are counted, history is oldest first, dynamics follow', async () => {
    assert.deepEqual([(await store.agents.ensure({ id: 'a', clientName: 'codex', atMs: T0 })).created, (await store.agents.ensure({ id: 'a', atMs: T0 + 1 })).created], [true, false]);
    assert.equal((await store.agents.get('a'))!.clientName, 'codex', 'an absent client name keeps the stored one');
    assert.deepEqual(await store.agents.dynamics('a'), { dynamics: null });
    assert.equal(await store.agents.dynamics('nobody'), undefined);
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await gov.processUpdate({ agentId: 'a', operation: `op ${i}`, complexity: 0.3, confidence: 0.8 });
    }
    await gov.processUpdate({ agentId: 'b', operation: 'first', complexity: 0.2 });
    const a = (await store.agents.get('a'))!;
    assert.equal(a.updateCount, 5);
    assert.equal((await store.agents.dynamics('a'))!.dynamics!.updates, 5);
    assert.deepEqual((await store.agents.history('a', { limit: 3 })).map((u) => u.operation), ['op 2', 'op 3', 'op 4']);
    assert.deepEqual(await store.agents.counts(), { agents: 2, updates: 6 });
    assert.deepEqual((await store.agents.list({ limit: 10 })).map((x) => x.id), ['a', 'b'], 'a seen last (its updates are later in clock time)');
    assert.deepEqual((await store.agents.list({ limit: 10, status: 'paused' })).map((x) => x.id), []);
  });

  it('agents: updates of one agent issued together apply one after the other (none lost)', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => gov.processUpdate({ agentId: 'burst', operation: `op ${i}`, complexity: 0.4 })));
    assert.equal((await store.agents.get('burst'))!.updateCount, 20);
    assert.equal((await store.agents.dynamics('burst'))!.dynamics!.updates, 20);
    assert.deepEqual((await store.agents.history('burst', { limit: 50 })).map((u) => u.operation), Array.from({ length: 20 }, (_, i) => `op ${i}`));
  });

  it('agent reads: snapshots by status, id and nearness; series; keyset paging of updates', async () => {
    for (const id of ['x', 'y', 'z']) {
      clock.advance(1000);
      await gov.processUpdate({ agentId: id, operation: 'w', complexity: 0.3, confidence: 0.9 });
    }
    await store.agents.ensure({ id: 'fresh', atMs: clock.now() + 1 });
    const all = await store.agentReads.snapshots({ limit: 10 });
    assert.deepEqual(all.map((s) => s.id), ['fresh', 'z', 'y', 'x']);
    assert.equal(all[0]!.metrics, null);
    const z = all[1]!;
    assert.equal(z.lastAction, 'PROCEED');
    assert.equal(typeof z.metrics!.E, 'number');
    assert.equal(typeof z.metrics!.voidActive, 'boolean');
    assert.deepEqual((await store.agentReads.snapshots({ ids: ['x', 'nobody'], limit: 10 })).map((s) => s.id), ['x']);
    assert.deepEqual((await store.agentReads.snapshots({ statuses: ['paused'], limit: 10 })).map((s) => s.id), []);
    const near = await store.agentReads.snapshots({ limit: 10, anyOrder: true, near: { E: z.metrics!.E, I: z.metrics!.I, S: z.metrics!.S, within: 0 } });
    assert.ok(near.some((s) => s.id === 'z'));
    for (let i = 0; i < 4; i++) await gov.processUpdate({ agentId: 'x', operation: `more ${i}`, complexity: 0.5 });
    const series = await store.agentReads.recentSeries('x', { points: 2, vValues: 4 });
    assert.equal(series.points.length, 2);
    assert.equal(series.V.length, 4);
    assert.equal(series.V[3], series.points[1]!.V, 'both end at the same update');
    const page1 = await store.agentReads.updates({ limit: 3 });
    const page2 = await store.agentReads.updates({ limit: 10, beforeId: page1[2]!.id });
    assert.equal(page1.length + page2.length, 7);
    assert.ok(page1.every((u, i) => i === 0 || u.id < page1[i - 1]!.id));
    assert.deepEqual((await store.agentReads.updates({ limit: 10, agentId: 'y' })).map((u) => u.agentId), ['y']);
  });

  it('discoveries: insert, conflicts, missing edge targets, edges, status, getMany order', async () => {
    const d1 = await store.discoveries.insert(discovery(1), []);
    assert.equal(d1.createdAt, new Date(T0 + 1).toISOString());
    await assert.rejects(store.discoveries.insert(discovery(1), []), (e: { code?: string }) => e.code === 'conflict');
    await assert.rejects(store.discoveries.insert(discovery(2), [{ toId: 'nope', relation: 'related_to', agentId: null, createdAtMs: T0 }]), (e: { code?: string; message: string }) => e.code === 'not_found' && /nope/.test(e.message));
    assert.equal(await store.discoveries.get('disc_2'), undefined, 'nothing written');
    await store.discoveries.insert(discovery(2), [{ toId: 'disc_1', relation: 'related_to', agentId: 'agent-2', createdAtMs: T0 }]);
    assert.equal((await store.discoveries.addEdge({ fromId: 'disc_1', toId: 'disc_2', relation: 'supports', agentId: null, createdAtMs: T0 })).created, true);
    assert.equal((await store.discoveries.addEdge({ fromId: 'disc_1', toId: 'disc_2', relation: 'supports', agentId: null, createdAtMs: T0 })).created, false);
    await assert.rejects(store.discoveries.addEdge({ fromId: 'disc_1', toId: 'gone', relation: 'x', agentId: null, createdAtMs: T0 }), /to_id/);
    const e = await store.discoveries.edges('disc_1');
    assert.deepEqual([e.outgoing.map((x) => x.toId), e.incoming.map((x) => x.fromId)], [['disc_2'], ['disc_2']]);
    assert.equal((await store.discoveries.setStatus('disc_1', 'resolved', T0 + 99))!.updatedAt, new Date(T0 + 99).toISOString());
    assert.equal(await store.discoveries.setStatus('nope', 'resolved', T0), undefined);
    assert.deepEqual((await store.discoveries.getMany(['disc_2', 'nope', 'disc_1'])).map((d) => d.id), ['disc_2', 'disc_1']);
    assert.deepEqual(await store.discoveries.counts(), { discoveries: 2, edges: 2 });
  });

  it('discoveries: bulk insert, ranked search shape and filters, recent paging; a failed bulk insert stores nothing', async () => {
    const items = Array.from({ length: 300 }, (_, i) => discovery(i));
    const edges = items.slice(1).map((d, i) => ({ fromId: d.id, toId: `disc_${i}`, relation: 'related_to', agentId: null, createdAtMs: T0 }));
    assert.deepEqual(await store.discoveries.bulkInsert(items, edges), { discoveries: 300, edges: 299 });
    await store.discoveries.searchReady();
    const sqlite = await store.discoveries.search({ text: 'sqlite', limit: 10, offset: 0 });
    assert.equal(sqlite.total, 150);
    assert.equal(sqlite.items.length, 10);
    assert.ok(sqlite.items.every((d, i) => d.score > 0 && (i === 0 || d.score <= sqlite.items[i - 1]!.score)));
    assert.equal((await store.discoveries.search({ text: 'sqli*', limit: 1, offset: 0 })).total, 150, 'prefix');
    assert.equal((await store.discoveries.search({ text: 'sqlite typescript', limit: 1, offset: 0 })).total, 300, 'words are OR-ed');
    assert.equal((await store.discoveries.search({ text: `"; DROP TABLE discoveries; -- ( ) : ' odd`, limit: 5, offset: 0 })).total, 150, 'quotes and operators are plain text: only "odd" matches');
    assert.deepEqual(await store.discoveries.search({ text: '*** ...', limit: 5, offset: 0 }), { items: [], total: 0 });
    const filtered = await store.discoveries.search({ text: 'sqlite', agentId: 'agent-1', tags: ['GROUP1'], limit: 100, offset: 0 });
    assert.ok(filtered.total > 0);
    assert.ok(filtered.items.every((d) => d.agentId === 'agent-1' && d.tags.includes('group1') && /sqlite/.test(d.details)));
    const tagged = await store.discoveries.recent({ tags: ['GROUP3'], limit: 1000 });
    assert.equal(tagged.total, 60);
    const page1 = await store.discoveries.recent({ limit: 5 });
    assert.deepEqual(page1.items.map((d) => d.id), ['disc_299', 'disc_298', 'disc_297', 'disc_296', 'disc_295']);
    assert.equal(page1.items[0]!.score, 0);
    const page2 = await store.discoveries.recent({ limit: 2, beforeSeq: page1.items[4]!.seq });
    assert.deepEqual(page2.items.map((d) => d.id), ['disc_294', 'disc_293']);
    await assert.rejects(store.discoveries.bulkInsert([discovery(1000), discovery(1001), discovery(1000)]));
    assert.deepEqual(await store.discoveries.counts(), { discoveries: 300, edges: 299 });
  });

  it('search ranks a word in the summary above the same word in the details', async () => {
    await store.discoveries.insert(discovery(1, { summary: 'unrelated words here', details: 'the websocket reconnect loop' }), []);
    await store.discoveries.insert(discovery(2, { summary: 'websocket reconnect loop', details: 'unrelated words here' }), []);
    await store.discoveries.searchReady();
    const r = await store.discoveries.search({ text: 'websocket', limit: 10, offset: 0 });
    assert.deepEqual(r.items.map((d) => d.id), ['disc_2', 'disc_1']);
  });

  it('codex sessions: upsert by id, most recent first, prune keeps the newest', async () => {
    await store.codexSessions.save(session('s1', '2026-11-05T10:00:00.000Z'));
    await store.codexSessions.save(session('s2', '2026-11-05T11:00:00.000Z'));
    await store.codexSessions.save({ ...session('s1', '2026-11-05T12:00:00.000Z'), turns: 4 });
    const list = await store.codexSessions.list(10);
    assert.deepEqual(list.map((s) => [s.id, s.turns]), [['s1', 4], ['s2', 1]]);
    assert.equal(await store.codexSessions.prune(1), 1);
    assert.deepEqual((await store.codexSessions.list(10)).map((s) => s.id), ['s1']);
  });

  it('observed sessions: counters, facts, events in order', async () => {
    await store.observedSessions.record({ sessionId: 'o1', agentId: 'codex-1', atMs: T0, event: 'SessionStart', facts: { source: 'codex-cli', model: 'gpt-5' } });
    await store.observedSessions.record({ sessionId: 'o1', agentId: 'codex-1', atMs: T0 + 1, event: 'PreToolUse', toolName: 'shell', summary: 'rm -rf /', decision: 'deny', reason: 'no' });
    const s = await store.observedSessions.record({ sessionId: 'o1', agentId: 'codex-1', atMs: T0 + 2, event: 'Stop' });
    assert.deepEqual([s.tool_calls, s.tool_calls_denied, s.turns, s.model, s.source, s.last_event], [1, 1, 1, 'gpt-5', 'codex-cli', 'Stop']);
    const events = await store.observedSessions.events('o1', { limit: 10, afterSeq: 0 });
    assert.deepEqual(events.map((e) => [e.event, e.decision]), [['SessionStart', null], ['PreToolUse', 'deny'], ['Stop', null]]);
    assert.deepEqual((await store.observedSessions.events('o1', { limit: 10, afterSeq: events[1]!.seq })).map((e) => e.event), ['Stop']);
    assert.equal((await store.observedSessions.list({ limit: 5 })).total, 1);
    assert.equal((await store.observedSessions.list({ limit: 5, source: 'codex-ide' })).total, 0);
  });

  it('tokens: create keeps the hash only, get/list, revoke keeps the first time, usable agent tokens are counted', async () => {
    const hash = 'a'.repeat(64);
    const t1 = await store.tokens.create({ id: '0123456789ab', agentId: 'alice', admin: false, secretSha256: hash, createdAtMs: T0, expiresAtMs: T0 + 86_400_000 });
    assert.deepEqual(t1, { id: '0123456789ab', agentId: 'alice', admin: false, secretSha256: hash, createdAt: new Date(T0).toISOString(), expiresAt: new Date(T0 + 86_400_000).toISOString(), revokedAt: null, lastUsedAt: null });
    await assert.rejects(store.tokens.create({ ...t1, createdAtMs: T0, expiresAtMs: null }), (e: { code?: string }) => e.code === 'conflict');
    await store.tokens.create({ id: 'bbbbbbbbbbbb', agentId: null, admin: true, secretSha256: 'b'.repeat(64), createdAtMs: T0 + 1, expiresAtMs: null });
    await store.tokens.create({ id: 'cccccccccccc', agentId: 'bob', admin: false, secretSha256: 'c'.repeat(64), createdAtMs: T0 + 2, expiresAtMs: null });
    assert.deepEqual((await store.tokens.list()).map((t) => [t.id, t.agentId, t.admin]), [['0123456789ab', 'alice', false], ['bbbbbbbbbbbb', null, true], ['cccccccccccc', 'bob', false]]);
    assert.equal(await store.tokens.get('nope'), undefined);
    assert.equal(await store.tokens.countUsableAgentTokens(T0 + 10), 2, 'admin tokens are not counted');
    assert.equal(await store.tokens.countUsableAgentTokens(T0 + 86_400_000), 1, 'expired at that time');
    assert.equal((await store.tokens.revoke('cccccccccccc', T0 + 5))!.revokedAt, new Date(T0 + 5).toISOString());
    assert.equal((await store.tokens.revoke('cccccccccccc', T0 + 9))!.revokedAt, new Date(T0 + 5).toISOString(), 'the first revocation stays');
    assert.equal(await store.tokens.revoke('nope', T0), undefined);
    assert.equal(await store.tokens.countUsableAgentTokens(T0 + 10), 1);
    await store.tokens.markUsed('0123456789ab', T0 + 7);
    await store.tokens.markUsed('nope', T0 + 7);
    assert.equal((await store.tokens.get('0123456789ab'))!.lastUsedAt, new Date(T0 + 7).toISOString());
    await store.close();
    store = await h.open();
    assert.equal((await store.tokens.get('cccccccccccc'))!.revokedAt, new Date(T0 + 5).toISOString(), 'durable across a reopen');
  });
});
