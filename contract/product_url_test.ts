import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { DEFAULT_PRODUCT_URL_PATTERNS, productUrlMatcher, ProductUrlPattern } from "./product_url.ts";

Deno.test("productUrlMatcher() finds the id at the end of a path, under any prefix", () => {
  const match = productUrlMatcher(["/product/:id"]);
  assertEquals(match("https://shop.test/product/blue-shirt"), "blue-shirt");
  assertEquals(match("https://shop.test/product/blue-shirt/"), "blue-shirt");
  assertEquals(match("https://shop.test/en/product/blue-shirt?ref=x#top"), "blue-shirt");
  assertEquals(match("https://shop.test/product/caf%C3%A9+au+lait"), "café+au+lait");
  assertEquals(match("https://shop.test/product/blue-shirt/reviews"), undefined);
  assertEquals(match("https://shop.test/product/"), undefined);
  assertEquals(match("https://shop.test/products/blue-shirt"), undefined);
});

Deno.test("productUrlMatcher() lets * stand for one segment and tries patterns in order", () => {
  const match = productUrlMatcher(["/shop/*/p/:id", "?sku=:id"]);
  assertEquals(match("https://shop.test/shop/shoes/p/42"), "42");
  assertEquals(match("https://shop.test/shop/p/42"), undefined);
  assertEquals(match("https://shop.test/shop/shoes/p/42?sku=7"), "42");
  assertEquals(match("https://shop.test/app?view=item&sku=SKU+7"), "SKU 7");
  assertEquals(match("https://shop.test?sku=7"), "7");
  assertEquals(match("https://shop.test/app?sku="), undefined);
  assertEquals(match("https://shop.test/app#?sku=7"), undefined);
});

Deno.test("productUrlMatcher() refuses ids that are malformed, too long or hold control characters", () => {
  const match = productUrlMatcher(["/p/:id", "?sku=:id"]);
  assertEquals(match("https://shop.test/p/%E0%A4%A"), undefined);
  assertEquals(match("https://shop.test/p/a%00b"), undefined);
  assertEquals(match(`https://shop.test/p/${"x".repeat(129)}`), undefined);
  assertEquals(match(`https://shop.test/p/${"x".repeat(128)}`), "x".repeat(128));
  assertEquals(productUrlMatcher([])("https://shop.test/products/1"), undefined);
  assertEquals(productUrlMatcher(DEFAULT_PRODUCT_URL_PATTERNS)("https://shop.test/products/1"), "1");
});

Deno.test("ProductUrlPattern accepts paths ending in :id and ?name=:id, and nothing else", () => {
  for (const ok of ["/products/:id", "/shop/*/p/:id", "/:id", "/p/:id/", "?sku=:id", "?item.id=:id"]) {
    assertEquals(ProductUrlPattern.safeParse(ok).success, true, ok);
  }
  for (
    const bad of ["products/:id", "/products/:id/reviews", "/p/:sku", "/p/*", "?sku=", "sku=:id", "/a?b/:id"]
  ) {
    assertEquals(ProductUrlPattern.safeParse(bad).success, false, bad);
  }
});
