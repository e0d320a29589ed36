// Token buckets in memory: each key holds up to `burst` tokens and regains `perSecond` a second.
// Full buckets are forgotten when the map grows, so a flood of distinct keys cannot exhaust memory.
export type Rate = { perSecond: number; burst: number };
export type Take = { ok: true } | { ok: false; retryAfterS: number };

export class TokenBuckets {
  #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(readonly maxKeys = 100_000) {}

  take(key: string, cost: number, rate: Rate, now: number): Take {
    const bucket = this.#buckets.get(key) ?? { tokens: rate.burst, at: now };
    bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * rate.perSecond);
    bucket.at = now;
    if (bucket.tokens < cost) {
      this.#remember(key, bucket, now, rate);
      const wait = (Math.min(cost, rate.burst) - bucket.tokens) / rate.perSecond;
      return { ok: false, retryAfterS: Math.max(1, Math.ceil(wait)) };
    }
    bucket.tokens -= cost;
    this.#remember(key, bucket, now, rate);
    return { ok: true };
  }

  get size(): number {
    return this.#buckets.size;
  }

  #remember(key: string, bucket: { tokens: number; at: number }, now: number, rate: Rate) {
    if (!this.#buckets.has(key) && this.#buckets.size >= this.maxKeys) this.#sweep(now, rate);
    this.#buckets.set(key, bucket);
  }

  /** Drops buckets that have refilled; if none have, the oldest tenth. */
  #sweep(now: number, rate: Rate) {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 1000) * rate.perSecond >= rate.burst) this.#buckets.delete(key);
    }
    if (this.#buckets.size >= this.maxKeys) {
      let n = Math.ceil(this.maxKeys / 10);
      for (const key of this.#buckets.keys()) {
        if (n-- <= 0) break;
        this.#buckets.delete(key);
      }
    }
  }
}
