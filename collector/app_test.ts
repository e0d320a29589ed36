import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { batch, event, NOW, post, testApp, TOPICS } from "./fixtures.ts";
import { MemorySink } from "./sinks/memory.ts";
import { rowsOf } from "../contract/mod.ts";
import { Sites } from "./clients/sites.ts";

Deno.test("createApp() publishes a valid batch keyed by site and session and answers per event", async () => {
  const { app, sink } = testApp();
  const events = [event("page_view"), event("add_to_cart"), event("purchase")];
  const response = await post(app, batch(events));
  assertEquals(response.status, 202);
  assertEquals(await response.json(), {
    accepted: 3,
    rejected: 0,
    dropped: 0,
    results: events.map((e, index) => ({ index, event_id: e.event_id, status: "accepted" })),
  });
  // One session: one message holding its three rows, in order.
  assertEquals(sink.messages.map((m) => [m.topic, m.key]), [[TOPICS.events, "shop:s1"]]);
  const rows = rowsOf(sink.messages[0].value);
  assertEquals(rows.map((r) => r.event_id), events.map((e) => e.event_id));
  const row = rows[2];
  assertEquals([row.type, row.revenue, row.received_at, row.browser, row.os, row.device_type, row.is_bot], [
    "purchase",
    39.98,
    NOW,
    "Firefox",
    "Linux",
    "desktop",
    undefined, // 0 is left out of the line (kafkaLine)
  ]);
});

Deno.test("createApp() publishes the valid events of a mixed batch and sends the invalid ones to the DLQ", async () => {
  const { app, sink } = testApp();
  const good = event("page_view");
  const bad = event("add_to_cart", { price: -1 });
  const response = await post(app, batch([good, bad]));
  assertEquals(response.status, 202);
  const body = await response.json();
  assertEquals([body.accepted, body.rejected], [1, 1]);
  assertEquals(body.results[1], {
    index: 1,
    event_id: bad.event_id,
    status: "rejected",
    code: "invalid_event",
  });
  assertEquals(sink.messages.map((m) => m.topic), [TOPICS.events, TOPICS.dlq]);
  const dlq = JSON.parse(sink.messages[1].value);
  assertEquals([dlq.code, dlq.index, dlq.event.event_id, dlq.problems[0].path], [
    "invalid_event",
    1,
    bad.event_id,
    "events.1.price",
  ]);
});

Deno.test("createApp() never publishes the client IP, only a truncated daily hash", async () => {
  const { app, sink } = testApp();
  await post(app, batch([event()]), { headers: { "x-forwarded-for": "203.0.113.77" } });
  await post(app, batch([event()]), { headers: { "x-forwarded-for": "203.0.113.9" } });
  const [a, b] = sink.messages.flatMap((m) => rowsOf(m.value)).map((r) => r.ip_hash);
  ok(/^[0-9a-f]{32}$/.test(a ?? ""), a);
  assertEquals(a, b, "same /24 network, same day: same hash");
  ok(!sink.messages.some((m) => m.value.includes("203.0.113")));
});

Deno.test("createApp() answers 503 with Retry-After when the sink cannot store the batch", async () => {
  const sink = new MemorySink();
  sink.outcome = "retriable";
  const { app } = testApp({ sink });
  const response = await post(app, batch([event()]));
  assertEquals(response.status, 503);
  assertEquals(response.headers.get("Retry-After"), "5");
  assertEquals((await response.json()).error.code, "kafka_unavailable");
});

Deno.test("createApp() drops bot traffic for a site that asks for it and flags it otherwise", async () => {
  const sites = Sites.parse({ sites: [{ id: "shop", bots: "drop" }, { id: "flags" }] });
  const { app, sink } = testApp({ sites });
  const bot = { "User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)" };
  const dropped = await (await post(app, batch([event()]), { headers: bot })).json();
  assertEquals([dropped.accepted, dropped.dropped, dropped.results[0].status], [0, 1, "dropped"]);
  await post(app, batch([event()], { site: "flags" }), { headers: bot });
  assertEquals(sink.messages.flatMap((m) => rowsOf(m.value)).map((r) => r.is_bot), [1]);
});

Deno.test("createApp() takes the country from the configured edge header", async () => {
  const { app, sink } = testApp({ client: { countryHeader: "cf-ipcountry" } });
  await post(app, batch([event()]), { headers: { "cf-ipcountry": "de" } });
  await post(app, batch([event()]), { headers: { "cf-ipcountry": "<script>" } });
  assertEquals(sink.messages.flatMap((m) => rowsOf(m.value)).map((r) => r.country), ["DE", undefined]);
});

Deno.test("the parse-only route runs every stage but the publish, and is off unless enabled", async () => {
  const off = testApp();
  assertEquals((await post(off.app, batch([event()]), { path: "/v1/batch/parse-only" })).status, 404);
  const on = testApp({ parseOnly: true });
  const response = await post(on.app, batch([event(), event("page_view", { ts: -1 })]), {
    path: "/v1/batch/parse-only",
  });
  assertEquals(response.status, 202);
  assertEquals((await response.json()).rejected, 1);
  assertEquals(on.sink.messages.length, 0);
});

Deno.test("/health, /ready and /metrics answer; /metrics counts requests and events by reason", async () => {
  const { app } = testApp();
  await post(app, batch([event(), event("page_view", { url: "" })]));
  assertEquals((await app.request("/health")).status, 200);
  assertEquals((await app.request("/ready")).status, 200);
  const text = await (await app.request("/metrics")).text();
  ok(text.includes('collector_requests_total{route="/v1/batch",method="POST",status="202"} 1'), text);
  ok(text.includes('collector_events_total{outcome="rejected",reason="invalid_event"} 1'), text);
  ok(text.includes('collector_events_total{outcome="accepted",reason=""} 1'), text);
  ok(text.includes("# TYPE collector_kafka_produce_seconds histogram"), text);
});

Deno.test("/ready answers 503 when the sink says it cannot take events", async () => {
  const sink = new MemorySink();
  const { app } = testApp({ sink: Object.assign(sink, { ready: () => Promise.resolve(false) }) });
  assertEquals((await app.request("/ready")).status, 503);
});

Deno.test("createApp() mounts the SDK routes it is given", async () => {
  const { Hono } = await import("hono");
  const sdk = new Hono().get("/sdk.js", (c) => c.text("sdk"));
  const { app } = testApp({ sdkRoutes: sdk });
  assertEquals(await (await app.request("/sdk.js")).text(), "sdk");
});

Deno.test("the batch route answers an allowed page's POST with CORS headers, refusals too", async () => {
  const sites = Sites.parse({ sites: [{ id: "shop", origins: ["https://shop.test"] }] });
  const { app } = testApp({ sites });
  const page = { Origin: "https://shop.test" };
  const accepted = await post(app, batch([event()]), { headers: page });
  const refused = await post(app, "{", { headers: page });
  const other = await post(app, batch([event()]), { headers: { Origin: "https://evil.test" } });
  assertEquals([accepted.status, refused.status, other.status], [202, 400, 403]);
  for (const response of [accepted, refused]) {
    assertEquals(response.headers.get("Access-Control-Allow-Origin"), "https://shop.test");
    assertEquals(response.headers.get("Access-Control-Expose-Headers"), "Retry-After");
    assertEquals(response.headers.get("Content-Type"), "application/json");
  }
  assertEquals(other.headers.get("Access-Control-Allow-Origin"), null);
});

Deno.test("an accepted event's unknown keys, its items' too, never reach the events topic", async () => {
  const { app, sink } = testApp();
  const sent = event("purchase", {
    coupon: "X",
    items: [{ product_id: "p1", quantity: 2, price: 19.99, sku: "S" }],
  });
  const body = await (await post(app, batch([sent]))).json();
  assertEquals([body.accepted, body.warnings.map((w: { field: string }) => w.field)], [1, [
    "coupon",
    "items.0.sku",
  ]]);
  const value = sink.messages[0].value;
  ok(!value.includes("coupon") && !value.includes("sku"), value);
  assertEquals(rowsOf(value)[0].items, [{ product_id: "p1", quantity: 2, price: 19.99 }]);
});
