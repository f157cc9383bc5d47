import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GovernanceEvents, type GovernanceEventMap } from '../../../src/core/events';
import { NotFoundError, ValidationError } from '../../../src/core/errors';
import { KnowledgeGraph, type SearchItem, type SearchPage } from '../../../src/knowledge/knowledge';
import { openStore } from '../../../src/store/store';
import type { Store } from '../../../src/store/types';
import { manualClock, useTempDir } from '../store/temp-dir';

describe('knowledge graph over a real SQLite file', () => {
  const dir = useTempDir('cg-kg-');
  let store: Store;
  let events: GovernanceEvents;
  let kg: KnowledgeGraph;
  const extraStores: Store[] = [];

  beforeEach(async () => {
    store = await openStore(dir());
    events = new GovernanceEvents();
    const clock = manualClock();
    // Every store advances the clock so created_at orders like insertion.
    kg = new KnowledgeGraph(store, events, () => {
      clock.advance(1000);
      return clock.now();
    });
  });
  afterEach(async () => {
    for (const s of extraStores.splice(0)) await s.close();
    await store.close();
  });

  async function collect(fetch: (cursor?: string) => Promise<SearchPage>): Promise<{ items: SearchItem[]; pages: number }> {
    const items: SearchItem[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await fetch(cursor);
      pages++;
      items.push(...page.discoveries);
      cursor = page.next_cursor;
    } while (cursor && pages < 100);
    return { items, pages };
  }

  it('a discovery stored by agent A is found by a search through another connection', async () => {
    const stored = await kg.store({
      agentId: 'codex_agent_A',
      discoveryType: 'pattern',
      summary: 'List comprehension pattern for filtering and mapping',
      details: 'Use [f(x) for x in items if condition(x)] instead of for-loop with append',
      tags: ['python', 'refactoring', 'comprehension'],
    });
    assert.match(stored.id, /^disc_[A-Za-z0-9_-]+$/);
    assert.equal(stored.status, 'open');

    const elsewhere = await openStore(dir());
    extraStores.push(elsewhere);
    const other = new KnowledgeGraph(elsewhere, new GovernanceEvents());
    const result = await other.search({ query: 'Help me refactor this comprehension' });
    assert.equal(result.discoveries.length, 1);
    const hit = result.discoveries[0]!;
    assert.equal(hit.id, stored.id);
    assert.equal(hit.agent_id, 'codex_agent_A');
    assert.equal(hit.discovery_type, 'pattern');
    assert.deepEqual(hit.tags, ['python', 'refactoring', 'comprehension']);
    assert.equal(hit.details, stored.details);
    assert.equal(hit.created_at, stored.created_at);
    assert.ok(hit.score > 0);
  });

  it('ranks the better match first', async () => {
    // The better match is stored first, so recency order alone would put it last.
    const strong = await kg.store({ agentId: 'b', discoveryType: 'bug_found', summary: 'SQLite database lock errors under concurrent writers', details: 'SQLite returns SQLITE_BUSY: set busy_timeout so the lock is awaited.', tags: ['sqlite'] });
    const weak = await kg.store({ agentId: 'a', discoveryType: 'note', summary: 'Build notes', details: 'The release build occasionally hits a lock; retry helps.' });
    await kg.store({ agentId: 'c', discoveryType: 'note', summary: 'Unrelated discovery about CSS grids' });
    const { discoveries } = await kg.search({ query: 'sqlite lock' });
    assert.deepEqual(discoveries.map((d) => d.id), [strong.id, weak.id]);
    assert.ok(discoveries[0]!.score > discoveries[1]!.score);
  });

  it('filters by tags (all required, any case), type and agent', async () => {
    await kg.store({ agentId: 'a1', discoveryType: 'pattern', summary: 'retry with backoff', tags: ['network', 'Resilience'] });
    await kg.store({ agentId: 'a2', discoveryType: 'pattern', summary: 'retry once', tags: ['network'] });
    await kg.store({ agentId: 'a1', discoveryType: 'bug_found', summary: 'retry loop never ends', tags: ['resilience', 'network'] });
    const summaries = async (input: Parameters<KnowledgeGraph['search']>[0]) => (await kg.search(input)).discoveries.map((d) => d.summary).sort();

    assert.deepEqual(await summaries({ query: 'retry', tags: ['NETWORK', 'resilience'] }), ['retry loop never ends', 'retry with backoff']);
    assert.deepEqual(await summaries({ query: 'retry', discoveryType: 'pattern' }), ['retry once', 'retry with backoff']);
    assert.deepEqual(await summaries({ query: 'retry', agentId: 'a2' }), ['retry once']);
    assert.deepEqual(await summaries({ query: 'retry', agentId: 'a1', discoveryType: 'bug_found', tags: ['network'] }), ['retry loop never ends']);
    assert.deepEqual(await summaries({ query: 'retry', tags: ['network', 'nope'] }), []);
    const listed = await kg.list({ tags: ['resilience'], agentId: 'a1' });
    assert.equal(listed.total, 2);
  });

  it('pages ranked results with a cursor: no duplicates, no gaps, same order as one big page', async () => {
    for (let i = 0; i < 23; i++) {
      await kg.store({ agentId: `agent-${i % 4}`, discoveryType: 'insight', summary: `cache invalidation finding ${i}`, details: 'cache '.repeat(1 + (i % 5)) });
    }
    await kg.store({ agentId: 'x', discoveryType: 'insight', summary: 'nothing to see here' });
    const all = await kg.search({ query: 'cache', limit: 100 });
    assert.equal(all.total, 23);
    assert.equal(all.next_cursor, undefined);
    const paged = await collect((cursor) => kg.search({ query: 'cache', limit: 5, cursor }));
    assert.equal(paged.pages, 5);
    assert.deepEqual(paged.items.map((d) => d.id), all.discoveries.map((d) => d.id));
    assert.equal(new Set(paged.items.map((d) => d.id)).size, 23);

    const filtered = await kg.search({ query: 'cache', agentId: 'agent-1', limit: 100 });
    assert.equal(filtered.total, 6);
    const filteredPaged = await collect((cursor) => kg.search({ query: 'cache', agentId: 'agent-1', limit: 4, cursor }));
    assert.deepEqual(filteredPaged.items.map((d) => d.id), filtered.discoveries.map((d) => d.id));
    assert.ok(filtered.discoveries.every((d, i, all) => i === 0 || all[i - 1]!.score >= d.score), 'best first');
  });

  it('lists most recent first, paging without duplicates or gaps even when new discoveries arrive', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await kg.store({ agentId: 'a', discoveryType: 'note', summary: `note ${i}` })).id);
    const first = await kg.list({ limit: 5 });
    assert.deepEqual(first.discoveries.map((d) => d.id), ids.slice(7).reverse());
    await kg.store({ agentId: 'a', discoveryType: 'note', summary: 'arrived between pages' });
    const rest = await collect((cursor) => kg.list({ limit: 5, cursor: cursor ?? first.next_cursor }));
    assert.deepEqual(rest.items.map((d) => d.id), ids.slice(0, 7).reverse());

    // Empty query = most recent matching the filters.
    const recent = await kg.search({ query: '   ', limit: 3 });
    assert.deepEqual(recent.discoveries.map((d) => d.summary), ['arrived between pages', 'note 11', 'note 10']);
    assert.ok(recent.discoveries.every((d) => d.score === 0));
  });

  it('rejects broken, foreign and mismatched cursors naming the cursor field', async () => {
    for (let i = 0; i < 4; i++) await kg.store({ agentId: 'a', discoveryType: 'note', summary: `token bucket ${i}` });
    const page = await kg.search({ query: 'token', limit: 2 });
    assert.ok(page.next_cursor);
    const listPage = await kg.list({ limit: 2 });
    const attempts: Promise<unknown>[] = [
      kg.search({ query: 'token', cursor: 'not a cursor!' }),
      kg.search({ query: 'token', cursor: Buffer.from('{"v":1}').toString('base64url') }),
      kg.search({ query: 'bucket', limit: 2, cursor: page.next_cursor }),
      kg.search({ query: 'token', limit: 2, tags: ['x'], cursor: page.next_cursor }),
      kg.search({ query: 'token', cursor: listPage.next_cursor }),
      kg.list({ cursor: page.next_cursor }),
    ];
    for (const attempt of attempts) {
      await assert.rejects(attempt, (err: Error) => err instanceof ValidationError && err.field === 'cursor' && /cursor/.test(err.message));
    }
    await assert.rejects(kg.search({ query: 'token', limit: 101 }), (err: Error) => err instanceof ValidationError && err.field === 'limit');
  });

  it('queries with FTS syntax characters never throw and still find plain words', async () => {
    await kg.store({ agentId: 'a', discoveryType: 'note', summary: 'foo handler crashes on empty input', tags: ['node-sqlite'] });
    const nasty = [
      'foo" OR (',
      '"',
      '""""',
      'NEAR(foo bar)',
      'foo AND',
      'OR',
      ')(',
      'summary:foo',
      '^foo',
      '-foo',
      '*',
      'foo*bar',
      "'; DROP TABLE discoveries; --",
      '\u0000 foo',
      '{foo}',
      'a'.repeat(5000),
    ];
    for (const query of nasty) {
      const result = await kg.search({ query });
      assert.ok(Array.isArray(result.discoveries), query);
    }
    assert.equal((await kg.search({ query: 'foo" OR (' })).discoveries.length, 1);
    assert.equal((await kg.search({ query: '(foo) AND NOT' })).discoveries.length, 1);
    assert.equal((await kg.search({ query: '((( )))' })).discoveries.length, 0);
    assert.equal((await kg.search({ query: 'hand*' })).discoveries.length, 1, 'trailing * is a prefix search');
    assert.equal((await kg.search({ query: 'node-sqlite' })).discoveries.length, 1, 'tags are searchable');
    assert.equal((await kg.list()).total, 1, 'the table is intact');
  });

  it('related_to creates edges visible from both ends; an unknown id stores nothing', async () => {
    const root = await kg.store({ agentId: 'a', discoveryType: 'question', summary: 'Why does the build hang?' });
    const answer = await kg.store({ agentId: 'b', discoveryType: 'answer', summary: 'A watcher never exits', relatedTo: [root.id] });
    assert.deepEqual(answer.related_to, [root.id]);

    const rootDetails = await kg.getDetails(root.id);
    assert.deepEqual(rootDetails.edges.incoming.map((e) => [e.id, e.relation, e.summary, e.agent_id]), [[answer.id, 'related_to', 'A watcher never exits', 'b']]);
    assert.deepEqual(rootDetails.edges.outgoing, []);
    const answerDetails = await kg.getDetails(answer.id);
    assert.equal(answerDetails.discovery.summary, 'A watcher never exits');
    assert.deepEqual(answerDetails.discovery.related_to, [root.id]);
    assert.deepEqual(answerDetails.edges.outgoing.map((e) => [e.id, e.summary, e.discovery_type]), [[root.id, 'Why does the build hang?', 'question']]);

    await assert.rejects(
      kg.store({ agentId: 'c', discoveryType: 'note', summary: 'dangling', relatedTo: [root.id, 'disc_missing'] }),
      (err: Error) => err instanceof NotFoundError && err.message.includes('disc_missing') && err.message.includes('related_to'),
    );
    assert.equal((await kg.list()).total, 2);
    await assert.rejects(kg.getDetails('disc_nope'), (err: Error) => err instanceof NotFoundError && err.message.includes('disc_nope'));
  });

  it('validates input naming the field, and emits discovery-stored', async () => {
    const seen: GovernanceEventMap['discovery-stored'][] = [];
    events.on('discovery-stored', (e) => seen.push(e));
    const cases: [Parameters<KnowledgeGraph['store']>[0], string][] = [
      [{ agentId: 'a', discoveryType: 'note', summary: '   ' }, 'summary'],
      [{ agentId: '', discoveryType: 'note', summary: 's' }, 'agent_id'],
      [{ agentId: 'a', discoveryType: '', summary: 's' }, 'discovery_type'],
      [{ agentId: 'a', discoveryType: 'note', summary: 'x'.repeat(1001) }, 'summary'],
      [{ agentId: 'a', discoveryType: 'note', summary: 's', tags: [42 as unknown as string] }, 'tags'],
      [{ agentId: 'a', discoveryType: 'note', summary: 's', severity: 'urgent' as never }, 'severity'],
    ];
    for (const [input, field] of cases) {
      await assert.rejects(kg.store(input), (err: Error) => err instanceof ValidationError && err.field === field);
    }
    assert.equal(seen.length, 0);
    const d = await kg.store({ agentId: 'a', discoveryType: 'bug_found', summary: 'ok', tags: ['x', ' X ', '', 'y'], severity: 'high' });
    assert.deepEqual(d.tags, ['x', 'y']);
    assert.equal(d.severity, 'high');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.discovery.id, d.id);
  });

  it('links existing discoveries once and updates status, refusing unknown ids and bad words', async () => {
    const a = await kg.store({ agentId: 'a', discoveryType: 'bug_found', summary: 'flaky test in CI' });
    const b = await kg.store({ agentId: 'b', discoveryType: 'bug_found', summary: 'flaky CI test again' });
    const updates: string[] = [];
    events.on('discovery-updated', (e) => updates.push(`${e.id}:${e.change}`));

    const first = await kg.link({ fromId: b.id, toId: a.id, relation: 'duplicates', agentId: 'b' });
    assert.equal(first.created, true);
    assert.equal((await kg.link({ fromId: b.id, toId: a.id, relation: 'duplicates' })).created, false);
    assert.deepEqual((await kg.getDetails(a.id)).edges.incoming.map((e) => [e.id, e.relation]), [[b.id, 'duplicates']]);
    await assert.rejects(kg.link({ fromId: b.id, toId: 'disc_gone' }), (err: Error) => err instanceof NotFoundError && err.message.includes('to_id') && err.message.includes('disc_gone'));
    await assert.rejects(kg.link({ fromId: a.id, toId: a.id }), (err: Error) => err instanceof ValidationError && err.field === 'to_id');
    await assert.rejects(kg.link({ fromId: a.id, toId: b.id, relation: 'Not A Word' }), (err: Error) => err instanceof ValidationError && err.field === 'relation');

    const resolved = await kg.updateStatus({ id: a.id, status: 'resolved' });
    assert.equal(resolved.status, 'resolved');
    assert.equal((await kg.search({ query: 'flaky' })).discoveries.find((d) => d.id === a.id)?.status, 'resolved');
    assert.equal((await kg.search({ query: 'flaky' })).total, 2, 'a status change keeps the search index intact');
    await assert.rejects(kg.updateStatus({ id: 'disc_gone', status: 'resolved' }), NotFoundError);
    await assert.rejects(kg.updateStatus({ id: a.id, status: '' }), (err: Error) => err instanceof ValidationError && err.field === 'status');
    assert.deepEqual(updates, [`${b.id}:edge`, `${a.id}:edge`, `${a.id}:status`]);
  });
});

describe('search: words in more than half of the discoveries', () => {
  it('are skipped when a rarer word is present, without losing the documents that match the rarer word', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-common-'));
    const store = await openStore(dir);
    try {
      const kg = new KnowledgeGraph(store, new GovernanceEvents());
      for (let i = 0; i < 150; i++) await kg.store({ agentId: 'a', discoveryType: 'note', summary: `common filler entry ${i}`, details: 'common words only' });
      const rare = await kg.store({ agentId: 'b', discoveryType: 'note', summary: 'zebra crossing common', details: '' });
      const res = await kg.search({ query: 'common zebra', limit: 5 });
      assert.equal(res.discoveries[0]!.id, rare.id, 'the document with the rare word ranks first');
      assert.equal(res.total, 1, 'only the rare word is matched once the common one is skipped');
      const onlyCommon = await kg.search({ query: 'common', limit: 5 });
      assert.equal(onlyCommon.total, 151, 'a query of only common words still finds everything');
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
