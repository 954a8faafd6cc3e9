/**
 * A token bucket per caller: `burst` requests at once, refilled at `perMinute`. Kept in memory,
 * so each instance of a service limits on its own (with n instances a caller gets up to n times
 * the rate); idle callers are forgotten so the map stays small.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = 0;

  constructor(
    readonly perMinute: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request from `caller`'s bucket: 0 when allowed, else the seconds until one is. */
  take(caller: string): number {
    const now = this.now();
    this.sweep(now);
    const rate = this.perMinute / 60000;
    const bucket = this.buckets.get(caller) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * rate);
    bucket.at = now;
    this.buckets.set(caller, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / rate / 1000);
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60000) return;
    this.lastSweep = now;
    const full = (this.burst / this.perMinute) * 60000;
    for (const [caller, bucket] of this.buckets) if (now - bucket.at > full) this.buckets.delete(caller);
  }
}
