// Token buckets in memory: each key holds up to `burst` tokens and regains `perSecond` a second.
// The map is bounded, so a flood of distinct keys cannot exhaust memory; when it is full, each
// bucket is judged by its own rate (judged by the caller's, a flood of fast-refilling client keys
// counted an exhausted site budget as full and dropped it, which refilled it).
export type Rate = { perSecond: number; burst: number };
export type Take = { ok: true } | { ok: false; retryAfterS: number };

type Bucket = { tokens: number; at: number; rate: Rate };

export class TokenBuckets {
  #buckets = new Map<string, Bucket>();
  constructor(readonly maxKeys = 100_000) {}

  take(key: string, cost: number, rate: Rate, now: number): Take {
    const bucket = this.#buckets.get(key) ?? { tokens: rate.burst, at: now, rate };
    bucket.rate = rate;
    bucket.tokens = tokensAt(bucket, now);
    bucket.at = now;
    if (bucket.tokens < cost) {
      this.#remember(key, bucket, now);
      const wait = (Math.min(cost, rate.burst) - bucket.tokens) / rate.perSecond;
      return { ok: false, retryAfterS: Math.max(1, Math.ceil(wait)) };
    }
    bucket.tokens -= cost;
    this.#remember(key, bucket, now);
    return { ok: true };
  }

  get size(): number {
    return this.#buckets.size;
  }

  #remember(key: string, bucket: Bucket, now: number) {
    if (!this.#buckets.has(key) && this.#buckets.size >= this.maxKeys) this.#sweep(now);
    this.#buckets.set(key, bucket);
  }

  /**
   * Drops the buckets that are full again (forgetting them changes nothing); if that frees too
   * little, at least the tenth closest to full, which lose the least of their limit. Dropping the
   * oldest instead would drop the long-lived buckets, such as a site's, before a flood's.
   */
  #sweep(now: number) {
    const waits = new Float64Array(this.#buckets.size);
    let n = 0;
    for (const [key, bucket] of this.#buckets) {
      const wait = secondsToFull(bucket, now);
      if (wait <= 0) this.#buckets.delete(key);
      else waits[n++] = wait;
    }
    if (this.#buckets.size < this.maxKeys) return;
    const cut = waits.slice(0, n).sort()[Math.ceil(this.maxKeys / 10) - 1];
    let i = 0; // the map iterates the kept buckets in the order their waits were written
    for (const key of this.#buckets.keys()) if (waits[i++] <= cut) this.#buckets.delete(key);
  }
}

function tokensAt({ tokens, at, rate }: Bucket, now: number): number {
  return Math.min(rate.burst, tokens + ((now - at) / 1000) * rate.perSecond);
}

/** How long the bucket takes to be full again at its own rate; 0 when it is. */
function secondsToFull(bucket: Bucket, now: number): number {
  return (bucket.rate.burst - tokensAt(bucket, now)) / bucket.rate.perSecond;
}
