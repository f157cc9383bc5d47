/**
 * Where the headless server's bearer token comes from: `CODEX_GOVERNANCE_TOKEN`, its alias
 * `UNITARES_HTTP_API_TOKEN` (seed 000), else `<data dir>/token` (created 0600 on first run).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TokenSource {
  token: string;
  /** `env:NAME` or the file path. */
  source: string;
  /** True when the file was created by this call. */
  created: boolean;
}

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Environment variables that carry the token, in precedence order. */
export const TOKEN_ENV_VARS = ['CODEX_GOVERNANCE_TOKEN', 'UNITARES_HTTP_API_TOKEN'] as const;
/** Name of the token file inside a data directory. */
export const TOKEN_FILE = 'token';

/** The token from the environment, if one of {@link TOKEN_ENV_VARS} is set. */
export function tokenFromEnv(env: NodeJS.ProcessEnv): TokenSource | undefined {
  for (const name of TOKEN_ENV_VARS) {
    const v = env[name]?.trim();
    if (v) return { token: v, source: `env:${name}`, created: false };
  }
  return undefined;
}

/**
 * The token kept in `<dataDir>/token`, or undefined when there is no such file. Never creates one.
 * @throws Error naming the file when it exists but is empty or unreadable.
 */
export function tokenFromDataDir(dataDir: string): TokenSource | undefined {
  const file = join(dataDir, TOKEN_FILE);
  if (!existsSync(file)) return undefined;
  const token = readFileSync(file, 'utf8').trim();
  if (!token) throw new Error(`Token file ${file} is empty: delete it to generate a new token, or set CODEX_GOVERNANCE_TOKEN.`);
  return { token, source: file, created: false };
}

/** @throws Error naming the file when it exists but is empty or unreadable. */
export function resolveToken(env: NodeJS.ProcessEnv, dataDir: string): TokenSource {
  const found = tokenFromEnv(env) ?? tokenFromDataDir(dataDir);
  if (found) return found;
  const file = join(dataDir, TOKEN_FILE);
  const token = generateToken();
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, token + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { token, source: file, created: true };
}
