/**
 * Where every table header and top-level key/value statement of a TOML text sits (character offsets
 * into the original string), so edits can splice the original text instead of re-serialising it.
 * smol-toml parses values but keeps no ranges; toml-eslint-parser (an AST with ranges) delimits keys
 * and values here, and this module only adds line arithmetic: the whole physical lines a header or
 * statement occupies, comment lines attached to a header, the file's line ending and BOM.
 *
 * It is run only on text that smol-toml has already accepted. Should toml-eslint-parser reject such
 * a text (the two parsers disagreeing), {@link TomlScanError} is raised rather than guessing.
 */
import { parseTOML, type AST } from 'toml-eslint-parser';

/** One simple key of a dotted key or header, as written. Offsets are UTF-16 indexes into the text. */
export interface KeyPart {
  /** The decoded key name. */
  name: string;
  /** The key exactly as written (bare, `"basic"` or `'literal'`). */
  raw: string;
  start: number;
  end: number;
}

export interface TomlHeader {
  /** `table` for `[a.b]`, `array` for `[[a.b]]`. */
  kind: 'table' | 'array';
  parts: KeyPart[];
  /** Decoded path, e.g. `['mcp_servers', 'github', 'env']`. */
  path: string[];
  /** Index into {@link ScannedToml.lines}. */
  line: number;
  /** Offset of the first character of the header's line. */
  start: number;
  /** Offset just past the header line's line break (or the end of the text). */
  end: number;
}

export interface TomlStatement {
  /** The table header this key/value pair sits under, or null for the root table. */
  header: TomlHeader | null;
  /** The key as written (dotted keys give several parts). */
  parts: KeyPart[];
  /** Absolute decoded path: the header's path followed by the key's parts. */
  path: string[];
  /** Index into {@link ScannedToml.lines} of the line the key starts on. */
  line: number;
  /** Offset of the first character of the key's line (indentation included). */
  start: number;
  /** Whitespace before the key on its line. */
  indent: string;
  valueStart: number;
  valueEnd: number;
  /** Offset just past the line break ending the statement (comment included), or the end of the text. */
  end: number;
}

export type LineKind = 'blank' | 'comment' | 'header' | 'statement' | 'continuation';

export interface TomlLine {
  kind: LineKind;
  start: number;
  /** Offset just past the line break, or the end of the text. */
  end: number;
}

export interface ScannedToml {
  text: string;
  /** 1 when the text starts with a UTF-8 byte order mark (U+FEFF), else 0. */
  bomLength: number;
  /** The line ending used by the file (its first line break); `\n` when it has none. */
  eol: '\n' | '\r\n';
  headers: TomlHeader[];
  statements: TomlStatement[];
  lines: TomlLine[];
}

/** The scanner met text it cannot delimit safely. Callers refuse the edit instead of guessing. */
export class TomlScanError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'TomlScanError';
  }
}

/**
 * Scans `text` (which must already parse as TOML) into headers, statements and classified lines.
 * @throws TomlScanError when toml-eslint-parser rejects the text.
 */
export function scanToml(text: string): ScannedToml {
  const bomLength = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let program: AST.TOMLProgram;
  try {
    // toml-eslint-parser rejects a BOM: a space in its place is valid TOML and keeps every offset.
    // The added line break works around its range for an unsigned `0` ending the text (`a = 0`
    // without a final newline): [n, n] instead of [n, n + 1]. Neither changes any offset.
    program = parseTOML(`${bomLength ? ` ${text.slice(1)}` : text}\n`);
  } catch (e) {
    const offset = typeof (e as { index?: unknown }).index === 'number' ? (e as { index: number }).index : 0;
    throw new TomlScanError(`${(e as Error).message} at offset ${offset}`, offset);
  }
  const nl = text.indexOf('\n');
  const eol = nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';

  // Physical lines, each ending just past its line break; the BOM belongs to no line.
  const lines: TomlLine[] = [];
  for (let s = bomLength; s < text.length; ) {
    const n = text.indexOf('\n', s);
    const e = n === -1 ? text.length : n + 1;
    lines.push({ kind: 'blank', start: s, end: e });
    s = e;
  }
  let cursor = 0;
  /** Index of the line holding `offset`; offsets are asked for in increasing order. */
  const lineAt = (offset: number): number => {
    while (cursor < lines.length - 1 && (lines[cursor] as TomlLine).end <= offset) cursor++;
    return cursor;
  };
  /** Offset just past the line break that ends the line holding `offset` (only a comment can follow a value or header). */
  const lineEnd = (offset: number): number => {
    const n = text.indexOf('\n', offset);
    return n === -1 ? text.length : n + 1;
  };
  const parts = (key: AST.TOMLKey): KeyPart[] =>
    key.keys.map((k) => ({ name: k.type === 'TOMLBare' ? k.name : k.value, raw: text.slice(k.range[0], k.range[1]), start: k.range[0], end: k.range[1] }));

  const headers: TomlHeader[] = [];
  const statements: TomlStatement[] = [];
  const statement = (kv: AST.TOMLKeyValue, header: TomlHeader | null): void => {
    const line = lineAt(kv.range[0]);
    const start = (lines[line] as TomlLine).start;
    const keyParts = parts(kv.key);
    const end = lineEnd(kv.value.range[1]);
    lines[line] = { kind: 'statement', start, end: (lines[line] as TomlLine).end };
    for (let i = line + 1; i < lines.length && (lines[i] as TomlLine).start < end; i++) lines[i] = { ...(lines[i] as TomlLine), kind: 'continuation' };
    statements.push({
      header,
      parts: keyParts,
      path: [...(header?.path ?? []), ...keyParts.map((p) => p.name)],
      line,
      start,
      indent: text.slice(start, kv.range[0]),
      valueStart: kv.value.range[0],
      valueEnd: kv.value.range[1],
      end,
    });
  };
  for (const node of program.body[0].body) {
    if (node.type === 'TOMLKeyValue') {
      statement(node, null);
      continue;
    }
    const line = lineAt(node.range[0]);
    const keyParts = parts(node.key);
    const header: TomlHeader = {
      kind: node.kind === 'array' ? 'array' : 'table',
      parts: keyParts,
      path: keyParts.map((p) => p.name),
      line,
      start: (lines[line] as TomlLine).start,
      end: lineEnd(node.key.range[1]),
    };
    lines[line] = { ...(lines[line] as TomlLine), kind: 'header' };
    headers.push(header);
    for (const kv of node.body) statement(kv, header);
  }
  for (const l of lines) if (l.kind === 'blank' && /^[ \t]*#/.test(text.slice(l.start, l.end))) l.kind = 'comment';
  return { text, bomLength, eol, headers, statements, lines };
}

/** Offset where a header's region starts: the comment lines directly above it (no blank line between), else its own line. */
export function attachedStart(doc: ScannedToml, header: TomlHeader): number {
  let i = header.line;
  while (i > 0 && doc.lines[i - 1]?.kind === 'comment') i--;
  return doc.lines[i]?.start ?? header.start;
}

/** Offset where a header's region ends: the start of the next header's region, or the end of the text. */
export function regionEnd(doc: ScannedToml, header: TomlHeader): number {
  const next = doc.headers.find((h) => h.start > header.start);
  return next ? attachedStart(doc, next) : doc.text.length;
}

/** Statements written directly under `header` (null = root), in file order. */
export function statementsUnder(doc: ScannedToml, header: TomlHeader | null): TomlStatement[] {
  return doc.statements.filter((s) => s.header === header);
}
