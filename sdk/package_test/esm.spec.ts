// @vitest-environment happy-dom
// @vitest-environment-options {"url": "https://shop.test/products/p1?utm_source=news&ref=x"}
// The ESM build as a shop that bundles it tests it: installed from the packed tarball, under
// vitest with happy-dom as the page, window.fetch standing in for the collector.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { standInCollector, stored } from "./sent.ts";

/** A fresh copy of the package, as on a new page load: its tracker lives in module state. */
async function load() {
  vi.resetModules();
  return await import("@shoptrail/sdk");
}

const config = { site: "demo", endpoint: "https://collector.test/" };
const mug = {
  product_id: "sku-1",
  name: "Mug",
  category: "Kitchen",
  price: 12.5,
  currency: "EUR",
};

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
});

describe("the ESM build under happy-dom", () => {
  it("init() replays the calls made before it, then sends the first page view", async () => {
    const collector = standInCollector();
    const sdk = await load();
    sdk.addToCart({ ...mug, quantity: 2 });
    sdk.init(config);
    await sdk.flush();
    expect(collector.batches.map((b) => [b.url, b.site])).toEqual([[
      "https://collector.test/v1/batch",
      "demo",
    ]]);
    expect(collector.events().map((e) => e.type)).toEqual([
      "add_to_cart",
      "page_view",
    ]);
    const [add] = collector.events();
    expect(add).toMatchObject({
      product_id: "sku-1",
      product_name: "Mug",
      price: 12.5,
      quantity: 2,
    });
  });

  it("viewProduct, beginCheckout and purchase send the contract's fields", async () => {
    const collector = standInCollector();
    const sdk = await load();
    sdk.init({ ...config, pageviews: false });
    sdk.viewProduct(mug);
    sdk.beginCheckout({
      currency: "EUR",
      value: 25,
      items: [{ product_id: "sku-1", quantity: 2, price: 12.5 }],
    });
    sdk.beginCheckout();
    sdk.purchase({
      order_id: "o-1",
      revenue: 25,
      currency: "EUR",
      items: [{ product_id: "sku-1", quantity: 2, price: 12.5 }],
    });
    await sdk.flush();
    const [view, checkout, bare, purchase] = collector.events();
    expect(view).toMatchObject({
      type: "product_view",
      product_id: "sku-1",
      product_name: "Mug",
      price: 12.5,
    });
    expect(view).not.toHaveProperty("quantity");
    expect(checkout).toMatchObject({
      type: "begin_checkout",
      currency: "EUR",
      value: 25,
    });
    expect(checkout.items).toEqual([{
      product_id: "sku-1",
      quantity: 2,
      price: 12.5,
    }]);
    expect(
      Object.keys(bare).filter((k) => ["currency", "value", "items"].includes(k)),
    ).toEqual([]);
    expect(purchase).toMatchObject({
      type: "purchase",
      order_id: "o-1",
      revenue: 25,
    });
  });

  it("events carry the page's URL and UTM parameters, and a session and anonymous id", async () => {
    const collector = standInCollector();
    const sdk = await load();
    sdk.init(config);
    await sdk.flush();
    const [view] = collector.events();
    expect(view).toMatchObject({
      type: "page_view",
      url: "https://shop.test/products/p1?utm_source=news&ref=x",
      utm_source: "news",
    });
    expect(view.event_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(typeof view.session_id).toBe("string");
    expect(typeof view.anonymous_id).toBe("string");
  });

  it("a batch the collector answers with 503 stays stored and goes with the next flush", async () => {
    const collector = standInCollector();
    const sdk = await load();
    collector.status = 503;
    sdk.init(config);
    sdk.viewProduct(mug);
    await sdk.flush();
    const kept = stored();
    expect(kept).toHaveLength(2);
    collector.status = 202;
    await sdk.flush();
    expect(stored()).toEqual([]);
    expect(collector.batches.at(-1)!.events.map((e) => e.event_id)).toEqual(
      kept,
    );
  });

  it("optOut() keeps counting without an anonymous or user id", async () => {
    const collector = standInCollector();
    const sdk = await load();
    sdk.init({ ...config, pageviews: false });
    sdk.identify("user-1");
    sdk.optOut();
    sdk.viewProduct(mug);
    await sdk.flush();
    const [view] = collector.events();
    expect(view.type).toBe("product_view");
    expect(view).not.toHaveProperty("anonymous_id");
    expect(view).not.toHaveProperty("user_id");
  });
});
