// A client's two hashes of the day (ip.ts: the rate-limit key of its network, the stored hash of its
// truncated address), remembered per address until the day ends. Computing them is two HMACs through
// WebCrypto's asynchronous ops: measured under wrk, half of the collector's CPU for 1-event batches
// (DESIGN.md, "Where the time goes"). A client sends many beacons a day, so a hit answers without a
// promise. The addresses are kept only here, in memory, for the day their salt is valid: never
// written, logged or published; the map is bounded and emptied when the UTC day (and so the salt)
// changes.
import type { IpHasher } from "./ip.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export type ClientHashes = {
  /** The per-day key of the client's network, for its rate budgets (IpHasher.bucketKey). */
  bucketKey: string;
  /** The per-day hash of its truncated address, published as ip_hash (IpHasher.hash). */
  hash: string;
};

export class ClientHashCache {
  #day = -1;
  #known = new Map<string, ClientHashes>();

  constructor(
    readonly hasher: Pick<IpHasher, "hash" | "bucketKey">,
    readonly size = 50_000,
  ) {}

  /** The hashes of `ip` on the day of `now`: at once when known, else a promise of them. */
  of(ip: string, now: number): ClientHashes | Promise<ClientHashes> {
    const day = Math.floor(now / DAY_MS);
    if (day !== this.#day) {
      this.#day = day;
      this.#known.clear();
    }
    return this.#known.get(ip) ?? this.#compute(ip, now, day);
  }

  async #compute(ip: string, now: number, day: number): Promise<ClientHashes> {
    const [bucketKey, hash] = await Promise.all([this.hasher.bucketKey(ip, now), this.hasher.hash(ip, now)]);
    const hashes = { bucketKey, hash };
    // A request that started before midnight must not leave yesterday's hashes in today's map.
    if (day !== this.#day) return hashes;
    if (this.#known.size >= this.size) this.#known.delete(this.#known.keys().next().value!);
    this.#known.set(ip, hashes);
    return hashes;
  }
}
