import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { cartFields, checkoutFields, firstPurchase, productFields } from "./ecommerce.ts";
import { createTracker } from "./tracker.ts";
import { FakeBrowser } from "./testing.ts";
import { Event } from "../../contract/mod.ts";

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

Deno.test("productFields() maps name to product_name, reads numeric strings and leaves absent prices absent", () => {
  assertEquals(productFields({ product_id: "p1", name: "Mug", price: "9.5" as unknown as number }), {
    product_id: "p1",
    product_name: "Mug",
    category: undefined,
    price: 9.5,
    currency: undefined,
    props: undefined,
  });
  assertEquals(productFields({ product_id: 7 as unknown as string }).price, undefined);
  assertEquals(productFields({ product_id: "p1", price: 0 }).price, 0);
});

Deno.test("checkoutFields() takes nothing, or value and items like a purchase's", () => {
  assertEquals(checkoutFields(), {
    currency: undefined,
    value: undefined,
    items: undefined,
    props: undefined,
  });
  assertEquals(
    checkoutFields({ currency: "EUR", value: 29, items: [{ product_id: "p1", quantity: 2, price: 14.5 }] }),
    { currency: "EUR", value: 29, items: [{ product_id: "p1", quantity: 2, price: 14.5 }], props: undefined },
  );
});

Deno.test("viewProduct() and beginCheckout() send the contract's product_view and begin_checkout", async () => {
  const b = new FakeBrowser();
  const t = createTracker(b.open().win, { site: "demo", endpoint: "https://c.example" });
  t.viewProduct({ product_id: "p1", name: "Mug", category: "Kitchen", price: 14.5, currency: "EUR" });
  t.beginCheckout({ currency: "EUR", value: 29, items: order.items });
  t.beginCheckout();
  await b.clock.tick(2000);
  const [view, checkout, bare] = b.net.events;
  assertEquals(
    view.type == "product_view" && [view.product_id, view.product_name, view.category, view.price],
    [
      "p1",
      "Mug",
      "Kitchen",
      14.5,
    ],
  );
  assertEquals(checkout.type == "begin_checkout" && [checkout.value, checkout.currency, checkout.items], [
    29,
    "EUR",
    order.items,
  ]);
  assertEquals(bare.type == "begin_checkout" && [bare.value, bare.items], [undefined, undefined]);
  for (const e of b.net.events) assertEquals(Event.safeParse(e).success, true, JSON.stringify(e));
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
