/** Conversions between SQLite row values and the store's record types. */
import type { SQLOutputValue } from 'node:sqlite';

/** ms since epoch -> ISO-8601 UTC with milliseconds (sorts lexicographically in time order). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Parses a JSON column; a corrupt value reads as `fallback` rather than failing the whole query. */
export function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function str(value: SQLOutputValue | undefined): string {
  return value == null ? '' : String(value);
}

export function strOrNull(value: SQLOutputValue | undefined): string | null {
  return value == null ? null : String(value);
}

export function num(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : Number(value ?? 0);
}

export function numOrNull(value: unknown): number | null {
  return value == null ? null : num(value);
}

/** A result row as node:sqlite returns it. */
export type Row = Record<string, SQLOutputValue>;
