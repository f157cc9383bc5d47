/**
 * Test helpers for byte-exact edit checks: a region language that points at lines of the original
 * text by unique substrings, and an assertion that the edited text differs from the original only
 * inside those regions (compared as raw strings, never by re-parsing).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'config');

/** A fixture's exact text (BOM and CRLF kept). */
export function fixture(rel: string): string {
  return readFileSync(path.join(FIXTURES, rel), 'utf8');
}

/**
 * Where an edit may change text, by unique substrings of the original:
 * - `line`: the whole line containing it (line break included);
 * - `lines`: from the line containing the first to the end of the first line after it containing the second;
 * - `block`: from the line containing the first up to (not including) the line containing the second (null = end of text);
 * - `after` / `before`: an empty range at the end / start of the line containing it (an insertion point);
 * - `eof`: an empty range at the end of the text.
 */
export type Region = { line: string } | { lines: [string, string] } | { block: [string, string | null] } | { after: string } | { before: string } | { eof: true };

function find(text: string, needle: string, from = 0): number {
  const i = text.indexOf(needle, from);
  assert.ok(i >= 0, `fixture text has no ${JSON.stringify(needle)}`);
  if (from === 0) assert.equal(text.indexOf(needle, i + 1), -1, `${JSON.stringify(needle)} is not unique in the fixture`);
  return i;
}

function lineStartOf(text: string, i: number): number {
  return text.lastIndexOf('\n', i - 1) + 1;
}

function lineEndOf(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl === -1 ? text.length : nl + 1;
}

export function resolveRegion(text: string, r: Region): [number, number] {
  if ('eof' in r) return [text.length, text.length];
  if ('line' in r) {
    const i = find(text, r.line);
    return [lineStartOf(text, i), lineEndOf(text, i)];
  }
  if ('lines' in r) {
    const i = find(text, r.lines[0]);
    const j = text.indexOf(r.lines[1], i);
    assert.ok(j >= 0, `no ${JSON.stringify(r.lines[1])} after ${JSON.stringify(r.lines[0])}`);
    return [lineStartOf(text, i), lineEndOf(text, j)];
  }
  if ('block' in r) {
    const i = find(text, r.block[0]);
    const end = r.block[1] === null ? text.length : lineStartOf(text, find(text, r.block[1]));
    return [lineStartOf(text, i), end];
  }
  if ('after' in r) {
    const e = lineEndOf(text, find(text, r.after));
    return [e, e];
  }
  const s = lineStartOf(text, find(text, r.before));
  return [s, s];
}

/**
 * Asserts `after` equals `before` except inside `regions` (of `before`): every byte outside them is
 * present, unchanged and in order.
 */
export function assertOnlyWithin(before: string, after: string, regions: Region[]): void {
  const ranges = regions.map((r) => resolveRegion(before, r)).sort((a, b) => a[0] - b[0]);
  const kept: string[] = [];
  let pos = 0;
  for (const [s, e] of ranges) {
    kept.push(before.slice(pos, Math.max(pos, s)));
    pos = Math.max(pos, e);
  }
  kept.push(before.slice(pos));
  const fail = (what: string) => assert.fail(`${what}\n--- before\n${before}\n--- after\n${after}\n---`);
  const first = kept[0] as string;
  const last = kept[kept.length - 1] as string;
  if (!after.startsWith(first)) fail('text before the first edited region changed');
  let cursor = first.length;
  for (const seg of kept.slice(1, -1)) {
    const i = after.indexOf(seg, cursor);
    if (i < 0) fail(`unchanged text ${JSON.stringify(seg.slice(0, 60))} is missing after the edit`);
    cursor = i + seg.length;
  }
  if (kept.length > 1 && (!after.endsWith(last) || after.length - last.length < cursor)) fail('text after the last edited region changed');
  if (regions.length === 0) assert.equal(after, before);
}
