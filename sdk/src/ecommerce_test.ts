import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { cartFields, firstPurchase } from "./ecommerce.ts";
import { createTracker } from "./tracker.ts";
import { FakeBrowser } from "./testing.ts";

const order = {
  order_id: "o-1",
  revenue: 29,
  currency: "EUR",
  items: [{ product_id: "p1", quantity: 2, price: 14.5 }],
};

Deno.test("cartFields() maps name to the wire field product_name", () => {
  assertEquals(cartFields({ product_id: "p1", name: "Mug", price: 9.5, quantity: 2, currency: "EUR" }), {
    product_id: "p1",
    product_name: "Mug",
    category: undefined,
    price: 9.5,
    quantity: 2,
    currency: "EUR",
    props: undefined,
  });
});

Deno.test("purchase() is sent once per order_id within 24 h, across page loads", async () => {
  const b = new FakeBrowser();
  const t = createTracker(b.open().win, { site: "demo", endpoint: "https://c.example" });
  t.purchase(order);
  t.purchase(order);
  createTracker(b.open().win, { site: "demo", endpoint: "https://c.example" }).purchase(order);
  await b.clock.tick(2000);
  assertEquals(b.net.events.map((e) => e.type), ["purchase"]);
  const [p] = b.net.events;
  assertEquals(p.type == "purchase" && [p.order_id, p.revenue, p.currency, p.items], [
    "o-1",
    29,
    "EUR",
    order.items,
  ]);
});

Deno.test("firstPurchase() forgets an order after 24 h", () => {
  const w = new FakeBrowser().open().win;
  const t0 = 1_000;
  assertEquals(firstPurchase(w, "o", t0), true);
  assertEquals(firstPurchase(w, "o", t0 + 24 * 3600_000), false);
  assertEquals(firstPurchase(w, "o", t0 + 24 * 3600_000 + 1), true);
});
