/**
 * Token-bucket rate limiting per agent key: `ratePerMinute` tokens refill continuously up to
 * `burst`; each request takes one. The design's default is 100 requests/minute.
 */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until one token is available (0 when allowed), rounded up for `Retry-After`. */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly ratePerMinute: number,
    readonly burst: number = ratePerMinute,
    private readonly now: () => number = () => Date.now(),
  ) {
    if (!(ratePerMinute > 0) || !(burst >= 1)) throw new RangeError('rateLimitPerMinute must be > 0 and burst >= 1');
    this.perMs = ratePerMinute / 60_000;
  }

  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedMs: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedMs) * this.perMs);
    bucket.updatedMs = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    if (this.buckets.size > 10_000) this.prune(now);
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  /** Drops buckets that have refilled completely (they behave exactly like new ones). */
  private prune(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.updatedMs) * this.perMs >= this.burst) this.buckets.delete(key);
    }
  }
}
