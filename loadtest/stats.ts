// Bounded-memory measurements for the progress line: a log-bucketed latency histogram (about 2%
// relative error at any percentile, however long the run) and a sliding-window rate.

export class LatencyHistogram {
  static readonly #ratio = Math.log(1.02);
  #buckets = new Map<number, number>();
  count = 0;

  record(ms: number): void {
    const bucket = ms <= 0.1 ? 0 : Math.ceil(Math.log(ms / 0.1) / LatencyHistogram.#ratio);
    this.#buckets.set(bucket, (this.#buckets.get(bucket) ?? 0) + 1);
    this.count++;
  }

  /** The q-quantile (0..1) in ms, as the upper bound of its bucket; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const bucket of [...this.#buckets.keys()].sort((a, b) => a - b)) {
      seen += this.#buckets.get(bucket)!;
      if (seen >= rank) return 0.1 * Math.exp(bucket * LatencyHistogram.#ratio);
    }
    return 0;
  }
}

/** Counts per second over the last `windowMs`, fed with (time, amount) samples. */
export class RateWindow {
  #samples: [at: number, n: number][] = [];
  #sum = 0;
  constructor(readonly windowMs = 1_000) {}

  record(at: number, n: number): void {
    this.#samples.push([at, n]);
    this.#sum += n;
  }

  perSecond(now: number): number {
    while (this.#samples.length > 0 && this.#samples[0][0] <= now - this.windowMs) {
      this.#sum -= this.#samples.shift()![1];
    }
    return (this.#sum * 1000) / this.windowMs;
  }
}
