/**
 * Builds the in-memory search index (../search-build.ts, every term kept: rare ones in its rare
 * pool) from the PostgreSQL `discoveries` table, on a worker thread with its own connection
 * (../search-worker.ts) or, when no worker can start, on the caller's thread over a pooled one.
 *
 * Both passes read the rows inside one REPEATABLE READ READ ONLY transaction, so they see the same
 * snapshot (no row can change between them) and the build knows exactly which rows it covers:
 * every row committed before the snapshot. The snapshot's xmin (pg_snapshot_xmin, PostgreSQL
 * "Transaction ID and Snapshot Information": every transaction below it had ended) becomes the
 * catch-up watermark, and the rows the snapshot holds at or above it are returned so that the
 * catch-up (search-ranked.ts) skips them.
 */
import pg from 'pg';
import { IndexBuilder, type PackedIndex } from '../search-build';
import type { DocTokenizer } from '../search-tokens';
import type { Queryable } from './pool';

/** A finished build, as the worker posts it (its buffers are transferred). */
export interface PgBuild {
  packed: PackedIndex;
  /** xid8 as decimal text: rows written by transactions below it are all in the build */
  watermark: string;
  /** Rows in the build written at or above the watermark: seq and write_xid (decimal text). */
  recent: Array<[seq: number, xid: string]>;
}

/** Rows read per statement (a range of the primary key). */
const READ_CHUNK = 5000;

/** Both passes over the snapshot's rows on `client` (a connection of its own, no transaction open). */
export async function buildFromPostgres(client: Queryable, tokenizer: DocTokenizer, minDocs: number): Promise<PgBuild | undefined> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const head = (await client.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS watermark, coalesce(max(seq), 0) AS top FROM discoveries')).rows[0]!;
    const watermark = String(head.watermark);
    const recent = (await client.query('SELECT seq, write_xid::text AS xid FROM discoveries WHERE write_xid >= $1::xid8 ORDER BY seq', [watermark])).rows.map(
      (r) => [Number(r.seq), String(r.xid)] as [number, string],
    );
    const builder = new IndexBuilder(minDocs, undefined, Number(head.top));
    for (const filling of [false, true]) {
      if (filling) builder.startFill();
      let after = 0;
      for (;;) {
        const rows = (await client.query('SELECT seq, summary, details, tags FROM discoveries WHERE seq > $1 ORDER BY seq LIMIT $2', [after, READ_CHUNK])).rows;
        for (const r of rows) {
          const seq = Number(r.seq);
          const doc = tokenizer.terms(String(r.summary), String(r.details), String(r.tags));
          if (filling && !builder.fill(seq, doc)) return undefined;
          if (!filling) builder.count(seq, doc);
          after = seq;
        }
        if (rows.length < READ_CHUNK) break;
      }
    }
    const packed = builder.pack();
    return packed && { packed, watermark, recent };
  } finally {
    await client.query('COMMIT');
  }
}

/** The build over a connection of its own to `url` (what the worker thread runs). */
export async function buildInThisThread(url: string, tokenizer: DocTokenizer, minDocs: number): Promise<PgBuild | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await buildFromPostgres(client, tokenizer, minDocs);
  } finally {
    await client.end();
  }
}
