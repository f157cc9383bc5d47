/**
 * DiscoveryRepository over PostgreSQL. A ranked search without filters is answered, once the
 * in-memory index is built, by the SQLite store's exact bm25 (search-ranked.ts: the same ranking,
 * scores and totals as the SQLite store). Every other one (filters, prefix words, words that are
 * not plain ASCII letters and digits, the index still building) uses the stored `tsvector` column
 * `search` (summary weight A, tags B, details C; 'simple' configuration) with its GIN index,
 * ranked by `ts_rank` with weights 1 / 0.67 / 0.33 and length normalisation 1 (rank / (1 +
 * log(length))). Its differences from bm25 are described in the README ("Team mode"): no inverse
 * document frequency (a rare word weighs as much as a common one), and a word counts less in a
 * long document only logarithmically. The result shape is the same either way.
 */
import { ConflictError, NotFoundError } from '../../core/errors';
import type { DiscoveryFilters, DiscoveryRecord, DiscoveryRepository, EdgeRecord, NewDiscovery, NewEdge, RankedSearch, RecentSearch, ScoredDiscovery } from '../../knowledge/repository';
import { isSingleToken, toFtsTerms } from '../fts-query';
import { iso, str, type Row } from '../rows';
import { toDiscovery, toEdge, toScored } from '../records';
import { int, type PgPool, type Queryable } from './pool';
import { PgIndexedRanking, type PgIndexStats } from './search-ranked';

/** ts_rank weights in PostgreSQL's order {D, C, B, A}: details 1/3, tags 2/3, summary 1 (bm25's 1 : 2 : 3). */
const RANK = "ts_rank('{0, 0.3333, 0.6667, 1}', d.search, q, 1)";

const INSERT_DISCOVERY = `INSERT INTO discoveries (id, agent_id, discovery_type, summary, details, tags, status, severity, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`;
const INSERT_EDGE = 'INSERT INTO discovery_edges (from_id, to_id, relation, agent_id, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING';

/**
 * The user's words as a `to_tsquery` text that cannot be a syntax error: each word split into its
 * letter/digit runs (quoted; a word of several runs is a phrase, `<->`), a trailing `*` a prefix
 * (`:*`), words OR-ed (`|`) as in the SQLite store. Null when no word has a letter or digit.
 */
export function toTsQuery(text: string, keep: (word: string) => boolean = () => true): string | null {
  const parts: string[] = [];
  for (const term of toFtsTerms(text, keep)) {
    const tokens = term.word.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    if (!tokens.length) continue;
    const quoted = tokens.map((t, i) => `'${t}'${term.prefix && i === tokens.length - 1 ? ':*' : ''}`);
    parts.push(quoted.length > 1 ? `(${quoted.join(' <-> ')})` : quoted[0]!);
  }
  return parts.length ? parts.join(' | ') : null;
}

/** How long (ms) the common words read from the planner's statistics are reused. */
const COMMON_WORDS_TTL_MS = 60_000;
/** Below this many discoveries no word is dropped (as the SQLite store). */
const COMMON_WORDS_MIN_ROWS = 100;

export class PgDiscoveryRepository implements DiscoveryRepository {
  private common: { words: Set<string>; atMs: number } | undefined;
  /** Answers unfiltered ranked searches from memory once built (see search-ranked.ts). */
  private readonly ranking: PgIndexedRanking;
  private readonly indexed: boolean;

  /**
   * @param options.indexedSearch false keeps every ranked search on the tsvector query (default:
   *   on unless CODEX_GOVERNANCE_INDEXED_SEARCH=off, as the SQLite store)
   * @param options.inWorker false builds the index on this thread
   */
  constructor(private readonly db: PgPool, options: { indexedSearch?: boolean; inWorker?: boolean } = {}) {
    this.ranking = new PgIndexedRanking(db, db.pool.options.connectionString ?? '', { inWorker: options.inWorker });
    this.indexed = options.indexedSearch ?? process.env.CODEX_GOVERNANCE_INDEXED_SEARCH !== 'off';
  }

  /** The in-memory index's size and last build (benchmarks). */
  indexStats(): PgIndexStats {
    return this.ranking.stats();
  }

  /** Stops the index (and its build); the pool is the store's to end. */
  close(): void {
    this.ranking.close();
  }

  insert(discovery: NewDiscovery, edges: Omit<NewEdge, 'fromId'>[]): Promise<DiscoveryRecord> {
    return this.db.transaction(async (c) => {
      if (edges.length) {
        const found = new Set((await c.query('SELECT id FROM discoveries WHERE id = ANY($1::text[])', [edges.map((e) => e.toId)])).rows.map((r) => str((r as Row).id)));
        const missing = edges.find((e) => !found.has(e.toId));
        if (missing) {
          throw new NotFoundError('discovery', missing.toId, `related_to: no discovery with id "${missing.toId}" exists. Use an id returned by store_discovery_graph or search_knowledge_graph.`);
        }
      }
      await insertRow(c, discovery).catch((err: unknown) => {
        if ((err as { code?: string }).code === '23505') throw new ConflictError(`A discovery with id "${discovery.id}" already exists.`);
        throw err;
      });
      for (const edge of edges) await c.query(INSERT_EDGE, [discovery.id, edge.toId, edge.relation, edge.agentId, iso(edge.createdAtMs)]);
      return toDiscovery((await c.query('SELECT * FROM discoveries WHERE id = $1', [discovery.id])).rows[0] as Row);
    });
  }

  /**
   * One INSERT ... SELECT FROM unnest(...) per {@link BULK_ROWS} discoveries (and one for their
   * tags and edges) instead of three statements per row: 1,000,000 discoveries import in minutes,
   * not hours. Rows keep their array order (`seq` follows it). Same transaction rule as before:
   * a duplicate id fails the whole call and stores nothing.
   */
  bulkInsert(discoveries: NewDiscovery[], edges: NewEdge[] = []): Promise<{ discoveries: number; edges: number }> {
    return this.db.transaction(async (c) => {
      for (let from = 0; from < discoveries.length; from += BULK_ROWS) await insertRows(c, discoveries.slice(from, from + BULK_ROWS));
      let edgeCount = 0;
      for (let from = 0; from < edges.length; from += BULK_ROWS) {
        const chunk = edges.slice(from, from + BULK_ROWS);
        const r = await c.query(
          `INSERT INTO discovery_edges (from_id, to_id, relation, agent_id, created_at)
            SELECT f, t, r, a, c FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(f, t, r, a, c, n) ORDER BY n
            ON CONFLICT DO NOTHING`,
          [chunk.map((e) => e.fromId), chunk.map((e) => e.toId), chunk.map((e) => e.relation), chunk.map((e) => e.agentId), chunk.map((e) => iso(e.createdAtMs))],
        );
        edgeCount += r.rowCount ?? 0;
      }
      return { discoveries: discoveries.length, edges: edgeCount };
    });
  }

  addEdge(edge: NewEdge): Promise<{ edge: EdgeRecord; created: boolean }> {
    return this.db.transaction(async (c) => {
      for (const [field, id] of [['from_id', edge.fromId], ['to_id', edge.toId]] as const) {
        if (!(await c.query('SELECT 1 FROM discoveries WHERE id = $1', [id])).rowCount) {
          throw new NotFoundError('discovery', id, `${field}: no discovery with id "${id}" exists.`);
        }
      }
      const created = ((await c.query(INSERT_EDGE, [edge.fromId, edge.toId, edge.relation, edge.agentId, iso(edge.createdAtMs)])).rowCount ?? 0) > 0;
      const row = (await c.query('SELECT * FROM discovery_edges WHERE from_id = $1 AND to_id = $2 AND relation = $3', [edge.fromId, edge.toId, edge.relation])).rows[0] as Row;
      return { edge: toEdge(row), created };
    });
  }

  async setStatus(id: string, status: string, atMs: number): Promise<DiscoveryRecord | undefined> {
    const r = await this.db.query('UPDATE discoveries SET status = $1, updated_at = $2 WHERE id = $3 RETURNING *', [status, iso(atMs), id]);
    return r.rows[0] ? toDiscovery(r.rows[0] as Row) : undefined;
  }

  async get(id: string): Promise<DiscoveryRecord | undefined> {
    const r = await this.db.query('SELECT * FROM discoveries WHERE id = $1', [id]);
    return r.rows[0] ? toDiscovery(r.rows[0] as Row) : undefined;
  }

  async getMany(ids: string[]): Promise<DiscoveryRecord[]> {
    if (!ids.length) return [];
    const r = await this.db.query('SELECT * FROM discoveries WHERE id = ANY($1::text[])', [ids]);
    const byId = new Map(r.rows.map((row) => [str((row as Row).id), toDiscovery(row as Row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async edges(id: string): Promise<{ outgoing: EdgeRecord[]; incoming: EdgeRecord[] }> {
    const [outgoing, incoming] = await Promise.all([
      this.db.query('SELECT * FROM discovery_edges WHERE from_id = $1 ORDER BY created_at, to_id', [id]),
      this.db.query('SELECT * FROM discovery_edges WHERE to_id = $1 ORDER BY created_at, from_id', [id]),
    ]);
    return { outgoing: outgoing.rows.map((r) => toEdge(r as Row)), incoming: incoming.rows.map((r) => toEdge(r as Row)) };
  }

  searchReady(): Promise<void> {
    return this.indexed ? this.ranking.ready() : Promise.resolve();
  }

  /**
   * One scan of the matches computes both the page and `total` (`count(*) OVER ()`), and only the
   * page's rows are read whole: the cost of a search is one bitmap heap scan over its matches
   * (ts_rank needs each match's tsvector), not two (the page and a separate count) as before.
   */
  async search(query: RankedSearch): Promise<{ items: ScoredDiscovery[]; total: number }> {
    if (this.indexed && !filterSql(query, [])) {
      const page = await this.ranking.rank(query.text, query.limit, query.offset);
      if (page) return { items: await this.bySeq(page.docs, page.scores), total: page.total };
    }
    const common = await this.commonWords();
    const tsquery = toTsQuery(query.text, (w) => !(isSingleToken(w) && common.has(w.toLowerCase()))) ?? toTsQuery(query.text);
    if (tsquery === null) return { items: [], total: 0 };
    const params: unknown[] = [tsquery];
    const filter = filterSql(query, params);
    const from = `FROM discoveries d, to_tsquery('simple', $1) q WHERE d.search @@ q${filter}`;
    const page = await this.db.query(
      `WITH page AS (
        SELECT seq, score, total FROM (SELECT d.seq, ${RANK} AS score, count(*) OVER () AS total ${from}) m
        ORDER BY score DESC, seq DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2})
      SELECT d.*, page.score, page.total FROM page JOIN discoveries d USING (seq) ORDER BY page.score DESC, page.seq DESC`,
      [...params, query.limit, query.offset],
    );
    const first = page.rows[0] as Row | undefined;
    // An empty page with matches elsewhere (paging past the end, limit 0) has no row to carry the total: count them.
    const total = first ? int(first.total) : query.offset > 0 || query.limit <= 0 ? int(((await this.db.query(`SELECT count(*) AS n ${from}`, params)).rows[0] as Row).n) : 0;
    return { items: page.rows.map((r) => toScored(r as Row)), total };
  }

  /** The rows of `seqs` in that order, with their scores. */
  private async bySeq(seqs: number[], scores: number[]): Promise<ScoredDiscovery[]> {
    if (!seqs.length) return [];
    const r = await this.db.query('SELECT * FROM discoveries WHERE seq = ANY($1::int8[])', [seqs]);
    const bySeq = new Map(r.rows.map((row) => [int((row as Row).seq), row as Row]));
    return seqs.flatMap((seq, i) => {
      const row = bySeq.get(seq);
      return row ? [{ ...toDiscovery(row), score: scores[i]! }] : [];
    });
  }

  /**
   * Words found in more than half of the discoveries, which a search drops when it has rarer words
   * (the SQLite store's rule, see sqlite-discoveries.ts termsFor): with them an OR query matches
   * most of the table, and every match costs a heap visit for ts_rank. Read from the planner's
   * statistics of the `search` column (pg_stats.most_common_elems and their frequencies, kept by
   * ANALYZE/autovacuum: https://www.postgresql.org/docs/current/view-pg-stats.html), so the judgement
   * is as fresh as the last ANALYZE; none before the first, or below 100 discoveries.
   */
  private async commonWords(): Promise<Set<string>> {
    if (this.common && Date.now() - this.common.atMs < COMMON_WORDS_TTL_MS) return this.common.words;
    const r = await this.db.query(
      `SELECT c.reltuples, s.most_common_elems::text::text[] AS words, s.most_common_elem_freqs AS freqs
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname AND s.attname = 'search'
        WHERE c.oid = 'discoveries'::regclass`,
    );
    const row = r.rows[0] as { reltuples?: number; words?: string[] | null; freqs?: number[] | null } | undefined;
    const words = new Set<string>();
    if (row && Number(row.reltuples) >= COMMON_WORDS_MIN_ROWS && row.words && row.freqs) {
      row.words.forEach((w, i) => {
        if ((row.freqs![i] ?? 0) > 0.5) words.add(w);
      });
    }
    this.common = { words, atMs: Date.now() };
    return words;
  }

  async recent(query: RecentSearch): Promise<{ items: ScoredDiscovery[]; total: number }> {
    const params: unknown[] = [];
    const filter = filterSql(query, params);
    const countParams = [...params];
    const page = query.beforeSeq === undefined ? '' : ` AND d.seq < $${params.push(query.beforeSeq)}`;
    const [rows, count] = await Promise.all([
      this.db.query(`SELECT d.*, 0 AS score FROM discoveries d WHERE true${filter}${page} ORDER BY d.seq DESC LIMIT $${params.length + 1}`, [...params, query.limit]),
      this.db.query(`SELECT count(*) AS n FROM discoveries d WHERE true${filter}`, countParams),
    ]);
    return { items: rows.rows.map((r) => toScored(r as Row)), total: int((count.rows[0] as Row).n) };
  }

  async counts(): Promise<{ discoveries: number; edges: number }> {
    const r = await this.db.query('SELECT (SELECT count(*) FROM discoveries) AS d, (SELECT count(*) FROM discovery_edges) AS e');
    const row = r.rows[0] as Row;
    return { discoveries: int(row.d), edges: int(row.e) };
  }
}

/** Discoveries per statement in bulkInsert (arrays are one parameter each, so no parameter limit applies). */
const BULK_ROWS = 5000;

/** Discovery rows with their tags, as {@link insertRow} does for one, in three statements. */
async function insertRows(c: Queryable, ds: NewDiscovery[]): Promise<void> {
  const col = <T>(f: (d: NewDiscovery) => T) => ds.map(f);
  await c.query(
    `INSERT INTO discoveries (id, agent_id, discovery_type, summary, details, tags, status, severity, created_at, updated_at)
      SELECT id, a, t, s, de, tg, st, sv, c, c
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS u(id, a, t, s, de, tg, st, sv, c, n)
      ORDER BY n`,
    [col((d) => d.id), col((d) => d.agentId), col((d) => d.discoveryType), col((d) => d.summary), col((d) => d.details), col((d) => JSON.stringify(d.tags)), col((d) => d.status), col((d) => d.severity), col((d) => iso(d.createdAtMs))],
  );
  const tagIds = ds.flatMap((d) => d.tags.map(() => d.id));
  const tagAgents = ds.flatMap((d) => d.tags.map(() => d.agentId));
  const tags = ds.flatMap((d) => d.tags);
  if (!tags.length) return;
  await c.query('INSERT INTO discovery_tags (discovery_id, tag) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING', [tagIds, tags]);
  await c.query('INSERT INTO agent_tags (agent_id, tag) SELECT DISTINCT a, lower(t) FROM unnest($1::text[], $2::text[]) AS u(a, t) ON CONFLICT DO NOTHING', [tagAgents, tags]);
}

/** A discovery row with its tags (discovery_tags, and agent_tags lower-cased for reviewer selection). */
async function insertRow(c: Queryable, d: NewDiscovery): Promise<void> {
  await c.query(INSERT_DISCOVERY, [d.id, d.agentId, d.discoveryType, d.summary, d.details, JSON.stringify(d.tags), d.status, d.severity, iso(d.createdAtMs)]);
  if (!d.tags.length) return;
  await c.query('INSERT INTO discovery_tags (discovery_id, tag) SELECT $1, t FROM unnest($2::text[]) t ON CONFLICT DO NOTHING', [d.id, d.tags]);
  await c.query('INSERT INTO agent_tags (agent_id, tag) SELECT DISTINCT $1, lower(t) FROM unnest($2::text[]) t ON CONFLICT DO NOTHING', [d.agentId, d.tags]);
}

/** AND-ed filter clauses over alias `d`, appending their values to `params`. */
function filterSql(filters: DiscoveryFilters, params: unknown[]): string {
  let sql = '';
  if (filters.agentId !== undefined) sql += ` AND d.agent_id = $${params.push(filters.agentId)}`;
  if (filters.discoveryType !== undefined) sql += ` AND d.discovery_type = $${params.push(filters.discoveryType)}`;
  for (const tag of filters.tags ?? []) sql += ` AND d.id IN (SELECT discovery_id FROM discovery_tags WHERE lower(tag) = lower($${params.push(tag)}))`;
  return sql;
}
