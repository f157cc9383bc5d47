/**
 * Token-bucket rate limiting: `ratePerMinute` tokens refill continuously up to `burst`; each
 * request takes one. The server applies two layers ({@link LayeredRateLimiter}): one bucket per
 * agent (default 100 requests/minute) and one per bearer token (default 10x that), so a client
 * that invents a new agent identity (`X-Session-ID`, MCP session) per request still hits the
 * per-token limit.
 */
import { createHash } from 'node:crypto';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until one token is available (0 when allowed), rounded up for `Retry-After`. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Buckets kept before the first sweep of full (= unused) buckets; the threshold then doubles with the live count. */
const PRUNE_AT = 10_000;

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private pruneAt = PRUNE_AT;

  /**
   * @param ratePerMinute refill rate, requests/minute (> 0)
   * @param burst bucket size, requests (>= 1); default `ratePerMinute`
   * @throws RangeError for a rate <= 0 or a burst < 1
   */
  constructor(
    readonly ratePerMinute: number,
    readonly burst: number = ratePerMinute,
    private readonly now: () => number = () => Date.now(),
  ) {
    if (!(ratePerMinute > 0) || !(burst >= 1)) throw new RangeError('rateLimitPerMinute must be > 0 and burst >= 1');
    this.perMs = ratePerMinute / 60_000;
  }

  /** Number of keys with a bucket (buckets that refilled completely are dropped now and then). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from `key`'s bucket if it has one. */
  take(key: string): RateDecision {
    const decision = this.check(key);
    if (decision.allowed) this.buckets.get(key)!.tokens -= 1;
    return decision;
  }

  /** Whether `key` has a token now, without taking it. */
  check(key: string): RateDecision {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.pruneAt) this.prune(now);
      bucket = { tokens: this.burst, updatedMs: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedMs) * this.perMs);
    bucket.updatedMs = now;
    if (bucket.tokens >= 1) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  /**
   * Drops buckets that have refilled completely (they behave exactly like new ones), so a client
   * inventing a new key per request cannot grow the map without bound. Amortised O(1) per new key.
   */
  private prune(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.updatedMs) * this.perMs >= this.burst) this.buckets.delete(key);
    }
    this.pruneAt = Math.max(PRUNE_AT, this.buckets.size * 2);
  }
}

/** Which layer refused a request. */
export type RateLimitScope = 'agent' | 'token';

export interface LayeredRateDecision extends RateDecision {
  /** The refusing layer (the one with the longer wait when both refuse); undefined when allowed. */
  limitedBy?: RateLimitScope;
  /** The refusing layer's rate, requests/minute; undefined when allowed. */
  ratePerMinute?: number;
}

/**
 * A per-agent and a per-token bucket. A request passes only when both have a token, and only then
 * takes one from each, so a refused request costs the caller nothing.
 */
export class LayeredRateLimiter {
  constructor(
    readonly perAgent: TokenBucketLimiter,
    readonly perToken: TokenBucketLimiter,
  ) {}

  /**
   * @param agentKey the caller's agent identity (MCP session, `X-Session-ID`, or address + user agent)
   * @param tokenKey the bearer token's hash from {@link tokenRateKey} (never the raw token)
   */
  take(agentKey: string, tokenKey: string): LayeredRateDecision {
    const byAgent = this.perAgent.check(agentKey);
    const byToken = this.perToken.check(tokenKey);
    if (byAgent.allowed && byToken.allowed) {
      this.perAgent.take(agentKey);
      this.perToken.take(tokenKey);
      return { allowed: true, retryAfterSeconds: 0 };
    }
    const token = !byToken.allowed && byToken.retryAfterSeconds >= byAgent.retryAfterSeconds;
    return token
      ? { allowed: false, retryAfterSeconds: byToken.retryAfterSeconds, limitedBy: 'token', ratePerMinute: this.perToken.ratePerMinute }
      : { allowed: false, retryAfterSeconds: byAgent.retryAfterSeconds, limitedBy: 'agent', ratePerMinute: this.perAgent.ratePerMinute };
  }
}

/** The per-token bucket key: `token:` + the first 16 hex digits of the token's SHA-256, so no raw token sits in memory maps or logs. */
// Every request presents the same few tokens: the last one's key is reused instead of hashed again.
let lastToken: string | undefined;
let lastKey = '';

export function tokenRateKey(token: string): string {
  if (token !== lastToken) {
    lastKey = `token:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
    lastToken = token;
  }
  return lastKey;
}
