import assert from "node:assert/strict";
import { MAX_PRICE } from "../contract/mod.ts";
import { buildCatalogue, localPrice, productRows, shelfPrice } from "./catalogue.ts";

const catalogue = buildCatalogue({ seed: 42 });

Deno.test("buildCatalogue() is reproducible from its seed", () => {
  assert.deepEqual(buildCatalogue({ seed: 42, users: 50 }).products, catalogue.products);
  assert.notDeepEqual(buildCatalogue({ seed: 43, users: 50 }).products, catalogue.products);
});

Deno.test("buildCatalogue() makes at least 500 products across categories with a realistic price spread", () => {
  assert.ok(catalogue.products.length >= 500);
  assert.equal(new Set(catalogue.products.map((p) => p.id)).size, catalogue.products.length);
  assert.ok(new Set(catalogue.products.map((p) => p.category)).size >= 10);
  const prices = catalogue.products.map((p) => p.price).sort((a, b) => a - b);
  assert.ok(prices[0] < 10, `cheapest ${prices[0]}`);
  assert.ok(prices.at(-1)! > 500, `dearest ${prices.at(-1)}`);
  assert.ok(prices.every((p) => p > 0 && p <= MAX_PRICE && Number(p.toFixed(2)) === p));
});

Deno.test("buildCatalogue() gives users devices, locales and traffic sources", () => {
  const users = catalogue.users;
  assert.ok(new Set(users.map((u) => u.device.type)).size === 3);
  assert.ok(new Set(users.map((u) => u.currency)).size >= 3);
  assert.ok(users.some((u) => u.user_id) && users.some((u) => !u.user_id));
  assert.ok(users.some((u) => u.source.utm) && users.some((u) => !u.source.utm));
});

Deno.test("shelfPrice() and localPrice() round to whole cents", () => {
  assert.equal(shelfPrice(19.3), 18.99);
  assert.equal(shelfPrice(412), 409);
  assert.equal(localPrice(10, "USD"), 10.8);
  assert.equal(localPrice(9.99, "GBP"), 8.49);
});

Deno.test("productRows() writes one JSON object per product with id, name, category, price", () => {
  const lines = productRows(catalogue).trimEnd().split("\n");
  assert.equal(lines.length, catalogue.products.length);
  assert.deepEqual(Object.keys(JSON.parse(lines[0])), ["id", "name", "category", "price"]);
});
