import assert from 'node:assert/strict';
import { LayeredRateLimiter, TokenBucketLimiter, tokenRateKey } from '../../../src/server/http/rate-limit';

describe('per-agent and per-token rate limits', () => {
  const TOKEN = tokenRateKey('the-bearer-token-0123456789');

  it('limits a client that invents a new agent id per request once the per-token budget is spent', () => {
    let now = 0;
    const limits = new LayeredRateLimiter(new TokenBucketLimiter(60, 60, () => now), new TokenBucketLimiter(5, 5, () => now));
    const decisions = Array.from({ length: 7 }, (_, i) => limits.take(`sid:fresh-${i}`, TOKEN));
    assert.deepEqual(decisions.map((d) => d.allowed), [true, true, true, true, true, false, false]);
    assert.equal(decisions[5]!.limitedBy, 'token');
    assert.equal(decisions[5]!.ratePerMinute, 5);
    assert.equal(decisions[5]!.retryAfterSeconds, 12, 'one token per 12 s at 5/minute');
    now = 12_000;
    assert.equal(limits.take('sid:fresh-99', TOKEN).allowed, true, 'the token bucket refills');
    assert.equal(limits.take('sid:fresh-100', tokenRateKey('another-token-0123456789')).allowed, true, 'buckets are per token');
  });

  it('names the per-agent limit when one agent is over it, and charges the token nothing for a refused request', () => {
    const now = 0;
    const limits = new LayeredRateLimiter(new TokenBucketLimiter(60, 2, () => now), new TokenBucketLimiter(4, 4, () => now));
    assert.equal(limits.take('sid:busy', TOKEN).allowed, true);
    assert.equal(limits.take('sid:busy', TOKEN).allowed, true);
    const refused = Array.from({ length: 10 }, () => limits.take('sid:busy', TOKEN));
    assert.ok(refused.every((d) => !d.allowed && d.limitedBy === 'agent' && d.ratePerMinute === 60 && d.retryAfterSeconds === 1));
    // 2 of the token's 4 requests were used; the 10 refused ones cost nothing.
    assert.equal(limits.take('sid:calm-1', TOKEN).allowed, true);
    assert.equal(limits.take('sid:calm-2', TOKEN).allowed, true);
    assert.equal(limits.take('sid:calm-3', TOKEN).limitedBy, 'token');
  });

  it('reports the limit with the longer wait when both refuse', () => {
    const now = 0;
    const limits = new LayeredRateLimiter(new TokenBucketLimiter(60, 1, () => now), new TokenBucketLimiter(1, 1, () => now));
    assert.equal(limits.take('sid:a', TOKEN).allowed, true);
    const both = limits.take('sid:a', TOKEN);
    assert.equal(both.limitedBy, 'token');
    assert.equal(both.retryAfterSeconds, 60);
  });

  it('keys the token bucket by a hash, never by the token itself', () => {
    const token = 'super-secret-bearer-token-value';
    const key = tokenRateKey(token);
    assert.match(key, /^token:[0-9a-f]{16}$/);
    assert.ok(!key.includes(token) && !key.includes(token.slice(0, 8)));
    assert.equal(tokenRateKey(token), key, 'stable');
    assert.notEqual(tokenRateKey(`${token}x`), key);
  });
});

describe('token bucket memory', () => {
  it('does not grow without bound when every request brings a new key, yet keeps buckets still in use', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(60, 2, () => now); // one token per second
    assert.equal(limiter.take('hot').allowed, true);
    assert.equal(limiter.take('hot').allowed, true);
    for (let i = 0; i < 25_000; i++) {
      assert.equal(limiter.take(`sid:${i}`).allowed, true);
      now += 1000;
      if (i % 1000 === 0) {
        limiter.take('hot');
        limiter.take('hot');
        limiter.take('hot');
      }
    }
    assert.ok(limiter.size <= 10_000, `kept ${limiter.size} buckets for 25,000 one-off keys`);
    limiter.take('hot');
    limiter.take('hot');
    assert.equal(limiter.take('hot').allowed, false, 'a bucket in use survives the sweeps');
  });
});
