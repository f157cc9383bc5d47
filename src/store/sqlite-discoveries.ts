/**
 * DiscoveryRepository over node:sqlite: `discoveries` with its FTS5 index `discoveries_fts`
 * (external content, kept by triggers), `discovery_tags` and `discovery_edges` (see migrations.ts).
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { ConflictError, NotFoundError } from '../core/errors';
import { isAsciiToken, isSingleToken, joinTerms, toFtsTerms, type FtsTerm } from './fts-query';
import { IndexedRanking } from './search-ranked';
import { durableWrite, inTransaction, StatementCache } from './sqlite';
import { iso, num, str, type Row } from './rows';
import { toDiscovery, toEdge, toScored } from './records';
import type {
  DiscoveryFilters,
  DiscoveryRecord,
  DiscoveryRepository,
  EdgeRecord,
  NewDiscovery,
  NewEdge,
  RankedSearch,
  RecentSearch,
  ScoredDiscovery,
} from '../knowledge/repository';
import { runAsPromise } from '../util/promise';

/**
 * bm25 column weights (summary, details, tags): a word in the one-line summary or in a tag says
 * more about the discovery than the same word somewhere in the details.
 */
const BM25 = 'bm25(discoveries_fts, 3.0, 1.0, 2.0)';
/** FTS5's bm25 k1 (sqlite ext/fts5/fts5_aux.c, fts5Bm25Function). */
const BM25_K1 = 1.2;

/** A page of the ranking by bm25 (best first, newest first among equal scores), with the rows. */
const RANK_PAGE = `SELECT d.*, s.score FROM (SELECT rowid, -${BM25} AS score FROM discoveries_fts WHERE discoveries_fts MATCH ?
  ORDER BY score DESC, rowid DESC LIMIT ? OFFSET ?) s JOIN discoveries d ON d.seq = s.rowid ORDER BY s.score DESC, d.seq DESC`;

/**
 * The same ranking restricted to the discoveries matching a second expression: the first MATCH
 * (the full query) gives the scores; the second only filters. `+rowid` keeps SQLite from handing
 * the IN list to FTS5 as rowid lookups (one index query per id); the list is built once instead.
 */
const RANK_PAGE_WITHIN = `SELECT d.*, s.score FROM (SELECT rowid, -${BM25} AS score FROM discoveries_fts WHERE discoveries_fts MATCH ?
    AND +rowid IN (SELECT rowid FROM discoveries_fts WHERE discoveries_fts MATCH ?)
  ORDER BY score DESC, rowid DESC LIMIT ? OFFSET ?) s JOIN discoveries d ON d.seq = s.rowid ORDER BY s.score DESC, d.seq DESC`;

/** A query term with the number of discoveries containing it, when known exactly. */
type RankedTerm = FtsTerm & { docs: number | null };

/**
 * FTS5's idf for a word in `docs` of `rows` documents, clamped like fts5Bm25GetData
 * (log((N - n + 0.5) / (n + 0.5)), 1e-6 when <= 0). Increasing in `rows`.
 */
function idfBound(docs: number, rows: number): number {
  const idf = Math.log((rows - docs + 0.5) / (docs + 0.5));
  return idf > 0 ? idf : 1e-6;
}

const INSERT_DISCOVERY = `
  INSERT INTO discoveries (id, agent_id, discovery_type, summary, details, tags, status, severity, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_EDGE = 'INSERT OR IGNORE INTO discovery_edges (from_id, to_id, relation, agent_id, created_at) VALUES (?, ?, ?, ?, ?)';

export class SqliteDiscoveryRepository implements DiscoveryRepository {
  private readonly sql: StatementCache;
  /** Answers unfiltered ranked searches from memory once built (see search-ranked.ts). */
  private readonly ranking: IndexedRanking;

  /** @param options.indexedSearch false keeps every ranked search in FTS5 (benchmarks compare both) */
  constructor(private readonly db: DatabaseSync, options: { indexedSearch?: boolean } = {}) {
    this.sql = new StatementCache(db);
    this.ranking = new IndexedRanking(db);
    this.indexed = options.indexedSearch ?? process.env.CODEX_GOVERNANCE_INDEXED_SEARCH !== 'off';
    // Per-connection view of the index's vocabulary (term -> number of documents), used to skip
    // near-zero-weight words in ranked searches. TEMP: no migration, nothing stored.
    db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.discoveries_vocab USING fts5vocab('main', 'discoveries_fts', 'row')");
  }

  private readonly indexed: boolean;

  searchReady(): Promise<void> {
    return this.indexed ? this.ranking.ready() : Promise.resolve();
  }

  async insert(discovery: NewDiscovery, edges: Omit<NewEdge, 'fromId'>[]): Promise<DiscoveryRecord> {
    const record = await durableWrite(this.db, () => {
      for (const edge of edges) {
        if (!this.sql.get('SELECT 1 FROM discoveries WHERE id = ?').get(edge.toId)) {
          throw new NotFoundError('discovery', edge.toId, `related_to: no discovery with id "${edge.toId}" exists. Use an id returned by store_discovery_graph or search_knowledge_graph.`);
        }
      }
      if (this.sql.get('SELECT 1 FROM discoveries WHERE id = ?').get(discovery.id)) {
        throw new ConflictError(`A discovery with id "${discovery.id}" already exists.`);
      }
      this.insertRow(discovery);
      for (const edge of edges) {
        this.sql.get(INSERT_EDGE).run(discovery.id, edge.toId, edge.relation, edge.agentId, iso(edge.createdAtMs));
      }
      return this.read(discovery.id)!;
    });
    this.ranking.catchUp();
    return record;
  }

  bulkInsert(discoveries: NewDiscovery[], edges: NewEdge[] = []): Promise<{ discoveries: number; edges: number }> {
    return runAsPromise(() => {
      const counts = inTransaction(this.db, () => {
        for (const d of discoveries) this.insertRow(d);
        let edgeCount = 0;
        for (const e of edges) {
          edgeCount += Number(this.sql.get(INSERT_EDGE).run(e.fromId, e.toId, e.relation, e.agentId, iso(e.createdAtMs)).changes);
        }
        return { discoveries: discoveries.length, edges: edgeCount };
      });
      this.ranking.catchUp();
      return counts;
    });
  }

  async addEdge(edge: NewEdge): Promise<{ edge: EdgeRecord; created: boolean }> {
    return durableWrite(this.db, () => {
      for (const [field, id] of [['from_id', edge.fromId], ['to_id', edge.toId]] as const) {
        if (!this.sql.get('SELECT 1 FROM discoveries WHERE id = ?').get(id)) {
          throw new NotFoundError('discovery', id, `${field}: no discovery with id "${id}" exists.`);
        }
      }
      const created = Number(this.sql.get(INSERT_EDGE).run(edge.fromId, edge.toId, edge.relation, edge.agentId, iso(edge.createdAtMs)).changes) > 0;
      const row = this.sql.get('SELECT * FROM discovery_edges WHERE from_id = ? AND to_id = ? AND relation = ?').get(edge.fromId, edge.toId, edge.relation);
      return { edge: toEdge(row as Row), created };
    });
  }

  async setStatus(id: string, status: string, atMs: number): Promise<DiscoveryRecord | undefined> {
    return durableWrite(this.db, () => {
      this.sql.get('UPDATE discoveries SET status = ?, updated_at = ? WHERE id = ?').run(status, iso(atMs), id);
      return this.read(id);
    });
  }

  get(id: string): Promise<DiscoveryRecord | undefined> {
    return runAsPromise(() => this.read(id));
  }

  getMany(ids: string[]): Promise<DiscoveryRecord[]> {
    return runAsPromise(() => {
      if (!ids.length) return [];
      const rows = this.sql.get('SELECT * FROM discoveries WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids));
      const byId = new Map(rows.map((row) => [str((row as Row).id), toDiscovery(row as Row)]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    });
  }

  edges(id: string): Promise<{ outgoing: EdgeRecord[]; incoming: EdgeRecord[] }> {
    return runAsPromise(() => {
      const outgoing = this.sql.get('SELECT * FROM discovery_edges WHERE from_id = ? ORDER BY created_at, to_id').all(id);
      const incoming = this.sql.get('SELECT * FROM discovery_edges WHERE to_id = ? ORDER BY created_at, from_id').all(id);
      return { outgoing: outgoing.map((r) => toEdge(r as Row)), incoming: incoming.map((r) => toEdge(r as Row)) };
    });
  }

  /**
   * The OR-ed terms of a ranked search, with their document frequency where it is known exactly.
   * Drops query words found in more than half of the discoveries, unless every word is that
   * common. FTS5's bm25 gives such a word an IDF of ~0 (idf = log((N - n + 0.5) / (n + 0.5)),
   * clamped to 1e-6 when <= 0: sqlite ext/fts5/fts5_aux.c, fts5Bm25GetData), so it barely changes
   * any score; keeping it only makes the MATCH visit (and score) most of the index. The seed's
   * clients search with the first 50 characters of a task ("Refactor this function to use...").
   */
  private termsFor(text: string): RankedTerm[] {
    const total = this.documentCount();
    if (total < 100) return toFtsTerms(text).map((t) => ({ ...t, docs: null }));
    const docs = new Map<string, number | null>();
    const common = (word: string) => {
      if (!isSingleToken(word)) return false;
      let n = docs.get(word);
      if (n === undefined) {
        n = this.documentFrequency(word);
        docs.set(word, n);
      }
      return n !== null && n * 2 > total;
    };
    const withDocs = (t: FtsTerm): RankedTerm => {
      if (t.prefix || !isAsciiToken(t.word)) return { ...t, docs: null };
      // Looked up and absent from the index: in no discovery.
      const n = docs.get(t.word);
      return { ...t, docs: n === undefined ? null : (n ?? 0) };
    };
    const kept = toFtsTerms(text, (w) => !common(w));
    return (kept.length ? kept : toFtsTerms(text)).map(withDocs);
  }

  /**
   * Number of discoveries containing `word` (fts5vocab, lowercased spelling; null if absent). Exact
   * for ASCII words; for others the tokenizer may fold differently, so it only judges commonness.
   */
  private documentFrequency(word: string): number | null {
    const row = this.sql.get('SELECT doc FROM temp.discoveries_vocab WHERE term = ?').get(word.toLowerCase());
    return row === undefined ? null : num(row.doc);
  }

  private docCountCache: { value: number; atMs: number } | undefined;

  /** Number of discoveries, cached for 1 s (only used to judge how common a word is). */
  private documentCount(): number {
    const now = Date.now();
    if (!this.docCountCache || now - this.docCountCache.atMs > 1000) {
      this.docCountCache = { value: num((this.sql.get('SELECT count(*) AS n FROM discoveries').get() as Row).n), atMs: now };
    }
    return this.docCountCache.value;
  }

  search(query: RankedSearch): Promise<{ items: ScoredDiscovery[]; total: number }> {
    return runAsPromise(() => {
      const filter = filterSql(query);
      if (!filter.sql && this.indexed) {
        // Before termsFor: FTS5's vocabulary counts a word's discoveries by walking its postings.
        this.ranking.start();
        const page = this.ranking.rank(query.text, query.limit, query.offset);
        if (page) return { items: this.bySeq(page.docs, page.scores), total: page.total };
      }
      const terms = this.termsFor(query.text);
      const match = joinTerms(terms);
      if (match === null) return { items: [], total: 0 };
      let rows: unknown[];
      let total: number;
      if (!filter.sql) {
        // Without filters, rank and count inside the FTS index and join only the page: about twice
        // as fast when a query matches a large share of the discoveries.
        const counted = this.countFromFrequencies(terms);
        rows = this.rankPruned(terms, match, query.limit, query.offset, counted?.withEveryWord) ?? this.sql.get(RANK_PAGE).all(match, query.limit, query.offset);
        total = counted?.total ?? num((this.sql.get('SELECT count(*) AS n FROM discoveries_fts WHERE discoveries_fts MATCH ?').get(match) as Row).n);
      } else {
        const from = `FROM discoveries_fts JOIN discoveries d ON d.seq = discoveries_fts.rowid WHERE discoveries_fts MATCH ?${filter.sql}`;
        const params: SQLInputValue[] = [match, ...filter.params];
        rows = this.sql.get(`SELECT d.*, -${BM25} AS score ${from} ORDER BY score DESC, d.seq DESC LIMIT ? OFFSET ?`).all(...params, query.limit, query.offset);
        total = num((this.sql.get(`SELECT count(*) AS n ${from}`).get(...params) as Row).n);
      }
      return { items: rows.map((row) => toScored(row as Row)), total };
    });
  }

  /**
   * Number of discoveries matching one or two distinct words of known frequency, without walking
   * their union: |a| for one word, |a| + |b| - |a AND b| for two (FTS5 walks an AND about twice as
   * cheaply as an OR, and the frequencies are already known); also how many hold every word.
   * Undefined for other queries.
   */
  private countFromFrequencies(terms: readonly RankedTerm[]): { total: number; withEveryWord: number } | undefined {
    const distinct = new Map<string, RankedTerm>();
    for (const t of terms) {
      if (t.docs === null) return undefined;
      distinct.set(t.word.toLowerCase(), t);
    }
    const [a, b, more] = [...distinct.values()];
    if (!a || more) return undefined;
    if (!b) return { total: a.docs!, withEveryWord: a.docs! };
    if (a.docs === 0 || b.docs === 0) return { total: a.docs! + b.docs!, withEveryWord: 0 };
    const both = num((this.sql.get('SELECT count(*) AS n FROM discoveries_fts WHERE discoveries_fts MATCH ?').get(`${a.phrase} AND ${b.phrase}`) as Row).n);
    return { total: a.docs! + b.docs! - both, withEveryWord: both };
  }

  /**
   * The page of the full ranking, computed by scoring only some of the matching discoveries, or
   * undefined when that cannot be proven to give the same page (MaxScore, Turtle & Flood 1995,
   * "Query evaluation: strategies and optimizations").
   *
   * bm25 is a sum over the query's phrases of idf * f * (k1 + 1) / (f + k1 * (1 - b + b * D / avgdl))
   * (fts5_aux.c, k1 = 1.2, b = 0.75): each summand is below idf * (k1 + 1) whatever the document,
   * and a phrase missing from a document adds exactly 0. Two candidate sets are tried:
   * 1. the discoveries holding every word: the same phrases joined with AND instead of OR, which
   *    FTS5 walks about twice as cheaply and scores with the very same bm25 (it depends on the
   *    phrases, not on the operators between them). Any other match lacks some word, so it scores
   *    below the sum of the bounds of the words it holds;
   * 2. the discoveries holding the rarest word, scored with the full query (same scores). Any other
   *    match scores below the sum of the other words' bounds.
   * `withEveryWord`, when known, is how many discoveries hold every word (set 1 is skipped when
   * they cannot fill the page). When the last row of the candidates' page is above the bound of
   * every discovery outside them,
   * none of those can reach the page, so it equals the full ranking's page, in the same order.
   */
  private rankPruned(terms: readonly RankedTerm[], match: string, limit: number, offset: number, withEveryWord?: number): unknown[] | undefined {
    if (terms.length < 2) return undefined;
    // Upper bound on FTS5's row count N (ids are never reused): a larger N only raises each idf.
    const rows = num((this.sql.get('SELECT coalesce(max(seq), 0) AS n FROM discoveries').get() as Row).n);
    // Relative slack for rounding in the summands (bm25 computes in doubles too).
    const bound = (t: RankedTerm) => (t.docs === 0 ? 0 : idfBound(t.docs!, rows) * (BM25_K1 + 1) * (1 + 1e-9));
    const above = (page: unknown[], outside: number) => {
      const last = page[page.length - 1] as Row | undefined;
      return Number.isFinite(outside) && page.length === limit && last !== undefined && num(last.score) > outside;
    };

    if (terms.every((t) => t.docs !== null && t.docs > 0)) {
      const byWord = new Map<string, number>();
      for (const t of terms) byWord.set(t.word.toLowerCase(), (byWord.get(t.word.toLowerCase()) ?? 0) + bound(t));
      const sum = [...byWord.values()].reduce((a, b) => a + b, 0);
      // Fewer discoveries with every word than the page needs: that candidate set cannot suffice.
      if (byWord.size > 1 && (withEveryWord === undefined || withEveryWord >= offset + limit)) {
        const page = this.sql.get(RANK_PAGE).all(terms.map((t) => t.phrase).join(' AND '), limit, offset);
        if (above(page, sum - Math.min(...byWord.values()))) return page;
      }
    }

    const known = terms.filter((t) => t.docs !== null && t.docs > 0).sort((a, b) => a.docs! - b.docs!);
    const rarest = known[0];
    // Words of unknown frequency (prefixes, non-ASCII) are always among the scored ones; words in
    // no discovery add nothing to any score.
    const rest = known.slice(1);
    if (!rarest || !rest.length) return undefined;
    const essential = terms.filter((t) => t !== rarest && t.docs === null).concat(rarest);
    if (essential.length === 1 && rarest.docs! < offset + limit) return undefined;
    const page = this.sql.get(RANK_PAGE_WITHIN).all(match, joinTerms(essential), limit, offset);
    return above(page, rest.reduce((acc, t) => acc + bound(t), 0)) ? page : undefined;
  }

  /** Rows of `seqs` in that order, with their scores. */
  private bySeq(seqs: number[], scores: number[]): ScoredDiscovery[] {
    if (!seqs.length) return [];
    const rows = this.sql.get('SELECT * FROM discoveries WHERE seq IN (SELECT value FROM json_each(?))').all(JSON.stringify(seqs)) as Row[];
    const bySeq = new Map(rows.map((r) => [num(r.seq), r]));
    return seqs.flatMap((seq, i) => {
      const row = bySeq.get(seq);
      return row ? [{ ...toDiscovery(row), score: scores[i]! }] : [];
    });
  }

  recent(query: RecentSearch): Promise<{ items: ScoredDiscovery[]; total: number }> {
    return runAsPromise(() => {
      const filter = filterSql(query);
      const where = `WHERE 1 = 1${filter.sql}`;
      const page = query.beforeSeq === undefined ? '' : ' AND d.seq < ?';
      const pageParams = query.beforeSeq === undefined ? [] : [query.beforeSeq];
      const rows = this.sql
        .get(`SELECT d.*, 0 AS score FROM discoveries d ${where}${page} ORDER BY d.seq DESC LIMIT ?`)
        .all(...filter.params, ...pageParams, query.limit);
      const total = num((this.sql.get(`SELECT count(*) AS n FROM discoveries d ${where}`).get(...filter.params) as Row).n);
      return { items: rows.map((row) => toScored(row as Row)), total };
    });
  }

  counts(): Promise<{ discoveries: number; edges: number }> {
    return runAsPromise(() => {
      const row = this.sql.get('SELECT (SELECT count(*) FROM discoveries) AS d, (SELECT count(*) FROM discovery_edges) AS e').get() as Row;
      return { discoveries: num(row.d), edges: num(row.e) };
    });
  }

  private insertRow(d: NewDiscovery): void {
    const at = iso(d.createdAtMs);
    this.sql.get(INSERT_DISCOVERY).run(d.id, d.agentId, d.discoveryType, d.summary, d.details, JSON.stringify(d.tags), d.status, d.severity, at, at);
  }

  private read(id: string): DiscoveryRecord | undefined {
    const row = this.sql.get('SELECT * FROM discoveries WHERE id = ?').get(id);
    return row ? toDiscovery(row) : undefined;
  }
}

/**
 * AND-ed filter clauses over alias `d`. Tags use `IN (subquery)`, which SQLite runs once through
 * the tag index; a correlated EXISTS would probe per discovery and make counts scan the table.
 */
function filterSql(filters: DiscoveryFilters): { sql: string; params: SQLInputValue[] } {
  let sql = '';
  const params: SQLInputValue[] = [];
  if (filters.agentId !== undefined) {
    sql += ' AND d.agent_id = ?';
    params.push(filters.agentId);
  }
  if (filters.discoveryType !== undefined) {
    sql += ' AND d.discovery_type = ?';
    params.push(filters.discoveryType);
  }
  for (const tag of filters.tags ?? []) {
    sql += ' AND d.id IN (SELECT discovery_id FROM discovery_tags WHERE tag = ?)';
    params.push(tag);
  }
  return { sql, params };
}
