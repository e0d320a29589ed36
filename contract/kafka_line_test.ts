import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { kafkaLine, type KafkaRow, toKafkaRow } from "./kafka_line.ts";

const row = (session_id: string, event_id: string, url = "https://shop.test/") =>
  ({ site: "shop", session_id, event_id, url }) as unknown as KafkaRow;

Deno.test("kafkaLine() leaves out the empty fields of a row, and only those", () => {
  const items = [{ product_id: "p1", quantity: 0, price: 0 }];
  const line = kafkaLine(
    { ...row("s1", "a"), user_id: "", price: 0, quantity: 2, items, props: "", is_bot: 0 } as KafkaRow,
  );
  assertEquals(JSON.parse(line), {
    site: "shop",
    session_id: "s1",
    event_id: "a",
    url: "https://shop.test/",
    quantity: 2,
    // Inside an item nothing is left out.
    items,
  });
  assertEquals(
    JSON.parse(kafkaLine({ ...row("s1", "a"), items: [] } as unknown as KafkaRow)).items,
    undefined,
  );
});

const enrichment = {
  site: "shop",
  received_at: 2,
  event_time: 1,
  browser: "",
  os: "",
  device_type: "",
  is_bot: 0,
  ip_hash: "",
  country: "",
};
const common = { event_id: crypto.randomUUID(), ts: 1, session_id: "s", url: "https://shop.test/p/1" };

Deno.test("toKafkaRow() puts a product view in the product columns and a checkout's value in revenue", () => {
  const view = toKafkaRow(
    { ...common, type: "product_view", product_id: "p1", product_name: "Shirt", price: 9.5, currency: "EUR" },
    enrichment,
  );
  assertEquals(
    [view.type, view.product_id, view.product_name, view.price, view.currency, view.quantity],
    ["product_view", "p1", "Shirt", 9.5, "EUR", 0],
  );
  const items = [{ product_id: "p1", quantity: 2, price: 9.5 }];
  const checkout = toKafkaRow(
    { ...common, type: "begin_checkout", currency: "EUR", value: 19, items },
    enrichment,
  );
  assertEquals([checkout.currency, checkout.revenue, checkout.items, checkout.order_id], [
    "EUR",
    19,
    items,
    "",
  ]);
  const bare = toKafkaRow({ ...common, type: "begin_checkout" }, enrichment);
  assertEquals([bare.currency, bare.revenue, bare.items], ["", 0, []]);
});

Deno.test("toKafkaRow() gives a page view the product id its URL patterns found, and only a page view that has one", () => {
  const page = { ...common, type: "page_view" } as const;
  assertEquals(toKafkaRow(page, { ...enrichment, product_id: "p1" }).product_id, "p1");
  assertEquals(toKafkaRow(page, enrichment).product_id, "");
});
