import assert from "node:assert/strict";
import { Event, type PurchaseEvent } from "../contract/mod.ts";
import { buildCatalogue } from "./catalogue.ts";
import { dailyCurve } from "./curve.ts";
import { createShoppers, type ShopperOptions } from "./shoppers.ts";
import { revenueOf } from "./session.ts";

const T = Date.UTC(2025, 5, 2, 9, 0, 0);
const catalogue = buildCatalogue({ seed: 42, users: 2_000 });
const run = (options: Partial<ShopperOptions> = {}, ms = 120_000, step = 1_000) => {
  const shoppers = createShoppers({ seed: 42, start: T, eps: 100, catalogue, ...options });
  const out = [];
  for (let t = T + step; t <= T + ms; t += step) out.push(...shoppers.until(t));
  return out;
};
const purchases = (events: Event[]) => events.filter((e): e is PurchaseEvent => e.type === "purchase");
const revenueCents = (emissions: { event: Event }[]) =>
  purchases(emissions.map((e) => e.event)).reduce((sum, p) => sum + Math.round(p.revenue * 100), 0);

Deno.test("the same seed and start give identical events, however time is stepped", () => {
  const a = run();
  assert.ok(a.length > 5_000);
  assert.deepEqual(run(), a);
  assert.deepEqual(
    run({}, 120_000, 7_000).filter((e) => e.at < T + 119_000),
    a.filter((e) => e.at < T + 119_000),
  );
  assert.notDeepEqual(run({ seed: 43 }).slice(0, 50), a.slice(0, 50));
});

Deno.test("every generated event passes the contract, faults included", () => {
  const emissions = run(
    { eps: 50, faults: { duplicates: 0.05, late: 0.05, orderReplays: 0.2 } },
    600_000,
    10_000,
  );
  const kinds = new Set(emissions.map((e) => e.event.type));
  assert.deepEqual([...kinds].sort(), [
    "add_to_cart",
    "begin_checkout",
    "page_view",
    "product_view",
    "purchase",
    "remove_from_cart",
  ]);
  for (const { event } of emissions) {
    const result = Event.safeParse(event);
    assert.ok(result.success, `${JSON.stringify(event)}: ${result.error}`);
  }
});

Deno.test("emissions come out ordered by send time and near the asked rate", () => {
  const emissions = run({ eps: 200 }, 300_000, 1_000);
  for (let i = 1; i < emissions.length; i++) assert.ok(emissions[i].at >= emissions[i - 1].at);
  const eps = emissions.length / 300;
  assert.ok(eps > 180 && eps < 220, `got ${eps} events/s for 200`);
});

Deno.test("purchase revenue equals the sum of price × quantity to the cent, and order_ids are unique", () => {
  const orders = purchases(run({}, 900_000, 60_000).map((e) => e.event));
  assert.ok(orders.length > 50, `only ${orders.length} orders`);
  for (const p of orders) {
    const cents = p.items.reduce((sum, i) => sum + Math.round(i.price * 100) * i.quantity, 0);
    assert.equal(Math.round(p.revenue * 100), cents);
    assert.equal(p.revenue, revenueOf(p.items));
  }
  assert.equal(new Set(orders.map((p) => p.order_id)).size, orders.length);
});

Deno.test("duplicates re-send an event with the same event_id, about as often as asked", () => {
  const emissions = run({ faults: { duplicates: 0.1 } }, 300_000, 5_000);
  const dups = emissions.filter((e) => e.kind === "duplicate");
  const share = dups.length / (emissions.length - dups.length);
  assert.ok(share > 0.08 && share < 0.12, `duplicate share ${share}`);
  const seen = new Map(emissions.filter((e) => e.kind !== "duplicate").map((e) => [e.event.event_id, e]));
  for (const d of dups) {
    const original = seen.get(d.event.event_id);
    if (original) assert.deepEqual(d.event, original.event);
  }
  assert.ok(dups.some((d) => seen.has(d.event.event_id)));
});

Deno.test("late events carry a ts far behind the moment they are sent", () => {
  const emissions = run({ faults: { late: 0.05, lateByMs: 3_600_000 } }, 300_000, 5_000);
  const late = emissions.filter((e) => e.kind === "late");
  assert.ok(late.length > 0.03 * emissions.length, `${late.length} late of ${emissions.length}`);
  for (const e of late) assert.equal(e.at - e.event.ts, 3_600_000);
  for (const e of emissions.filter((e) => e.kind === "event")) assert.equal(e.event.ts, e.at);
});

Deno.test("order replays fire a purchase again with a new event_id and the same order_id", () => {
  const emissions = run({ faults: { orderReplays: 0.5 } }, 900_000, 60_000);
  const replays = emissions.filter((e) => e.kind === "replay").map((e) => e.event as PurchaseEvent);
  const originals = new Map(
    purchases(emissions.filter((e) => e.kind === "event").map((e) => e.event)).map((p) => [p.order_id, p]),
  );
  assert.ok(replays.length > 10);
  for (const r of replays) {
    const o = originals.get(r.order_id);
    if (!o) continue; // its original was sent before the start
    assert.notEqual(r.event_id, o.event_id);
    assert.equal(r.revenue, o.revenue);
  }
});

Deno.test("faults do not change the shopping itself", () => {
  const clean = run({}, 120_000).filter((e) => e.kind === "event").map((e) => e.event.event_id);
  const faulty = run({ faults: { duplicates: 0.1, orderReplays: 0.3 } }, 120_000);
  const ids = faulty.filter((e) => e.kind === "event").map((e) => e.event.event_id);
  assert.ok(ids.length === clean.length && ids.every((id, i) => id === clean[i]));
});

Deno.test("a broken checkout stops purchases during its window; a spike raises revenue, a drop lowers it", () => {
  const window = { from: T + 300_000, to: T + 900_000 };
  const inWindow = (e: { at: number }) => e.at >= window.from + 120_000 && e.at < window.to;
  const quiet = (options: Partial<ShopperOptions>) =>
    run({ eps: 30, ...options }, 900_000, 60_000).filter(inWindow);
  const base = quiet({});
  const broken = quiet({ anomalies: [{ kind: "broken_checkout", ...window }] });
  assert.equal(purchases(broken.map((e) => e.event)).length, 0);
  assert.ok(broken.some((e) => e.event.type === "page_view" && e.event.url.endsWith("/checkout/error")));
  const spike = quiet({ anomalies: [{ kind: "spike", ...window }] });
  const drop = quiet({ anomalies: [{ kind: "drop", ...window }] });
  assert.ok(
    revenueCents(spike) > 3 * revenueCents(base),
    `spike ${revenueCents(spike)} vs ${revenueCents(base)}`,
  );
  assert.ok(
    revenueCents(drop) < 0.5 * revenueCents(base),
    `drop ${revenueCents(drop)} vs ${revenueCents(base)}`,
  );
});

Deno.test("the daily curve makes evenings busier than nights", () => {
  const at = (hour: number) =>
    createShoppers({
      seed: 1,
      start: Date.UTC(2025, 0, 1, hour),
      eps: 20,
      catalogue,
      curve: dailyCurve(0),
      warmupMs: 0,
    })
      .until(Date.UTC(2025, 0, 1, hour, 10)).length;
  assert.ok(at(20) > 4 * at(3), `20:00 ${at(20)} vs 03:00 ${at(3)}`);
});

Deno.test("each product page sends a product view, and checkouts start at the funnel's rate, before every purchase", () => {
  const events = run({}, 600_000, 60_000).map((e) => e.event);
  const pages = events.filter((e) => e.type === "page_view" && e.url.includes("/p/"));
  const views = events.filter((e) => e.type === "product_view");
  assert.equal(views.length, pages.length);
  const sessionsOf = (type: string) =>
    new Set(events.filter((e) => e.type === type).map((e) => e.session_id));
  const [carted, checkouts, bought] = ["add_to_cart", "begin_checkout", "purchase"].map(sessionsOf);
  // Sessions under way at the start lost their earlier events (the warm-up): those whose cart add is here.
  const whole = [...bought].filter((s) => carted.has(s));
  assert.ok(whole.length > 20 && whole.every((s) => checkouts.has(s)), "every purchase follows a checkout");
  // DEFAULT_FUNNEL: 60 % of sessions ending with items in the cart check out (a removal can empty it).
  const share = checkouts.size / carted.size;
  assert.ok(share > 0.45 && share < 0.65, `${checkouts.size} checkouts of ${carted.size} carted sessions`);
  // A shop that cannot add code: no product views, its product pages on /products/{id} (the URL pattern).
  const none = run({ productViewEvents: false }, 120_000, 60_000);
  assert.equal(none.filter((e) => e.event.type === "product_view").length, 0);
  assert.ok(none.some((e) => e.event.type === "page_view" && e.event.url.includes("/products/")));
});
