import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { backoff, retryAfter } from "./transport.ts";
import { FakeBrowser } from "./testing.ts";

Deno.test("retryAfter() reads delta-seconds and HTTP dates", () => {
  const b = new FakeBrowser();
  const w = b.open().win;
  assertEquals(retryAfter(w, "120"), 120_000);
  assertEquals(retryAfter(w, new Date(b.clock.now + 5000).toUTCString()), 5000);
  assertEquals(retryAfter(w, "soon"), 0);
  assertEquals(retryAfter(w, null), 0);
  assertEquals(retryAfter(w, new Date(b.clock.now - 5000).toUTCString()), 0);
});

Deno.test("backoff() stays within [1 s, 60 s] and doubles per try", () => {
  const b = new FakeBrowser();
  const w = b.open().win;
  for (const r of [0, 0.3, 0.999]) {
    b.random = r;
    for (let tries = 1; tries <= 10; tries++) {
      const d = backoff(w, tries, 0);
      const base = Math.min(60_000, 1000 * 2 ** (tries - 1));
      assert(d >= Math.min(base, 60_000) && d <= 60_000 && d < 2 * base + 1, `try ${tries}: ${d}`);
    }
  }
});

Deno.test("backoff() never retries before Retry-After", () => {
  const b = new FakeBrowser();
  assertEquals(backoff(b.open().win, 1, 90_000), 90_000);
});
