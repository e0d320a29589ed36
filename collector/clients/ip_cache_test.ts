import { deepStrictEqual as assertEquals, strictEqual as assertStrictEquals } from "node:assert/strict";
import { ClientHashCache } from "./ip_cache.ts";
import { IpHasher } from "./ip.ts";

const DAY = Date.UTC(2025, 0, 1, 10);

function countingHasher() {
  const hasher = new IpHasher("secret");
  const calls = { hash: 0, bucketKey: 0 };
  return {
    calls,
    hasher: {
      hash: (ip: string, now: number) => (calls.hash++, hasher.hash(ip, now)),
      bucketKey: (ip: string, now: number) => (calls.bucketKey++, hasher.bucketKey(ip, now)),
    },
    plain: hasher,
  };
}

Deno.test("ClientHashCache.of() gives the hasher's hashes and computes them once per address and day", async () => {
  const { calls, hasher, plain } = countingHasher();
  const cache = new ClientHashCache(hasher);
  const first = await cache.of("203.0.113.77", DAY);
  assertEquals(first, {
    bucketKey: await plain.bucketKey("203.0.113.77", DAY),
    hash: await plain.hash("203.0.113.77", DAY),
  });
  assertStrictEquals(cache.of("203.0.113.77", DAY + 1000), first, "a hit is answered at once");
  assertEquals(calls, { hash: 1, bucketKey: 1 });
});

Deno.test("ClientHashCache.of() forgets every address when the UTC day changes", async () => {
  const { calls, hasher, plain } = countingHasher();
  const cache = new ClientHashCache(hasher);
  await cache.of("203.0.113.77", DAY);
  const next = await cache.of("203.0.113.77", DAY + 86_400_000);
  assertEquals(next.hash, await plain.hash("203.0.113.77", DAY + 86_400_000));
  assertEquals(calls, { hash: 2, bucketKey: 2 });
});

Deno.test("ClientHashCache.of() holds at most `size` addresses, dropping the oldest", async () => {
  const { calls, hasher } = countingHasher();
  const cache = new ClientHashCache(hasher, 2);
  for (const ip of ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) await cache.of(ip, DAY);
  await cache.of("192.0.2.3", DAY);
  await cache.of("192.0.2.1", DAY);
  assertEquals(calls.hash, 4, "the third address pushed out the first");
});
