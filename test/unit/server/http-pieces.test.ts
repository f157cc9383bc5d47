import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { parseCallBody } from '../../../src/server/http/openai-adapter';
import { TokenBucketLimiter } from '../../../src/server/http/rate-limit';
import { hasValidToken, isAllowedHost, isAllowedOrigin, parseHostHeader } from '../../../src/server/http/security';
import { throttledTouch } from '../../../src/server/tools/types';
import { maskSecrets } from '../../../src/util/log';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('token bucket', () => {
  it('allows the burst, then refills at the configured rate', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(60, 3, () => now); // one token per second
    assert.deepEqual([1, 2, 3, 4].map(() => limiter.take('a').allowed), [true, true, true, false]);
    assert.equal(limiter.take('a').retryAfterSeconds, 1);
    assert.equal(limiter.take('b').allowed, true, 'buckets are per key');
    now = 1000;
    assert.equal(limiter.take('a').allowed, true);
    assert.equal(limiter.take('a').allowed, false);
  });
  it('rejects nonsense settings', () => {
    assert.throws(() => new TokenBucketLimiter(0), /rateLimitPerMinute/);
  });
});

describe('Host, Origin and token checks', () => {
  it('parses Host headers including IPv6', () => {
    assert.deepEqual(parseHostHeader('127.0.0.1:8765'), { name: '127.0.0.1', port: 8765 });
    assert.deepEqual(parseHostHeader('[::1]:80'), { name: '[::1]', port: 80 });
    assert.deepEqual(parseHostHeader('localhost'), { name: 'localhost', port: undefined });
  });
  it('accepts loopback names on our port only', () => {
    assert.ok(isAllowedHost(req({ host: '127.0.0.1:8765' }), '127.0.0.1', 8765));
    assert.ok(isAllowedHost(req({ host: 'localhost:8765' }), '127.0.0.1', 8765));
    assert.ok(isAllowedHost(req({ host: '[::1]:8765' }), '127.0.0.1', 8765));
    assert.ok(!isAllowedHost(req({ host: 'attacker.example:8765' }), '127.0.0.1', 8765));
    assert.ok(!isAllowedHost(req({ host: '127.0.0.1:9999' }), '127.0.0.1', 8765));
    assert.ok(!isAllowedHost(req({}), '127.0.0.1', 8765));
  });
  it('accepts no Origin, loopback origins and VS Code webviews; rejects other sites', () => {
    assert.ok(isAllowedOrigin(req({})));
    assert.ok(isAllowedOrigin(req({ origin: 'http://localhost:5173' })));
    assert.ok(isAllowedOrigin(req({ origin: 'vscode-webview://abc' })));
    assert.ok(!isAllowedOrigin(req({ origin: 'https://evil.example' })));
    assert.ok(!isAllowedOrigin(req({ origin: 'null' })));
  });
  it('compares the bearer token or X-AGENT-TOKEN', () => {
    assert.ok(hasValidToken(req({ authorization: 'Bearer s3cret-token' }), 's3cret-token'));
    assert.ok(hasValidToken(req({ 'x-agent-token': 's3cret-token' }), 's3cret-token'));
    assert.ok(!hasValidToken(req({ authorization: 'Bearer s3cret-tokem' }), 's3cret-token'));
    assert.ok(!hasValidToken(req({ authorization: 'Basic s3cret-token' }), 's3cret-token'));
  });
});

describe('POST /v1/tools/call body', () => {
  it('takes arguments as an object or a JSON string', () => {
    assert.deepEqual(parseCallBody({ name: 't', arguments: { a: 1 } }), { name: 't', args: { a: 1 } });
    assert.deepEqual(parseCallBody({ name: 't', arguments: '{"a":1}' }), { name: 't', args: { a: 1 } });
    assert.deepEqual(parseCallBody({ name: 't' }), { name: 't', args: {} });
  });
  it('names the bad field', () => {
    assert.throws(() => parseCallBody({ arguments: {} }), /"name"/);
    assert.throws(() => parseCallBody({ name: 't', arguments: '[1,' }), /"arguments"/);
    assert.throws(() => parseCallBody({ name: 't', arguments: [1] }), /"arguments"/);
    assert.throws(() => parseCallBody([]), /JSON object/);
  });
});

describe('throttledTouch', () => {
  it('records an agent at most once per interval, again when the client changes', async () => {
    let now = 0;
    const seen: string[] = [];
    const touch = throttledTouch((id, info) => (seen.push(`${id}/${info.clientName}`), Promise.resolve()), 5000, () => now);
    const ctx = (clientName: string) => ({ caller: { agentId: 'x', anonymous: false, transport: 't', clientName }, signal: new AbortController().signal });
    await touch('a', ctx('c1'));
    await touch('a', ctx('c1'));
    await touch('a', ctx('c2'));
    now = 6000;
    await touch('a', ctx('c1'));
    assert.deepEqual(seen, ['a/c1', 'a/c2', 'a/c1']);
  });
});

describe('maskSecrets', () => {
  it('masks bearer tokens, token= values and OpenAI keys', () => {
    const out = maskSecrets('Authorization: Bearer abcdef123456 token=xyz98765 key sk-proj1234567890abcdef');
    assert.doesNotMatch(out, /abcdef123456|xyz98765|1234567890abcdef/);
    assert.match(out, /\*\*\*\*/);
  });
});
