import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { TokenBuckets } from "./rate_limit.ts";

Deno.test("TokenBuckets.take() allows the burst, then refills at the rate", () => {
  const buckets = new TokenBuckets();
  const rate = { perSecond: 10, burst: 20 };
  assertEquals(buckets.take("k", 20, rate, 0), { ok: true });
  assertEquals(buckets.take("k", 1, rate, 0), { ok: false, retryAfterS: 1 });
  assertEquals(buckets.take("k", 5, rate, 500), { ok: true });
  assertEquals(buckets.take("k", 30, rate, 500), { ok: false, retryAfterS: 2 });
});

Deno.test("TokenBuckets stays bounded under a flood of distinct keys", () => {
  const buckets = new TokenBuckets(1000);
  for (let i = 0; i < 10_000; i++) buckets.take(`k${i}`, 1, { perSecond: 1, burst: 5 }, 0);
  ok(buckets.size <= 1000, String(buckets.size));
});

// A site's budget and its clients' budgets share no rate: the site refills slowly from a large
// burst, a client quickly from a small one. A flood of new client keys fills the map and sweeps it.
const SITE = { perSecond: 10, burst: 1000 };

Deno.test("a flood of new keys refilling faster than a site does not refill the site's exhausted budget", () => {
  const buckets = new TokenBuckets(1000);
  ok(buckets.take("site:shop", 1000, SITE, 0).ok);
  const client = { perSecond: 20, burst: 5 };
  for (let i = 0; i < 10_000; i++) buckets.take(`ip:${i}`, 1, client, i / 10); // 1 s of flood
  assertEquals(buckets.take("site:shop", 1000, SITE, 1000), { ok: false, retryAfterS: 99 });
});

Deno.test("when no bucket has refilled, the sweep drops those closest to full, not the oldest", () => {
  const buckets = new TokenBuckets(1000);
  ok(buckets.take("site:shop", 1000, SITE, 0).ok);
  const client = { perSecond: 1, burst: 5 }; // one request: full again in 1 s; the site needs 100 s
  for (let i = 0; i < 10_000; i++) buckets.take(`ip:${i}`, 1, client, 0);
  ok(buckets.size <= 1000, String(buckets.size));
  assertEquals(buckets.take("site:shop", 1, SITE, 0), { ok: false, retryAfterS: 1 });
});
