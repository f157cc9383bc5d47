/**
 * The server's bearer token: 32 random bytes, base64url (43 characters), generated once and kept in
 * VS Code's SecretStorage under {@link TOKEN_SECRET_KEY}. Plain TypeScript over a minimal store
 * interface so it is unit tested without VS Code.
 */
import { randomBytes } from 'node:crypto';

export const TOKEN_SECRET_KEY = 'codexGovernance.serverToken';

/** The part of `vscode.SecretStorage` this module uses. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
}

/** A fresh token: `crypto.randomBytes(32)` as base64url (256 bits). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Returns the stored token, creating and storing one on first use. Concurrent callers share one
 * lookup so two tokens are never generated for the same store.
 */
export class TokenProvider {
  private pending: Promise<string> | undefined;

  constructor(private readonly secrets: SecretStore) {}

  get(): Promise<string> {
    this.pending ??= this.load().catch((err: unknown) => {
      this.pending = undefined;
      throw err;
    });
    return this.pending;
  }

  private async load(): Promise<string> {
    const existing = await this.secrets.get(TOKEN_SECRET_KEY);
    // A token too short for the server (it needs >= 16 characters) is replaced, never used.
    if (existing && existing.length >= 16) return existing;
    const token = generateToken();
    await this.secrets.store(TOKEN_SECRET_KEY, token);
    return token;
  }
}
