/**
 * `codex-governance tokens create|list|revoke`: the bearer tokens of a team's servers, kept in the
 * store (the data directory's SQLite file, or the team's PostgreSQL database). Works while servers
 * run: they read a token's row again at most every 2 s, so a revocation takes effect within that.
 *
 * Exit codes: 0 done; 1 the store failed (unreachable database, schema too new) or `revoke` named
 * no token; 2 bad usage.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ApiTokenRecord } from '../auth/repository';
import { isTokenId, issueToken, parseExpiry } from '../auth/token-format';
import { GOVERNANCE_LIMITS } from '../core/governance';
import { checkDatabaseUrl, DATABASE_URL_ENV, openConfiguredStore } from '../store/open';
import type { Store } from '../store/types';

export interface TokensCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** The data directory `serve` uses by default. */
  defaultDataDir: string;
  /** ms since the epoch (tests) */
  now?: () => number;
}

export const TOKENS_USAGE = `Usage:
  codex-governance tokens create --agent NAME [--expires 30d|2027-01-31] [--admin] [store]
  codex-governance tokens create --admin [--expires ...] [store]
  codex-governance tokens list [--json] [store]
  codex-governance tokens revoke ID [store]

create: prints the new token (cgt_<id>_<secret>) once on stdout; only its SHA-256 is kept.
  --agent NAME     the agent the token acts as: its requests report, store and claim as NAME only
  --admin          a token that may act for any agent (as the server's own token does)
  --expires WHEN   a duration (90m, 12h, 30d, 2w) or an ISO-8601 date; default never
list: id, agent, created, expires, revoked, last used (never the secret or its hash).
revoke: refused by every server sharing the store within 2 s.

Store (the one the servers use):
  --data-dir DIR          the SQLite file DIR/governance.db (default CODEX_GOVERNANCE_DATA_DIR, else ~/.codex-governance)
  --database URL          a team's PostgreSQL database instead (default ${DATABASE_URL_ENV})
`;

class UsageError extends Error {}

/** @returns the exit code */
export async function runTokensCommand(args: string[], io: TokensCommandIo): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(TOKENS_USAGE);
    return sub ? 0 : 2;
  }
  if (sub !== 'create' && sub !== 'list' && sub !== 'revoke') {
    io.stderr.write(`Unknown tokens command "${sub}".\n\n${TOKENS_USAGE}`);
    return 2;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(sub, rest, io);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  let store: Store;
  try {
    if (!parsed.database) mkdirSync(parsed.dataDir, { recursive: true, mode: 0o700 });
    store = await openConfiguredStore({ dataDir: parsed.dataDir, database: parsed.database });
  } catch (err) {
    io.stderr.write(`Cannot open the store: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    return await parsed.run(store);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.close().catch(() => undefined);
  }
}

function parse(sub: 'create' | 'list' | 'revoke', args: string[], io: TokensCommandIo): { dataDir: string; database?: string; run: (store: Store) => Promise<number> } {
  const now = io.now ?? Date.now;
  let values: { agent?: string; admin?: boolean; expires?: string; json?: boolean; 'data-dir'?: string; database?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { agent: { type: 'string' }, admin: { type: 'boolean' }, expires: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' }, database: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    }));
    const database = values.database !== undefined ? checkDatabaseUrl(values.database) : checkDatabaseUrl(io.env[DATABASE_URL_ENV], DATABASE_URL_ENV);
    const dataDir = resolve(values['data-dir'] ?? io.defaultDataDir);
    const allowed: Record<typeof sub, string[]> = { create: ['agent', 'admin', 'expires'], list: ['json'], revoke: [] };
    const extra = (['agent', 'admin', 'expires', 'json'] as const).find((k) => values[k] !== undefined && !allowed[sub].includes(k));
    if (extra) throw new UsageError(`tokens ${sub} takes no --${extra}.\n\n${TOKENS_USAGE}`);
    if (sub === 'create') return { dataDir, database, run: createRun(values, positionals, now, io) };
    if (positionals.length !== (sub === 'revoke' ? 1 : 0)) throw new UsageError(sub === 'revoke' ? `tokens revoke takes one token id (see codex-governance tokens list).` : `tokens list takes no arguments.`);
    if (sub === 'list') return { dataDir, database, run: (store) => list(store, values.json === true, io) };
    const id = positionals[0]!.trim();
    if (!isTokenId(id)) throw new UsageError(`"${id}" is not a token id (12 lower-case hex characters, the <id> in cgt_<id>_<secret>; codex-governance tokens list shows them).`);
    return { dataDir, database, run: (store) => revoke(store, id, now(), io) };
  } catch (err) {
    throw err instanceof UsageError ? err : new UsageError((err as Error).message);
  }
}

function createRun(values: { agent?: string; admin?: boolean; expires?: string }, positionals: string[], now: () => number, io: TokensCommandIo): (store: Store) => Promise<number> {
  if (positionals.length) throw new UsageError(`tokens create takes no arguments (got "${positionals.join(' ')}"); name the agent with --agent NAME.`);
  const agent = values.agent?.trim();
  const admin = values.admin === true;
  if (!admin && !agent) throw new UsageError('tokens create needs --agent NAME (the agent the token acts as), or --admin for a token that acts for any agent.');
  if (agent !== undefined && (!agent || agent.length > GOVERNANCE_LIMITS.agentId || [...agent].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127))) {
    throw new UsageError(`--agent must be 1..${GOVERNANCE_LIMITS.agentId} characters without control characters.`);
  }
  const createdAtMs = now();
  const expiresAtMs = values.expires === undefined ? null : parseExpiry(values.expires, createdAtMs);
  return async (store) => {
    const issued = issueToken();
    const record = await store.tokens.create({ id: issued.id, agentId: agent ?? null, admin, secretSha256: issued.secretSha256, createdAtMs, expiresAtMs });
    io.stdout.write(`${issued.token}\n`);
    io.stderr.write(
      `Created ${admin ? 'admin token' : 'token'} ${record.id}${agent ? ` for agent "${agent}"` : ''}${record.expiresAt ? `, expires ${record.expiresAt}` : ', never expires'}. ` +
        `The token above is shown this once (only its SHA-256 is stored): give it to the agent as its bearer token.\n`,
    );
    return 0;
  };
}

async function list(store: Store, json: boolean, io: TokensCommandIo): Promise<number> {
  const tokens = await store.tokens.list();
  const shown = tokens.map(({ secretSha256: _hidden, ...rest }: ApiTokenRecord) => rest);
  if (json) {
    io.stdout.write(`${JSON.stringify({ tokens: shown }, null, 2)}\n`);
    return 0;
  }
  if (!shown.length) {
    io.stdout.write('No tokens. Create one with: codex-governance tokens create --agent NAME\n');
    return 0;
  }
  const rows = [['ID', 'AGENT', 'CREATED', 'EXPIRES', 'REVOKED', 'LAST USED'], ...shown.map((t) => [t.id, t.admin ? `${t.agentId ?? '*'} (admin)` : t.agentId ?? '', t.createdAt, t.expiresAt ?? 'never', t.revokedAt ?? '-', t.lastUsedAt ?? '-'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) io.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
  return 0;
}

async function revoke(store: Store, id: string, atMs: number, io: TokensCommandIo): Promise<number> {
  const before = await store.tokens.get(id);
  if (!before) {
    io.stderr.write(`No token ${id} in this store; codex-governance tokens list shows the ids (same --data-dir or --database as the servers).\n`);
    return 1;
  }
  const after = await store.tokens.revoke(id, atMs);
  const who = before.agentId ? ` (agent "${before.agentId}")` : before.admin ? ' (admin)' : '';
  io.stdout.write(before.revokedAt ? `Token ${id}${who} was already revoked at ${before.revokedAt}.\n` : `Revoked token ${id}${who} at ${after?.revokedAt}; servers refuse it within 2 s.\n`);
  return 0;
}
