import { deepStrictEqual as assertEquals, ok, rejects, throws } from "node:assert/strict";
import { batch, event, post, testApp } from "../fixtures.ts";
import { Sites } from "./sites.ts";
import { ConfigError } from "../../lib/env.ts";
import { rowsOf } from "../../contract/mod.ts";

const sites = Sites.parse({ sites: [{ id: "shop", origins: ["https://shop.test"] }] });

Deno.test("Sites.parse() names the bad entry and the expected form", () => {
  throws(
    () => Sites.parse({ sites: [{ id: "shop", origins: ["shop.test"] }] }, "COLLECTOR_SITES_FILE=x"),
    (e: Error) => {
      ok(e instanceof ConfigError);
      ok(
        e.message.startsWith("COLLECTOR_SITES_FILE=x is not valid: sites.0.origins.0: an origin such as"),
        e.message,
      );
      return true;
    },
  );
  throws(() => Sites.parse({ sites: [{ id: "a" }, { id: "a" }] }), /site 'a' is listed twice/);
  throws(
    () => Sites.parse({ sites: [{ id: "a", write_key: "short" }] }),
    /write_key: at least 16 characters/,
  );
  throws(() => Sites.parse({ sites: [{ id: "a", colour: "red" }] }), /colour/);
  throws(() => Sites.parse({ sites: [{ id: "a", keep_query: "sku" }] }), /keep_query: /);
  throws(
    () => Sites.parse({ sites: [{ id: "a", product_url_patterns: ["/product/:sku"] }] }),
    /product_url_patterns.0: a path ending in ':id'/,
  );
});

Deno.test("Sites.parse() reads a site's IANA time zone, UTC by default, and names a bad one", () => {
  const zoned = Sites.parse({ sites: [{ id: "syd", time_zone: "Australia/Sydney" }, { id: "utc" }] });
  assertEquals(zoned.list().map((s) => [s.id, s.timeZone]), [["syd", "Australia/Sydney"], ["utc", "UTC"]]);
  for (const bad of ["Mars/Olympus", "+10:00", "Australia/Sydney'"]) {
    throws(
      () => Sites.parse({ sites: [{ id: "a", time_zone: bad }] }),
      /time_zone: an IANA time zone such as Australia\/Sydney or UTC/,
      bad,
    );
  }
});

Deno.test("a page view whose URL matches its site's product_url_patterns is published with that product id", async () => {
  const patterned = Sites.parse({
    sites: [{ id: "shop", product_url_patterns: ["/product/:id", "?sku=:id"] }],
  });
  const { app, sink } = testApp({ sites: patterned });
  const urls = [
    "https://shop.test/product/blue-shirt/",
    "https://shop.test/app?sku=SKU-7&token=secret",
    "https://shop.test/products/p1",
    "https://shop.test/cart",
  ];
  const viewed = event("product_view", { product_id: "p9", url: "https://shop.test/product/blue-shirt" });
  const response = await post(app, batch([...urls.map((url) => event("page_view", { url })), viewed]));
  assertEquals((await response.json()).accepted, 5);
  const rows = sink.messages.flatMap((m) => rowsOf(m.value));
  assertEquals(rows.map((r) => [r.type, r.product_id]), [
    ["page_view", "blue-shirt"],
    // Read before the query is stripped: the stored URL keeps neither sku nor the token.
    ["page_view", "SKU-7"],
    ["page_view", undefined],
    ["page_view", undefined],
    // A product view names its own product.
    ["product_view", "p9"],
  ]);
  assertEquals(rows[1].url, "https://shop.test/app");
});

Deno.test("a site without product_url_patterns reads /products/:id, and [] reads nothing", async () => {
  const url = "https://shop.test/collections/sale/products/p1";
  const none = Sites.parse({ sites: [{ id: "shop", product_url_patterns: [] }] });
  const cases: [Sites, string | undefined][] = [[sites, "p1"], [Sites.open(), "p1"], [none, undefined]];
  for (const [given, expected] of cases) {
    const { app, sink } = testApp({ sites: given });
    await post(app, batch([event("page_view", { url })]), { headers: { Origin: "https://shop.test" } });
    assertEquals(rowsOf(sink.messages[0].value)[0].product_id, expected);
  }
});

Deno.test("Sites.load() names COLLECTOR_SITES_FILE when the file is missing or not JSON", async () => {
  await rejects(
    Sites.load("/nonexistent/sites.json"),
    /^Error: COLLECTOR_SITES_FILE="\/nonexistent\/sites.json" cannot be read/,
  );
  const file = await Deno.makeTempFile();
  await Deno.writeTextFile(file, "{nope");
  await rejects(Sites.load(file), /COLLECTOR_SITES_FILE=.* is not JSON/);
  await Deno.remove(file);
});

Deno.test("a CORS preflight from an allowed origin gets the methods, headers and Retry-After exposed", async () => {
  const { app } = testApp({ sites });
  const response = await app.request("/v1/batch", {
    method: "OPTIONS",
    headers: {
      Origin: "https://shop.test",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type",
    },
  });
  assertEquals(response.status, 204);
  assertEquals(response.headers.get("Access-Control-Allow-Origin"), "https://shop.test");
  ok(response.headers.get("Access-Control-Allow-Methods")?.includes("POST"));
  ok(response.headers.get("Access-Control-Allow-Headers")?.toLowerCase().includes("content-type"));
});

Deno.test("a CORS preflight from a foreign origin gets no Allow-Origin, so the browser stops", async () => {
  const { app } = testApp({ sites });
  const response = await app.request("/v1/batch", {
    method: "OPTIONS",
    headers: { Origin: "https://evil.test", "Access-Control-Request-Method": "POST" },
  });
  assertEquals(response.headers.get("Access-Control-Allow-Origin"), null);
});

Deno.test("an allowed origin's POST carries Allow-Origin and exposes Retry-After", async () => {
  const { app } = testApp({ sites });
  const response = await post(app, batch([event()]), { headers: { Origin: "https://shop.test" } });
  assertEquals(response.status, 202);
  assertEquals(response.headers.get("Access-Control-Allow-Origin"), "https://shop.test");
  ok(response.headers.get("Access-Control-Expose-Headers")?.includes("Retry-After"));
});

Deno.test("the per-client budget applies before the body is read, and refills with time", async () => {
  let now = Date.UTC(2025, 0, 1);
  const { app } = testApp({
    sites,
    clock: () => now,
    client: { ipHeader: "x-forwarded-for", ipRate: { perSecond: 1, burst: 2 } },
  });
  const send = () => post(app, "not even json", { headers: { "x-forwarded-for": "192.0.2.1" } });
  assertEquals([(await send()).status, (await send()).status], [400, 400]);
  const limited = await send();
  assertEquals([limited.status, limited.headers.get("Retry-After")], [429, "1"]);
  now += 1000;
  assertEquals((await send()).status, 400);
});
