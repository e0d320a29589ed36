import assert from "node:assert/strict";
import { LatencyHistogram, RateWindow } from "./stats.ts";

Deno.test("LatencyHistogram quantiles are within 2% of the exact ones", () => {
  const h = new LatencyHistogram();
  for (let ms = 1; ms <= 1_000; ms++) h.record(ms);
  for (const [q, exact] of [[0.5, 500], [0.99, 990]]) {
    const got = h.quantile(q);
    assert.ok(Math.abs(got - exact) / exact < 0.02, `q${q}: ${got} vs ${exact}`);
  }
  assert.equal(new LatencyHistogram().quantile(0.5), 0);
});

Deno.test("RateWindow reports events per second over its window only", () => {
  const r = new RateWindow(1_000);
  r.record(0, 100);
  r.record(500, 100);
  assert.equal(r.perSecond(900), 200);
  assert.equal(r.perSecond(1_200), 100);
  assert.equal(r.perSecond(5_000), 0);
});
