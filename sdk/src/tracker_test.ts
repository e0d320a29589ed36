import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { KEY } from "./config.ts";
import { createTracker } from "./tracker.ts";
import { FakeBrowser, type FakeTab } from "./testing.ts";

const config = { site: "demo", endpoint: "https://collect.example/" };

/** A page load as the script tag does it: a tracker, then the first page_view. */
function load(browser: FakeBrowser, url?: string, extra = {}) {
  const tab = browser.open(url);
  const t = createTracker(tab.win, { ...config, ...extra });
  t.pageview();
  return { tab, t };
}
const item = { product_id: "p1", name: "Mug", category: "Kitchen", price: 9.5, quantity: 1, currency: "EUR" };
const stored = (tab: FakeTab) =>
  [...tab.browser.localStorage.map].filter(([k]) => k.startsWith(KEY.outbox))
    .flatMap(([, v]) => JSON.parse(v).e);

Deno.test("a batch is sent 2 s after the first event, not before", async () => {
  const b = new FakeBrowser();
  const { t } = load(b);
  t.addToCart(item);
  await b.clock.tick(1999);
  assertEquals(b.net.sent.length, 0);
  await b.clock.tick(1);
  assertEquals(b.net.sent.length, 1);
  assertEquals(b.net.sent[0].url, "https://collect.example/v1/batch");
  assertEquals(b.net.sent[0].via, "fetch");
  assertEquals(b.net.events.map((e) => e.type), ["page_view", "add_to_cart"]);
  assertEquals(b.net.sent[0].body.site, "demo");
  assertEquals(b.net.sent[0].body.sent_at, b.clock.now);
});

Deno.test("the 20th event sends a batch at once", async () => {
  const b = new FakeBrowser();
  const { t } = load(b);
  for (let i = 0; i < 18; i++) t.addToCart(item);
  await b.clock.tick(0);
  assertEquals(b.net.sent.length, 0);
  t.addToCart(item);
  await b.clock.tick(0);
  assertEquals(b.net.sent.length, 1);
  assertEquals(b.net.sent[0].body.events.length, 20);
});

Deno.test("32 KB of events send a batch at once, and no batch exceeds 32 KB", async () => {
  const b = new FakeBrowser();
  const { t } = load(b);
  const big = { ...item, name: "x".repeat(2000) };
  for (let i = 0; i < 15; i++) t.addToCart(big);
  await b.clock.tick(0);
  assert(b.net.sent.length >= 1, "sent before 2 s");
  for (const s of b.net.sent) assert(s.bytes <= 32 * 1024 + 200, `batch of ${s.bytes} B`);
  await b.clock.tick(2000);
  assertEquals(b.net.events.length, 16);
});

Deno.test("event carries the page context and UTM parameters", async () => {
  const b = new FakeBrowser();
  const { tab, t } = load(b, "https://shop.example/p/1?utm_source=news&utm_campaign=spring");
  tab.document.referrer = "ignored-after-load";
  t.addToCart(item);
  await b.clock.tick(2000);
  const [pv, cart] = b.net.events as Record<string, unknown>[];
  assertEquals(pv.url, "https://shop.example/p/1?utm_source=news&utm_campaign=spring");
  assertEquals([pv.utm_source, pv.utm_campaign, pv.utm_medium], ["news", "spring", undefined]);
  assertEquals([pv.viewport, pv.language, pv.title], ["1280x720", "en-GB", "Shop"]);
  assertEquals(pv.ts, b.clock.now - 2000);
  assert(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(pv.event_id as string));
  assert(pv.anonymous_id && pv.anonymous_id == cart.anonymous_id && pv.session_id == cart.session_id);
  assertEquals(cart.product_name, "Mug");
  assertEquals("name" in cart, false);
});

Deno.test("visibilitychange to hidden beacons what waits", async () => {
  const b = new FakeBrowser();
  const { tab, t } = load(b);
  t.addToCart(item);
  tab.hide();
  assertEquals(b.net.sent.map((s) => s.via), ["beacon"]);
  assertEquals(b.net.events.length, 2);
  assertEquals(stored(tab), []);
  await b.clock.tick(5000);
  assertEquals(b.net.sent.length, 1, "nothing sent twice");
});

Deno.test("pagehide beacons what waits; a request in flight is not stored for the next load", async () => {
  const b = new FakeBrowser();
  let answer: (r: Response) => void = () => {};
  const { tab, t } = load(b);
  b.net.fetch = (url, init) => {
    b.net.record(url, init.body as string, "fetch");
    return new Promise((r) => answer = r);
  };
  await b.clock.tick(2000); // page_view in flight
  t.purchase({
    order_id: "o1",
    revenue: 9.5,
    currency: "EUR",
    items: [{ product_id: "p1", quantity: 1, price: 9.5 }],
  });
  tab.close();
  answer(new Response("{}", { status: 202 }));
  assertEquals(b.net.sent.map((s) => s.via), ["fetch", "beacon"]);
  assertEquals(stored(tab), []);
  load(b);
  await b.clock.tick(3000);
  assertEquals(b.net.events.filter((e) => e.type == "purchase").length, 1);
});

Deno.test("unload splits 30 queued events over 48 KB into several beacons", async () => {
  const b = new FakeBrowser();
  b.net.answer = { status: 503 }; // keep events queued
  const { tab, t } = load(b);
  await b.clock.tick(2000);
  b.net.answer = { status: 202 };
  await b.clock.tick(3000); // recovered: healthy again
  b.net.sent = [];
  const big = { ...item, name: "x".repeat(3000) };
  // Park the tracker in a slow request so events accumulate beyond one batch.
  const fetch = b.net.fetch;
  b.net.fetch = (url, init) => (fetch(url, init), new Promise(() => {}));
  for (let i = 0; i < 30; i++) t.addToCart(big);
  tab.close();
  const beacons = b.net.sent.filter((s) => s.via == "beacon");
  assert(beacons.length >= 2, `${beacons.length} beacons`);
  for (const s of beacons) assert(s.bytes <= 48 * 1024, `beacon of ${s.bytes} B`);
  const ids = b.net.events.map((e) => e.event_id);
  assertEquals(ids.length, 30, "in flight or beaconed, each once");
  assertEquals(new Set(ids).size, 30);
});

Deno.test("a refused beacon falls back to fetch keepalive", () => {
  const b = new FakeBrowser();
  b.net.beaconAccepts = false;
  const { tab } = load(b);
  tab.hide();
  assertEquals(b.net.sent.map((s) => s.via), ["fetch"]);
});

Deno.test("retries back off exponentially with jitter from 1 s to a 60 s cap, 10 tries at most", async () => {
  const b = new FakeBrowser();
  b.random = 0.999; // the top of each jitter range
  b.net.answer = "network-error";
  load(b);
  await b.clock.tick(2000);
  const waits: number[] = [];
  for (let i = 0; i < 12; i++) {
    const next = b.clock.nextIn;
    if (next === undefined) break;
    waits.push(next);
    await b.clock.tick(next);
  }
  assertEquals(b.net.sent.length, 10);
  assertEquals(waits.map((w) => Math.round(w / 1000)), [2, 4, 8, 16, 32, 60, 60, 60, 60]);
  for (const w of waits) assert(w >= 1000 && w <= 60_000);
});

Deno.test("the lowest jitter waits 1 s before the first retry", async () => {
  const b = new FakeBrowser();
  b.random = 0;
  b.net.answer = { status: 500 };
  load(b);
  await b.clock.tick(2000);
  assertEquals(b.clock.nextIn, 1000);
});

Deno.test("429 with Retry-After waits at least that long", async () => {
  const b = new FakeBrowser();
  b.net.answer = { status: 429, headers: { "retry-after": "30" } };
  load(b);
  await b.clock.tick(2000);
  assertEquals(b.clock.nextIn, 30_000);
  b.net.answer = { status: 202 };
  await b.clock.tick(29_999);
  assertEquals(b.net.sent.length, 1);
  await b.clock.tick(1);
  assertEquals(b.net.sent.length, 2);
});

Deno.test("400 is not retried: the batch is dropped", async () => {
  const b = new FakeBrowser();
  b.net.answer = { status: 400 };
  const { tab } = load(b);
  await b.clock.tick(120_000);
  assertEquals(b.net.sent.length, 1);
  assertEquals(stored(tab), []);
});

Deno.test("events kept while the collector fails survive a reload and arrive exactly once", async () => {
  const b = new FakeBrowser();
  b.net.answer = { status: 503 };
  const first = load(b, "https://shop.example/cart");
  first.t.addToCart(item);
  await b.clock.tick(2000);
  first.tab.close(); // failing collector: nothing beaconed, the events stay stored
  assertEquals(b.net.sent.filter((s) => s.via == "beacon").length, 0);
  assertEquals(stored(first.tab).length, 2);
  b.net.answer = { status: 202 };
  load(b, "https://shop.example/checkout");
  await b.clock.tick(2000);
  const types = b.net.sent.filter((s) => s.body.events.length && s.via == "fetch").slice(1)
    .flatMap((s) => s.body.events.map((e) => e.type));
  assertEquals(types.sort(), ["add_to_cart", "page_view", "page_view"]);
  const ids = b.net.events.map((e) => e.event_id);
  assertEquals(new Set(ids).size, 3, "each event delivered once (the 503s carried the first two)");
  assertEquals(b.localStorage.map.size > 0 && stored(first.tab), []);
});

Deno.test("a killed tab's outbox is adopted by the next page load", async () => {
  const b = new FakeBrowser();
  b.net.answer = "network-error";
  const first = load(b);
  await b.clock.tick(2000);
  first.tab.kill();
  b.net.answer = { status: 202 };
  load(b);
  await b.clock.tick(2000);
  assertEquals(b.net.events.filter((e) => e.type == "page_view").length, 1 + 2);
});

Deno.test("cross-tab lock: of two tabs opening at once, one sends a stored outbox", async () => {
  const b = new FakeBrowser();
  b.net.answer = { status: 503 };
  const first = load(b);
  await b.clock.tick(2000);
  first.tab.close();
  const orphan = stored(first.tab)[0].event_id;
  b.net.answer = { status: 202 };
  load(b);
  load(b);
  await b.clock.tick(2000);
  const sentOrphan = b.net.sent.filter((s) => s.body.events.some((e) => e.event_id == orphan));
  assertEquals(sentOrphan.length, 1 + 1, "the failed try, then exactly one delivery");
});

Deno.test("cross-tab lock: a live tab's outbox is never taken by another tab", async () => {
  const b = new FakeBrowser();
  b.net.answer = { status: 503 };
  load(b);
  await b.clock.tick(2000);
  b.net.answer = { status: 202 };
  const id = b.net.events[0].event_id;
  load(b);
  await b.clock.tick(1000);
  assertEquals(b.net.events.filter((e) => e.event_id == id).length, 1, "not taken by the new tab");
  await b.clock.tick(1000); // the first tab's own retry at 1.5 s
  assertEquals(b.net.events.filter((e) => e.event_id == id).length, 2);
});

Deno.test("without Web Locks only outboxes untouched for an hour are adopted", async () => {
  const b = new FakeBrowser();
  b.withLocks = false;
  b.net.answer = { status: 503 };
  const first = load(b);
  await b.clock.tick(2000);
  first.tab.kill();
  b.net.answer = { status: 202 };
  load(b);
  await b.clock.tick(2000);
  assertEquals(b.net.events.filter((e) => e.type == "page_view").length, 1 + 1);
  await b.clock.tick(3600_000);
  load(b);
  await b.clock.tick(2000);
  assertEquals(b.net.events.filter((e) => e.type == "page_view").length, 1 + 1 + 2);
});

Deno.test("storage limits: 500 events kept, the oldest dropped and counted in the next batch", async () => {
  const b = new FakeBrowser();
  b.net.answer = "network-error";
  const { tab, t } = load(b);
  await b.clock.tick(2000);
  for (let i = 0; i < 520; i++) t.addToCart({ ...item, product_id: "p" + i });
  assertEquals(stored(tab).length, 500);
  assertEquals(stored(tab)[0].product_id, "p20");
  b.net.answer = { status: 202 };
  await b.clock.tick(2000);
  const first = b.net.sent.filter((s) => s.body.dropped);
  assertEquals(first.map((s) => s.body.dropped), [21]);
  await b.clock.tick(60_000);
  assertEquals(b.net.sent.slice(-1)[0].body.dropped, undefined, "reported once");
});

Deno.test("storage limits: at most 1 MB is stored", () => {
  const b = new FakeBrowser();
  b.net.answer = "network-error";
  const { tab, t } = load(b);
  const props = { note: "z".repeat(1000) };
  for (let i = 0; i < 400; i++) t.addToCart({ ...item, name: "y".repeat(2040), product_id: "p" + i, props });
  const raw = [...b.localStorage.map].find(([k]) => k.startsWith(KEY.outbox))![1];
  assert(new Blob([raw]).size <= 1024 * 1024);
  assert(stored(tab).length < 400 && JSON.parse(raw).d > 0);
});

Deno.test("a full storage keeps the newest events it can", () => {
  const b = new FakeBrowser();
  b.localStorage.quota = 20_000;
  b.net.answer = "network-error";
  const { tab, t } = load(b);
  for (let i = 0; i < 100; i++) t.addToCart({ ...item, product_id: "p" + i });
  const kept = stored(tab);
  assert(kept.length > 10 && kept.length < 100);
  assertEquals(kept.slice(-1)[0].product_id, "p99");
});

Deno.test("never throws into the page: broken storage, throwing fetch, bad input", async () => {
  const b = new FakeBrowser();
  b.localStorage.broken = true;
  const { tab, t } = load(b);
  tab.win.fetch = () => {
    throw new Error("blocked by an extension");
  };
  t.addToCart(null as never);
  t.purchase(undefined as never);
  t.identify({} as never);
  t.track("page_view", { a: 1 });
  t.addToCart(item);
  await t.flush();
  tab.hide();
  tab.close();
  await b.clock.tick(120_000);
});

Deno.test("an unreadable answer (CORS, offline) counts as a failure to retry", async () => {
  const b = new FakeBrowser();
  b.net.answer = "network-error";
  load(b);
  await b.clock.tick(2000);
  b.net.answer = { status: 202 };
  await b.clock.tick(2000);
  assertEquals(b.net.sent.length, 2);
});

Deno.test("identify adds user_id to later events; identify() forgets it", async () => {
  const b = new FakeBrowser();
  const { t } = load(b);
  t.identify("u-42");
  t.addToCart(item);
  t.identify();
  t.addToCart(item);
  await b.clock.tick(2000);
  assertEquals(b.net.events.map((e) => e.user_id), [undefined, "u-42", undefined]);
});
