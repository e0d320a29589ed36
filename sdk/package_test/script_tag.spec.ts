// @vitest-environment happy-dom
// The script-tag build (the package's `shoptrail.js`) in a happy-dom page: the data-shoptrail-*
// attributes send a product view on load and begin_checkout / add_to_cart on click.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { expect, it } from "vitest";
import { standInCollector } from "./sent.ts";

type Loaded = { flush(): Promise<void> };

it("the script tag sends a product view for data-shoptrail-product and begin_checkout on a data-shoptrail-checkout click", async () => {
  const collector = standInCollector();
  document.body.innerHTML = `
    <main data-shoptrail-product='{"product_id":"sku-1","name":"Mug","price":12.5,"currency":"EUR"}'>
      <button id="add" data-shoptrail-add='{"product_id":"sku-1","price":12.5,"quantity":1,"currency":"EUR"}'>
        <span>Add</span></button>
      <a id="checkout" data-shoptrail-checkout='{"currency":"EUR","value":12.5}'>Checkout</a>
      <button id="express" data-shoptrail-checkout>Express checkout</button>
    </main>`;
  // Its settings come from the tag (happy-dom does not run it: the bundle is evaluated below).
  const tag = document.createElement("script");
  tag.dataset.site = "demo";
  tag.dataset.endpoint = "https://collector.test";
  document.head.append(tag);
  const code = readFileSync(
    createRequire(import.meta.url).resolve("@shoptrail/sdk/shoptrail.js"),
    "utf8",
  );
  (0, eval)(code);
  document.querySelector<HTMLElement>("#add span")!.click(); // a click inside the button counts
  document.querySelector<HTMLElement>("#checkout")!.click();
  document.querySelector<HTMLElement>("#express")!.click();
  await (window as unknown as { shoptrail: Loaded }).shoptrail.flush();
  const events = collector.events();
  expect(events.map((e) => e.type)).toEqual([
    "page_view",
    "product_view",
    "add_to_cart",
    "begin_checkout",
    "begin_checkout",
  ]);
  expect(events[1]).toMatchObject({
    product_id: "sku-1",
    product_name: "Mug",
    price: 12.5,
    currency: "EUR",
  });
  expect(events[3]).toMatchObject({ currency: "EUR", value: 12.5 });
  expect(events[4]).not.toHaveProperty("value");
});
