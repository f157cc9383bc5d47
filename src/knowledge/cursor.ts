/**
 * Opaque page cursors of the knowledge graph: base64url JSON holding where the next page starts
 * and a fingerprint of the query and filters, so a cursor replayed against another query is
 * refused instead of silently skipping or repeating results.
 *
 * - `rank` (ranked search): the offset of the next result. Stable while no discovery is stored in
 *   between; a store in between can shift ranks (bm25 statistics change too).
 * - `recent` (recency lists): the insertion sequence of the last item seen (keyset paging: no
 *   duplicates and no gaps even when discoveries are stored between pages).
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../core/errors';

export type PageCursor = { mode: 'rank'; offset: number } | { mode: 'recent'; beforeSeq: number };

interface Encoded {
  v: 1;
  m: 'rank' | 'recent';
  n: number;
  f: string;
}

const HINT = 'Pass the next_cursor of the previous page unchanged with the same query and filters, or omit cursor to start at the first page.';

/** Short digest of everything that defines the result order. */
export function fingerprint(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 12);
}

export function encodeCursor(cursor: PageCursor, fp: string): string {
  const body: Encoded = { v: 1, m: cursor.mode, n: cursor.mode === 'rank' ? cursor.offset : cursor.beforeSeq, f: fp };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/**
 * @throws ValidationError (field `cursor`) when the text is not a cursor of this kind of query
 */
export function decodeCursor(text: string, mode: PageCursor['mode'], fp: string): PageCursor {
  let body: Partial<Encoded> | undefined;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('not base64url');
    body = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Encoded>;
  } catch {
    body = undefined;
  }
  if (!body || body.v !== 1 || (body.m !== 'rank' && body.m !== 'recent') || !Number.isSafeInteger(body.n) || (body.n ?? -1) < 0) {
    throw new ValidationError('cursor', `Invalid cursor "${text.slice(0, 40)}". ${HINT}`);
  }
  if (body.m !== mode || body.f !== fp) {
    throw new ValidationError('cursor', `This cursor belongs to a different query or different filters. ${HINT}`);
  }
  const n = body.n as number;
  return mode === 'rank' ? { mode, offset: n } : { mode, beforeSeq: n };
}
