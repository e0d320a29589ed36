// End to end on the real parts: HTTP beacon -> collector -> Kafka broker -> ClickHouse Kafka
// engine -> materialized views -> SQL over HTTP.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { pollUntil, startTestPipeline } from "../stack/testing.ts";
import type { Event } from "../contract/mod.ts";

const MINUTE = 60_000;

function event(type: Event["type"], user: string, ts: number, extra: Record<string, unknown> = {}) {
  const base = {
    event_id: crypto.randomUUID(),
    type,
    ts,
    session_id: `s-${user}`,
    anonymous_id: user,
    url: "https://shop.test/p/1",
  };
  if (type === "add_to_cart" || type === "remove_from_cart") {
    return { ...base, product_id: "p1", price: 19.99, quantity: 1, currency: "EUR", ...extra };
  }
  if (type === "purchase") {
    return {
      ...base,
      order_id: `o-${user}-${ts}`,
      revenue: 19.99,
      currency: "EUR",
      items: [{ product_id: "p1", quantity: 1, price: 19.99 }],
      ...extra,
    };
  }
  return { ...base, ...extra };
}

Deno.test("a posted batch shows up in funnel_1m with exact distinct-user counts", async (t) => {
  const pipeline = await startTestPipeline();
  const post = (site: string, events: unknown[]) =>
    fetch(`${pipeline.collectorUrl}/v1/batch`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ site, sent_at: Date.now(), events }),
    });
  try {
    // Two whole minutes in the past, so the windows are fixed while we assert.
    const minuteA = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE;
    const minuteB = minuteA + MINUTE;
    const events = [
      // Minute A: 4 viewers (u1 views twice), 2 carters, 1 purchaser.
      event("page_view", "u1", minuteA + 1_000),
      event("page_view", "u1", minuteA + 2_000),
      event("page_view", "u2", minuteA + 3_000),
      event("page_view", "u3", minuteA + 4_000),
      event("page_view", "u4", minuteA + 5_000),
      event("add_to_cart", "u1", minuteA + 6_000),
      event("add_to_cart", "u2", minuteA + 7_000),
      event("purchase", "u1", minuteA + 8_000),
      // Minute B: 1 viewer who carts, nobody buys.
      event("page_view", "u5", minuteB + 1_000),
      event("add_to_cart", "u5", minuteB + 2_000),
    ];
    const duplicate = events[5]; // an SDK retry of u1's add_to_cart

    await t.step("the collector acknowledges after Kafka did", async () => {
      for (const batch of [events, [duplicate]]) {
        const response = await post("e2e", batch);
        assertEquals(response.status, 202);
        const body = await response.json();
        assertEquals([body.accepted, body.rejected], [batch.length, 0]);
      }
    });

    await t.step("funnel_1m equals the expected numbers exactly", async () => {
      const expected = [
        {
          window_start: iso(minuteA),
          viewers: "4",
          carters: "2",
          purchasers: "1",
          view_to_cart_rate: 0.5,
          cart_to_buy_rate: 0.5,
        },
        {
          window_start: iso(minuteB),
          viewers: "1",
          carters: "1",
          purchasers: "0",
          view_to_cart_rate: 1,
          cart_to_buy_rate: 0,
        },
      ];
      const rows = await pollUntil(
        () =>
          pipeline.rows(
            "SELECT toString(window_start) AS window_start, viewers, carters, purchasers, view_to_cart_rate, " +
              "cart_to_buy_rate FROM funnel_1m WHERE site = 'e2e' ORDER BY window_start",
          ),
        (rows) => JSON.stringify(rows) === JSON.stringify(expected),
        { what: "funnel_1m to match", deadlineMs: 60_000 },
      );
      assertEquals(rows, expected);
    });

    await t.step(
      "raw events keep their Kafka partition and offset, one message per partition and request",
      async () => {
        // UInt64 comes back as a JSON string, as from a ClickHouse server.
        const rows = await pipeline.rows<
          { n: string; deliveries: string; messages: string; partitions: string }
        >(
          `SELECT count() AS n, uniqExact(_partition, _offset, event_id) AS deliveries,
          uniqExact(_partition, _offset) AS messages, uniqExact(_partition) AS partitions
          FROM events WHERE site = 'e2e'`,
        );
        // The first request's sessions are joined per partition; the retry is a message of its own,
        // on u1's partition.
        assertEquals(rows, [{
          n: String(events.length + 1),
          deliveries: String(events.length + 1),
          messages: String(Number(rows[0].partitions) + 1),
          partitions: rows[0].partitions,
        }]);
        const sessionPartitions = await pipeline.rows<{ session_id: string; partitions: string }>(
          "SELECT session_id, uniqExact(_partition) AS partitions FROM events WHERE site = 'e2e' " +
            "GROUP BY session_id ORDER BY session_id",
        );
        const sessions = [...new Set(events.map((e) => e.session_id))].sort();
        assertEquals(sessionPartitions, sessions.map((session_id) => ({ session_id, partitions: "1" })));
      },
    );

    await t.step("a page's token, e-mail and fragment never reach ClickHouse; utm_source does", async () => {
      const hostile = event("page_view", "u6", Date.now(), {
        url: "https://shop.test/reset?token=secret&email=a@b.c&utm_source=x#access_token=y",
        referrer: "https://mail.test/read?to=a@b.c#inbox",
        utm_source: "x",
      });
      assertEquals((await post("e2e-privacy", [hostile])).status, 202);
      const rows = await pollUntil(
        () =>
          pipeline.rows<{ url: string; referrer: string; utm_source: string; hashed: number }>(
            "SELECT url, referrer, toString(utm_source) AS utm_source, match(ip_hash, '^[0-9a-f]{32}$') AS hashed " +
              "FROM events WHERE site = 'e2e-privacy'",
          ),
        (rows) => rows.length > 0,
        { what: "the privacy probe's row", deadlineMs: 60_000 },
      );
      assertEquals(rows, [{
        url: "https://shop.test/reset?utm_source=x",
        referrer: "https://mail.test/read",
        utm_source: "x",
        hashed: 1,
      }]);
    });
  } finally {
    await pipeline.stop();
  }
});

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}
