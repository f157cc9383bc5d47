/**
 * A structural scanner for TOML text that records where every table header and top-level key/value
 * statement sits (character offsets into the original string), so edits can splice the original text
 * instead of re-serialising it. smol-toml parses values but keeps no ranges, hence this scanner.
 *
 * It is run only on text that smol-toml has already accepted, so it can rely on the document being
 * valid TOML 1.0/1.1 (https://toml.io/en/v1.1.0) and concentrate on boundaries: basic, literal and
 * multi-line strings (with their 1-2 extra closing quotes), arrays and inline tables spanning lines
 * with comments inside, and the space-separated date-time form. Anything it does not understand
 * raises {@link TomlScanError} rather than guessing.
 */
import { parse } from 'smol-toml';

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

const BARE_KEY = /[A-Za-z0-9_-]/;
const BARE_VALUE = /[A-Za-z0-9_+\-.:]/;

/**
 * Scans `text` (which must already parse as TOML) into headers, statements and classified lines.
 * @throws TomlScanError when a construct cannot be delimited.
 */
export function scanToml(text: string): ScannedToml {
  return new Scanner(text).run();
}

class Scanner {
  private pos = 0;
  private readonly headers: TomlHeader[] = [];
  private readonly statements: TomlStatement[] = [];
  private readonly lines: TomlLine[] = [];
  private current: TomlHeader | null = null;

  constructor(private readonly text: string) {}

  run(): ScannedToml {
    const t = this.text;
    const bomLength = t.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.pos = bomLength;
    while (this.pos < t.length) this.line();
    const nl = t.indexOf('\n');
    const eol = nl > 0 && t[nl - 1] === '\r' ? '\r\n' : '\n';
    return { text: t, bomLength, eol, headers: this.headers, statements: this.statements, lines: this.lines };
  }

  private fail(message: string): never {
    throw new TomlScanError(`${message} at offset ${this.pos}`, this.pos);
  }

  private line(): void {
    // The BOM belongs to no line, so no edit can remove it with the first line.
    const start = this.pos;
    this.skipSpaces();
    const indent = this.text.slice(start, this.pos);
    const c = this.text[this.pos];
    if (c === undefined || this.atEol()) {
      this.endLine();
      this.lines.push({ kind: 'blank', start, end: this.pos });
    } else if (c === '#') {
      this.skipComment();
      this.endLine();
      this.lines.push({ kind: 'comment', start, end: this.pos });
    } else if (c === '[') {
      this.header(start);
    } else {
      this.statement(start, indent);
    }
  }

  private header(start: number): void {
    const array = this.text.startsWith('[[', this.pos);
    this.pos += array ? 2 : 1;
    this.skipSpaces();
    const parts = this.key();
    this.skipSpaces();
    const close = array ? ']]' : ']';
    if (!this.text.startsWith(close, this.pos)) this.fail(`expected "${close}" to close a table header`);
    this.pos += close.length;
    this.skipTrailer();
    const header: TomlHeader = {
      kind: array ? 'array' : 'table',
      parts,
      path: parts.map((p) => p.name),
      line: this.lines.length,
      start,
      end: this.pos,
    };
    this.lines.push({ kind: 'header', start, end: this.pos });
    this.headers.push(header);
    this.current = header;
  }

  private statement(start: number, indent: string): void {
    const line = this.lines.length;
    const parts = this.key();
    this.skipSpaces();
    if (this.text[this.pos] !== '=') this.fail('expected "=" after a key');
    this.pos++;
    this.skipSpaces();
    const valueStart = this.pos;
    this.value();
    const valueEnd = this.pos;
    this.skipTrailer();
    const end = this.pos;
    this.pushLines(start, end, 'statement');
    const headerPath = this.current?.path ?? [];
    this.statements.push({
      header: this.current,
      parts,
      path: [...headerPath, ...parts.map((p) => p.name)],
      line,
      start,
      indent,
      valueStart,
      valueEnd,
      end,
    });
  }

  /** Records the physical lines of a statement: the first as `kind`, the rest as continuations. */
  private pushLines(start: number, end: number, kind: LineKind): void {
    let s = start;
    let first = true;
    while (s < end) {
      const nl = this.text.indexOf('\n', s);
      const e = nl === -1 || nl >= end ? end : nl + 1;
      this.lines.push({ kind: first ? kind : 'continuation', start: s, end: e });
      first = false;
      s = e;
    }
  }

  /** After a header or value: optional spaces and comment, then a line break or the end. */
  private skipTrailer(): void {
    this.skipSpaces();
    if (this.text[this.pos] === '#') this.skipComment();
    if (this.pos < this.text.length && !this.atEol()) this.fail('expected the end of the line');
    this.endLine();
  }

  private endLine(): void {
    if (this.text[this.pos] === '\r' && this.text[this.pos + 1] === '\n') this.pos += 2;
    else if (this.text[this.pos] === '\n') this.pos += 1;
  }

  private atEol(): boolean {
    const c = this.text[this.pos];
    return c === '\n' || (c === '\r' && this.text[this.pos + 1] === '\n');
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  private skipComment(): void {
    while (this.pos < this.text.length && !this.atEol()) this.pos++;
  }

  /** Spaces, line breaks and comments, as allowed inside arrays and (TOML 1.1) inline tables. */
  private skipFiller(): void {
    for (;;) {
      this.skipSpaces();
      if (this.atEol()) this.endLine();
      else if (this.text[this.pos] === '#') this.skipComment();
      else return;
    }
  }

  private key(): KeyPart[] {
    const parts: KeyPart[] = [this.simpleKey()];
    for (;;) {
      const save = this.pos;
      this.skipSpaces();
      if (this.text[this.pos] !== '.') {
        this.pos = save;
        return parts;
      }
      this.pos++;
      this.skipSpaces();
      parts.push(this.simpleKey());
    }
  }

  private simpleKey(): KeyPart {
    const start = this.pos;
    const c = this.text[this.pos];
    if (c === '"' || c === "'") {
      const close = this.text.indexOf(c, this.pos + 1);
      if (c === "'") {
        if (close === -1) this.fail('unterminated literal key');
        this.pos = close + 1;
        const raw = this.text.slice(start, this.pos);
        return { name: raw.slice(1, -1), raw, start, end: this.pos };
      }
      this.basicString();
      const raw = this.text.slice(start, this.pos);
      return { name: decodeBasicKey(raw), raw, start, end: this.pos };
    }
    while (this.pos < this.text.length && BARE_KEY.test(this.text[this.pos] as string)) this.pos++;
    if (this.pos === start) this.fail('expected a key');
    const raw = this.text.slice(start, this.pos);
    return { name: raw, raw, start, end: this.pos };
  }

  private basicString(): void {
    this.pos++;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') this.fail('unterminated basic string');
      if (c === '\\') this.pos += 2;
      else if (c === '"') {
        this.pos++;
        return;
      } else this.pos++;
    }
  }

  /** `"""..."""` or `'''...'''`: the closing run may be 3-5 quotes, the extra ones being content. */
  private multilineString(q: '"' | "'"): void {
    this.pos += 3;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('unterminated multi-line string');
      if (q === '"' && c === '\\') {
        this.pos += 2;
        continue;
      }
      if (c === q && this.text[this.pos + 1] === q && this.text[this.pos + 2] === q) {
        let n = 3;
        while (n < 5 && this.text[this.pos + n] === q) n++;
        this.pos += n;
        return;
      }
      this.pos++;
    }
  }

  private value(): void {
    const t = this.text;
    const c = t[this.pos];
    if (c === '"') {
      if (t.startsWith('"""', this.pos)) this.multilineString('"');
      else this.basicString();
    } else if (c === "'") {
      if (t.startsWith("'''", this.pos)) this.multilineString("'");
      else {
        const close = t.indexOf("'", this.pos + 1);
        const nl = t.indexOf('\n', this.pos + 1);
        if (close === -1 || (nl !== -1 && nl < close)) this.fail('unterminated literal string');
        this.pos = close + 1;
      }
    } else if (c === '[') {
      this.pos++;
      for (;;) {
        this.skipFiller();
        if (t[this.pos] === ']') {
          this.pos++;
          return;
        }
        this.value();
        this.skipFiller();
        if (t[this.pos] === ',') this.pos++;
        else if (t[this.pos] !== ']') this.fail('expected "," or "]" in an array');
      }
    } else if (c === '{') {
      this.pos++;
      for (;;) {
        this.skipFiller();
        if (t[this.pos] === '}') {
          this.pos++;
          return;
        }
        this.key();
        this.skipSpaces();
        if (t[this.pos] !== '=') this.fail('expected "=" in an inline table');
        this.pos++;
        this.skipSpaces();
        this.value();
        this.skipFiller();
        if (t[this.pos] === ',') this.pos++;
        else if (t[this.pos] !== '}') this.fail('expected "," or "}" in an inline table');
      }
    } else {
      const start = this.pos;
      while (this.pos < t.length && BARE_VALUE.test(t[this.pos] as string)) this.pos++;
      if (this.pos === start) this.fail('expected a value');
      // A date-time may separate date and time with one space (RFC 3339 as allowed by TOML).
      if (/^\d{4}-\d{2}-\d{2}$/.test(t.slice(start, this.pos)) && t[this.pos] === ' ' && /^\d{2}:/.test(t.slice(this.pos + 1, this.pos + 4))) {
        this.pos++;
        while (this.pos < t.length && BARE_VALUE.test(t[this.pos] as string)) this.pos++;
      }
    }
  }
}

function decodeBasicKey(raw: string): string {
  // smol-toml already implements every escape of TOML basic strings; reuse it for exactness.
  const parsed = parse(`${raw} = 0`);
  const name = Object.keys(parsed)[0];
  if (name === undefined) throw new TomlScanError(`cannot decode key ${raw}`, 0);
  return name;
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
