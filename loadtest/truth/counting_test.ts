import assert from "node:assert/strict";
import type { Event } from "../../contract/mod.ts";
import { countOrders, firstReads, isLate } from "./counting.ts";

const T = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (partition: number, offset: number) => ({ partition, offset });
const buy = (event_id: string, ts: number, order_id = "o1"): Event => ({
  event_id,
  ts,
  session_id: "s1",
  url: "https://demo.shop.example/thanks",
  type: "purchase",
  order_id,
  currency: "EUR",
  items: [{ product_id: "p1", quantity: 1, price: 1 }],
  revenue: 1,
});

Deno.test("firstReads() takes each event's copy first in Kafka order, whatever the rows' order", () => {
  const reads = firstReads([
    { event_id: "a", ...at(0, 9), copy: "late" },
    { event_id: "b", ...at(1, 2), copy: "only" },
    { event_id: "a", ...at(0, 3), copy: "first" },
  ]);
  assert.deepEqual(reads.map((r) => [r.first.event_id, r.first.copy, r.copies]), [
    ["a", "first", 2],
    ["b", "only", 1],
  ]);
});

Deno.test("countOrders() keeps the purchase read first; in one message the earliest ts, then the smallest id", () => {
  const later = { ...buy("e1", T), ...at(0, 7) };
  const first = { ...buy("e2", T + 9_000), ...at(0, 4) };
  assert.deepEqual(countOrders([later, first]).orders, [first]);
  const x = { ...buy("e9", T), ...at(0, 4) }, y = { ...buy("e3", T), ...at(0, 4) };
  const z = { ...buy("e1", T + 1), ...at(0, 4) };
  assert.deepEqual(countOrders([x, y, z]).orders, [y]);
  assert.deepEqual(countOrders([x, y, z]).counted, [y]);
});

Deno.test("isLate() once the event's minute has closed and the watermark has passed", () => {
  assert.equal(isLate(T + 30_000, T + 60_000 + 119_999, 120_000), false);
  assert.equal(isLate(T + 30_000, T + 60_000 + 120_000, 120_000), true);
});
