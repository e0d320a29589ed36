import assert from "node:assert/strict";
import type { Event } from "../../contract/mod.ts";
import { dedupEvents, dedupOrders, userOf } from "./counting.ts";
import { minuteWindows, productTotals, summaryTruth, viewedProduct } from "./summary.ts";

const T = Date.UTC(2025, 0, 1, 12, 0, 0);
let n = 0;
const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`;
const base = (ts: number, who: { user_id?: string; anonymous_id?: string; session_id?: string }) => ({
  event_id: id(),
  ts,
  session_id: who.session_id ?? "s1",
  ...(who.anonymous_id ? { anonymous_id: who.anonymous_id } : {}),
  ...(who.user_id ? { user_id: who.user_id } : {}),
  url: "https://demo.shop.example/",
});
const view = (ts: number, who = { anonymous_id: "a1" }, path = "/"): Event => ({
  ...base(ts, who),
  type: "page_view",
  url: `https://demo.shop.example${path}`,
});
const add = (ts: number, who = { anonymous_id: "a1" }, product_id = "p1"): Event => ({
  ...base(ts, who),
  type: "add_to_cart",
  product_id,
  price: 10,
  quantity: 1,
  currency: "EUR",
});
const buy = (ts: number, order_id: string, who = { anonymous_id: "a1" }, currency = "EUR"): Event => ({
  ...base(ts, who),
  type: "purchase",
  order_id,
  currency,
  items: [{ product_id: "p1", quantity: 2, price: 0.1 }, { product_id: "p2", quantity: 1, price: 19.99 }],
  revenue: 20.19,
});

Deno.test("userOf() prefers user_id, then anonymous_id, then session_id", () => {
  assert.equal(userOf(view(T, { user_id: "u", anonymous_id: "a", session_id: "s" } as never)), "u");
  assert.equal(userOf(view(T, { anonymous_id: "a" })), "a");
  assert.equal(userOf(view(T, { session_id: "s9" } as never)), "s9");
});

Deno.test("dedupEvents() keeps the first of each event_id", () => {
  const e = view(T);
  const { events, duplicates } = dedupEvents([e, view(T + 1), e, e]);
  assert.equal(events.length, 2);
  assert.equal(duplicates, 2);
});

Deno.test("dedupOrders() keeps the first purchase of an order delivered, whatever its time", () => {
  const late = buy(T + 5_000, "o1"), early = buy(T, "o1"), other = buy(T, "o2"), page = view(T);
  const { events, duplicates } = dedupOrders([late, page, early, other]);
  assert.deepEqual(events, [late, page, other]);
  assert.equal(duplicates, 1);
});

Deno.test("minuteWindows() counts distinct users per step and money in cents per window", () => {
  const events = [
    view(T, { anonymous_id: "a1" }),
    view(T + 1_000, { anonymous_id: "a1" }),
    view(T + 2_000, { anonymous_id: "a2" }),
    add(T + 3_000, { anonymous_id: "a1" }),
    buy(T + 59_999, "o1", { anonymous_id: "a1" }),
    buy(T + 60_000, "o2", { anonymous_id: "a2" }, "USD"),
    buy(T + 61_000, "o3", { anonymous_id: "a2" }, "USD"),
  ];
  assert.deepEqual(minuteWindows(events), [
    {
      start: T,
      viewers: 2,
      product_viewers: 0,
      carters: 1,
      checkout_starters: 0,
      purchasers: 1,
      orders: 1,
      units: 3,
      revenue_cents: { EUR: 2019 },
    },
    {
      start: T + 60_000,
      viewers: 0,
      product_viewers: 0,
      carters: 0,
      checkout_starters: 0,
      purchasers: 1,
      orders: 2,
      units: 6,
      revenue_cents: { USD: 4038 },
    },
  ]);
});

Deno.test("minuteWindows() can window on another time, such as the pipeline's event_time", () => {
  const windows = minuteWindows([view(T + 59_999)], { timeOf: (e) => e.ts + 5 });
  assert.equal(windows[0].start, T + 60_000);
});

Deno.test("productTotals() counts product page views, cart adds and removes, orders, units and revenue", () => {
  const remove: Event = { ...(add(T) as Extract<Event, { type: "add_to_cart" }>), type: "remove_from_cart" };
  const totals = productTotals([
    view(T, undefined, "/products/p1"),
    view(T, undefined, "/c/books"),
    add(T),
    remove,
    buy(T, "o1"),
  ]);
  assert.deepEqual(totals, [
    { product_id: "p1", views: 1, carts: 1, removes: 1, purchases: 1, units: 2, revenue_cents: { EUR: 20 } },
    {
      product_id: "p2",
      views: 0,
      carts: 0,
      removes: 0,
      purchases: 1,
      units: 1,
      revenue_cents: { EUR: 1999 },
    },
  ]);
});

Deno.test("viewedProduct() reads product views, and page views on /products/{id}", () => {
  assert.equal(viewedProduct(view(T, undefined, "/products/p0042?ref=1")), "p0042");
  assert.equal(viewedProduct(view(T, undefined, "/cart")), undefined);
  assert.equal(
    viewedProduct({ ...base(T, { anonymous_id: "a1" }), type: "product_view", product_id: "p7" }),
    "p7",
  );
});

Deno.test("summaryTruth() is exact under duplicated events and replayed orders", () => {
  const purchase = buy(T, "o1");
  const replay = { ...purchase, event_id: id(), ts: T + 30_000 };
  const truth = summaryTruth([view(T), purchase, purchase, replay, view(T)]);
  assert.equal(truth.duplicate_events, 1);
  assert.equal(truth.duplicate_orders, 1);
  assert.deepEqual(truth.totals, {
    orders: 1,
    units: 3,
    revenue_cents: { EUR: 2019 },
    viewers: 1,
    purchasers: 1,
  });
  assert.equal(truth.events, 3);
});
