// The package in a real Chromium (vitest's browser mode): the ESM build's calls, and the
// script-tag bundle's data-shoptrail-* attributes, with window.fetch standing in for the collector.
import { expect, it } from "vitest";
import * as sdk from "@shoptrail/sdk";
import script from "@shoptrail/sdk/shoptrail.js?raw";
import { standInCollector } from "./sent.ts";

it("the ESM build sends a page view, a product view and a checkout from Chromium", async () => {
  const collector = standInCollector();
  sdk.init({ site: "demo", endpoint: "https://collector.test" });
  sdk.viewProduct({
    product_id: "sku-1",
    name: "Mug",
    price: 12.5,
    currency: "EUR",
  });
  sdk.beginCheckout({ currency: "EUR", value: 12.5 });
  await sdk.flush();
  expect(navigator.userAgent).toContain("Chrome");
  expect(collector.events().map((e) => e.type)).toEqual([
    "page_view",
    "product_view",
    "begin_checkout",
  ]);
  expect(collector.events()[2]).toMatchObject({ currency: "EUR", value: 12.5 });
});

it("the script-tag bundle reads data-shoptrail-product on load and data-shoptrail-checkout on click", async () => {
  const collector = standInCollector();
  document.body.innerHTML = `<div data-shoptrail-product='{"product_id":"sku-2","price":9}'>
    <button data-shoptrail-checkout='{"currency":"EUR","value":9}'>Checkout</button></div>`;
  const tag = document.createElement("script");
  tag.dataset.site = "demo";
  tag.dataset.endpoint = "https://collector.test";
  document.head.append(tag);
  // The ESM test above loaded a tracker too (idle now); the bundle starts its own, window.shoptrail.
  new Function(script)();
  document.querySelector("button")!.click();
  await (window as unknown as { shoptrail: { flush(): Promise<void> } })
    .shoptrail.flush();
  const events = collector.events();
  expect(events.map((e) => e.type)).toEqual([
    "page_view",
    "product_view",
    "begin_checkout",
  ]);
  expect(events[1]).toMatchObject({ product_id: "sku-2", price: 9 });
});
