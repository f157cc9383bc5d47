/**
 * Emits TOML keys and values for spliced edits. Scalars and arrays of scalars go through smol-toml's
 * `stringify` (so escaping follows the library); tables are written inline (`{ k = v }`), because a
 * spliced value has to fit where the old one was.
 */
import { stringify, TomlDate } from 'smol-toml';

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** A value as smol-toml produces it (integers may be bigint when parsed with `integersAsBigInt`). */
export type TomlValue = string | number | bigint | boolean | TomlDate | TomlValue[] | { [key: string]: TomlValue };

export function isTable(v: unknown): v is Record<string, TomlValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * One key, bare when TOML allows it, else in the quoting style of `like` (the raw key it replaces)
 * when that style can hold it, else as a basic string.
 */
export function emitKey(name: string, like?: string): string {
  if (like?.startsWith("'") && !/['\r\n]/.test(name) && !hasControl(name)) return `'${name}'`;
  if (like?.startsWith('"')) return basicString(name);
  return BARE_KEY.test(name) ? name : basicString(name);
}

/** A dotted key from its parts. */
export function emitDottedKey(parts: string[]): string {
  return parts.map((p) => emitKey(p)).join('.');
}

/**
 * A value. `likeRaw` is the raw text of the value being replaced: a string that replaces a literal
 * string stays literal when it can.
 * @throws TypeError for values TOML cannot hold (null, undefined, functions).
 */
export function emitValue(value: TomlValue, likeRaw?: string): string {
  if (typeof value === 'string') {
    if (likeRaw?.startsWith("'") && !likeRaw.startsWith("'''") && !/['\r\n]/.test(value) && !hasControl(value)) return `'${value}'`;
    return basicString(value);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${value.map((v) => emitValue(v)).join(', ')}]`;
  }
  if (isTable(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, v]) => `${emitKey(k)} = ${emitValue(v)}`).join(', ')} }`;
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value instanceof TomlDate) {
    return scalar(value);
  }
  throw new TypeError(`cannot write ${value === null ? 'null' : typeof value} as a TOML value`);
}

function scalar(value: TomlValue): string {
  const line = stringify({ v: value });
  // stringify gives `v = <value>\n` for scalars.
  return line.slice(4).replace(/\n$/, '');
}

function basicString(s: string): string {
  return scalar(s);
}

function hasControl(s: string): boolean {
  // Literal strings may hold tabs but no other control character.
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(s);
}
