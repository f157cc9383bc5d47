import assert from 'node:assert/strict';
import { generateToken, TOKEN_SECRET_KEY, TokenProvider, type SecretStore } from '../../../src/vscode/token';

/** An in-memory SecretStorage with the same get/store contract. */
class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  stores = 0;
  async get(key: string) {
    await new Promise((r) => setTimeout(r, 5));
    return this.values.get(key);
  }
  store(key: string, value: string) {
    this.stores++;
    this.values.set(key, value);
    return Promise.resolve();
  }
}

describe('server token', () => {
  it('is 32 random bytes as base64url (43 URL-safe characters), different every time', () => {
    const a = generateToken();
    const b = generateToken();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a, 'base64url').length, 32);
    assert.notEqual(a, b);
  });

  it('is generated once, stored under its key, and reused by a later provider', async () => {
    const secrets = new MemorySecrets();
    const first = await new TokenProvider(secrets).get();
    assert.equal(secrets.values.get(TOKEN_SECRET_KEY), first);
    assert.equal(await new TokenProvider(secrets).get(), first);
    assert.equal(secrets.stores, 1);
  });

  it('concurrent first uses create a single token', async () => {
    const secrets = new MemorySecrets();
    const provider = new TokenProvider(secrets);
    const tokens = await Promise.all([provider.get(), provider.get(), provider.get()]);
    assert.equal(new Set(tokens).size, 1);
    assert.equal(secrets.stores, 1);
  });

  it('replaces a stored value too short for the server', async () => {
    const secrets = new MemorySecrets();
    secrets.values.set(TOKEN_SECRET_KEY, 'short');
    const token = await new TokenProvider(secrets).get();
    assert.notEqual(token, 'short');
    assert.equal(secrets.values.get(TOKEN_SECRET_KEY), token);
  });
});
