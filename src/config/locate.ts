/**
 * Finds every piece of text that defines one MCP server in a scanned document: its table headers
 * (`[mcp_servers.NAME]`, `[mcp_servers.NAME.env]`, ...), and key/value statements whose absolute path
 * starts with `mcp_servers.NAME` (dotted keys at the root or under `[mcp_servers]`, inline tables).
 */
import type { ScannedToml, TomlHeader, TomlStatement } from './toml-scan';

export interface LocatedStatement {
  stmt: TomlStatement;
  /** Path relative to the server table (`[]` when the statement's value is the whole server). */
  rel: string[];
}

export interface LocatedHeader {
  header: TomlHeader;
  /** Path relative to the server table (`[]` for `[mcp_servers.NAME]`). */
  rel: string[];
}

export interface ServerText {
  name: string;
  headers: LocatedHeader[];
  /** `[[mcp_servers.NAME...]]` headers: a form no edit touches. */
  arrayHeaders: TomlHeader[];
  statements: LocatedStatement[];
  /** `mcp_servers = { ... }` at the root (all servers in one inline table), if any. */
  rootInline: TomlStatement | null;
  /** `[[mcp_servers]]` headers (Codex rejects them; no edit is possible). */
  arrayRoot: TomlHeader | null;
}

function startsWith(path: string[], prefix: string[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => path[i] === p);
}

export function locateServer(doc: ScannedToml, name: string): ServerText {
  const prefix = ['mcp_servers', name];
  const headers: LocatedHeader[] = [];
  const arrayHeaders: TomlHeader[] = [];
  for (const h of doc.headers) {
    if (!startsWith(h.path, prefix)) continue;
    if (h.kind === 'array') arrayHeaders.push(h);
    else headers.push({ header: h, rel: h.path.slice(2) });
  }
  const statements: LocatedStatement[] = doc.statements.filter((s) => startsWith(s.path, prefix)).map((s) => ({ stmt: s, rel: s.path.slice(2) }));
  const rootInline = doc.statements.find((s) => s.path.length === 1 && s.path[0] === 'mcp_servers') ?? null;
  const arrayRoot = doc.headers.find((h) => h.kind === 'array' && h.path.length === 1 && h.path[0] === 'mcp_servers') ?? null;
  return { name, headers, arrayHeaders, statements, rootInline, arrayRoot };
}

/** True when any text defines the server (header, statement, or an entry in a root inline table). */
export function serverExists(s: ServerText, parsedServers: Record<string, unknown> | undefined): boolean {
  return s.headers.length > 0 || s.statements.length > 0 || s.arrayHeaders.length > 0 || (parsedServers !== undefined && s.name in parsedServers);
}

/** Index of the server-name part within a statement's written key (root: 1, under `[mcp_servers]`: 0). */
export function namePartIndex(stmt: TomlStatement): number {
  return 1 - (stmt.header?.path.length ?? 0);
}
