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

/** @throws Error naming the file when it exists but is empty or unreadable. */
export function resolveToken(env: NodeJS.ProcessEnv, dataDir: string): TokenSource {
  for (const name of ['CODEX_GOVERNANCE_TOKEN', 'UNITARES_HTTP_API_TOKEN']) {
    const v = env[name]?.trim();
    if (v) return { token: v, source: `env:${name}`, created: false };
  }
  const file = join(dataDir, 'token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (!token) throw new Error(`Token file ${file} is empty: delete it to generate a new token, or set CODEX_GOVERNANCE_TOKEN.`);
    return { token, source: file, created: false };
  }
  const token = generateToken();
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, token + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { token, source: file, created: true };
}
