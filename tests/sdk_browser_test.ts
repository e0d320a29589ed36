// The browser SDK in Debian's Chromium (driven by playwright-core) on the real pipeline: the
// collector serves /sdk.js and the /demo/ storefront, the script tag sends batches to it, Kafka
// carries them and ClickHouse's Kafka engine stores them, where the tests count them with SQL.
// One pipeline and one browser serve every step (the machine is small); each step opens its own
// browser context, so it starts with empty storage and its own anonymous id.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type Browser, type Page } from "playwright-core";
import { launchChromium } from "../stack/chromium.ts";
import { pollUntil, startTestPipeline, type TestPipeline } from "../stack/testing.ts";

/** A page in a fresh context, collecting the errors the page itself reports. */
async function open(browser: Browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Failed loads (the proxy's 503s, the missing favicon) are the network's business, not page errors.
  page.on(
    "console",
    (m) => m.type() == "error" && !m.text().startsWith("Failed to load") && errors.push(m.text()),
  );
  return { page, errors, close: () => context.close() };
}

/**
 * Another origin (a second port): a plain page to leave for at `/`, and at `/shop` a shop of its
 * own that loads the SDK from the collector, so its batches are cross-origin requests.
 */
function otherSite(collector: string) {
  const shop = `<!doctype html><title>Other shop</title>
<script defer src="${collector}/sdk.js" data-site="demo"></script><p>another shop</p>`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const html = new URL(req.url).pathname == "/shop" ? shop : "<!doctype html><p>another site</p>";
    return new Response(html, { headers: { "content-type": "text/html" } });
  });
  return { url: `http://127.0.0.1:${server.addr.port}/`, close: () => server.shutdown() };
}

/**
 * A stand-in proxy in front of the real collector: while `down` it answers POST /v1/batch with 503
 * and Retry-After like a failing collector; otherwise it forwards everything and records the
 * event ids of each batch the collector accepted.
 */
function standInProxy(upstream: string) {
  const state = { down: false, refused: 0, forwarded: [] as string[] };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = req.method == "POST" ? await req.text() : undefined;
    if (url.pathname == "/v1/batch" && state.down) {
      state.refused++;
      return Response.json({ error: { code: "unavailable", message: "stand-in proxy is down" } }, {
        status: 503,
        headers: { "retry-after": "1" },
      });
    }
    const headers = new Headers(req.headers);
    headers.delete("host");
    const res = await fetch(upstream + url.pathname + url.search, { method: req.method, headers, body });
    if (url.pathname == "/v1/batch" && res.ok) {
      state.forwarded.push(...(JSON.parse(body!).events as { event_id: string }[]).map((e) => e.event_id));
    }
    const out = new Headers(res.headers);
    out.delete("content-encoding"); // fetch has decoded the body
    out.delete("content-length");
    return new Response(res.body, { status: res.status, headers: out });
  });
  return { origin: `http://127.0.0.1:${server.addr.port}`, state, close: () => server.shutdown() };
}

/** The SDK has replaced the pre-load stub. */
const ready = () => !!(window as unknown as { shoptrail?: { flush?: unknown } }).shoptrail?.flush;
const flush = (page: Page) =>
  page.evaluate(() => (window as unknown as { shoptrail: { flush(): Promise<void> } }).shoptrail.flush());

/** The event ids the SDK keeps in its outboxes in localStorage (`st_q:<page id>`). */
const storedIds = (page: Page) =>
  page.evaluate(() =>
    Object.keys(localStorage).filter((k) => k.startsWith("st_q:"))
      .flatMap((k) => JSON.parse(localStorage.getItem(k)!).e as { event_id: string }[])
      .map((e) => e.event_id)
  );

/** This browser context's anonymous id, which the SDK keeps as JSON under `st_a`. */
async function anonymousId(page: Page): Promise<string> {
  const id = JSON.parse((await page.evaluate(() => localStorage.getItem("st_a")))!) as string;
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`unexpected anonymous id ${JSON.stringify(id)}`);
  return id;
}

type Row = Record<string, string>;

/** Rows of `sql` once `done` holds for them (UInt64 arrive as strings, as from ClickHouse). */
function rowsWhen(pipeline: TestPipeline, sql: string, done: (rows: Row[]) => boolean, what: string) {
  return pollUntil(() => pipeline.rows<Row>(sql), done, { what, deadlineMs: 60_000, intervalMs: 250 });
}

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "the SDK's script tag delivers through the collector, Kafka and ClickHouse (Chromium)",
  ...opts,
  async fn(t) {
    // An empty SDK folder, as in a fresh clone: the start builds the bundle the collector serves.
    const sdkDist = await Deno.makeTempDir({ prefix: "shoptrail-sdk-dist-" });
    const pipeline = await startTestPipeline({ env: { SDK_DIST_DIR: sdkDist } });
    const browser = await launchChromium();
    const collector = pipeline.collectorUrl;
    const elsewhere = otherSite(collector);
    try {
      await t.step("a stack started without an SDK build serves /sdk.js: the start built it", async () => {
        const response = await fetch(`${collector}/sdk.js`);
        const body = new Uint8Array(await response.arrayBuffer());
        assertEquals(response.status, 200);
        assertEquals(body, await Deno.readFile(`${sdkDist}/shoptrail.js`));
      });

      await t.step("the script tag on /demo/ sends a shopper's funnel that reaches ClickHouse", async () => {
        const { page, errors, close } = await open(browser);
        try {
          await page.goto(`${collector}/demo/`);
          await page.waitForFunction(ready);
          await page.click("button.add >> nth=0");
          await page.goto(`${collector}/demo/checkout`);
          await page.click("#place-order");
          await page.waitForURL(`${collector}/demo/thanks`);
          await page.waitForFunction(ready);
          await flush(page);
          const id = await anonymousId(page);
          const expected = [
            { type: "add_to_cart", n: "1" },
            { type: "page_view", n: "3" },
            { type: "purchase", n: "1" },
          ];
          const rows = await rowsWhen(
            pipeline,
            `SELECT toString(type) AS type, count() AS n FROM events WHERE site = 'demo' AND anonymous_id = '${id}' ` +
              "GROUP BY type ORDER BY type",
            (rows) => JSON.stringify(rows) == JSON.stringify(expected),
            "the shopper's events in ClickHouse",
          );
          assertEquals(rows, expected);
          assertEquals(errors, []);
        } finally {
          await close();
        }
      });

      await t.step(
        "product views and checkouts reach ClickHouse with their fields, from the attributes and from script-tag calls",
        async () => {
          const { page, errors, close } = await open(browser);
          try {
            // data-shoptrail-product on the product page: a product view as the SDK loads.
            await page.goto(`${collector}/demo/product?id=sku-tee`);
            await page.waitForFunction(ready);
            await page.click("button.add");
            // data-shoptrail-checkout on the cart's checkout link: begin_checkout, then the link leaves.
            await page.goto(`${collector}/demo/cart`);
            await page.waitForFunction(ready);
            await page.click("#to-checkout");
            await page.waitForURL(`${collector}/demo/checkout`);
            await page.waitForFunction(ready);
            // The same two events from calls on the script tag's API.
            await page.evaluate(() => {
              const st = (window as unknown as { shoptrail: (m: string, o?: unknown) => void }).shoptrail;
              st("viewProduct", { product_id: "sku-cap", name: "Trail cap", price: 18, currency: "EUR" });
              st("beginCheckout");
            });
            await flush(page);
            const id = await anonymousId(page);
            const expected = [
              {
                type: "product_view",
                path: "/demo/product",
                product_id: "sku-tee",
                product_name: "Trail tee",
                category: "Apparel",
                price: 24,
                currency: "EUR",
                value: 0,
                items: [],
              },
              {
                type: "begin_checkout",
                path: "/demo/cart",
                product_id: "",
                product_name: "",
                category: "",
                price: 0,
                currency: "EUR",
                value: 24,
                items: [["sku-tee", 1, 24]],
              },
              {
                type: "product_view",
                path: "/demo/checkout",
                product_id: "sku-cap",
                product_name: "Trail cap",
                category: "",
                price: 18,
                currency: "EUR",
                value: 0,
                items: [],
              },
              {
                type: "begin_checkout",
                path: "/demo/checkout",
                product_id: "",
                product_name: "",
                category: "",
                price: 0,
                currency: "",
                value: 0,
                items: [],
              },
            ];
            // A begin_checkout's value is stored in `revenue` (contract/kafka_line.ts).
            const rows = await rowsWhen(
              pipeline,
              "SELECT toString(type) AS type, path(url) AS path, product_id, product_name, " +
                "toString(category) AS category, toFloat64(price) AS price, toString(currency) AS currency, " +
                "toFloat64(revenue) AS value, arrayMap(i -> (i.1, i.2, toFloat64(i.3)), items) AS items " +
                `FROM events WHERE site = 'demo' AND anonymous_id = '${id}' ` +
                "AND type IN ('product_view', 'begin_checkout') ORDER BY client_ts, event_id",
              (rows) => rows.length >= expected.length,
              "the shopper's product views and checkouts in ClickHouse",
            );
            assertEquals(rows, expected as unknown as Row[]);
            assertEquals(errors, []);
          } finally {
            await close();
          }
        },
      );

      await t.step(
        "a shop on another origin reads the collector's answers through CORS and sends once",
        async () => {
          const { page, errors, close } = await open(browser);
          try {
            await page.goto(elsewhere.url + "shop");
            await page.waitForFunction(ready);
            await page.evaluate(() =>
              (window as unknown as { shoptrail: (m: string, o: unknown) => void }).shoptrail("addToCart", {
                product_id: "sku-mug",
                price: 12.5,
                quantity: 1,
                currency: "EUR",
              })
            );
            await flush(page);
            // Without Access-Control-Allow-Origin the SDK could not read the 202: it would keep the
            // events stored and send them again.
            await pollUntil(() => storedIds(page), (ids) => ids.length == 0, {
              what: "an empty outbox",
              deadlineMs: 10_000,
            });
            const id = await anonymousId(page);
            const [r] = await rowsWhen(
              pipeline,
              `SELECT count() AS n, uniqExact(event_id) AS ids FROM events WHERE site = 'demo' AND anonymous_id = '${id}'`,
              ([r]) => Number(r.n) >= 2,
              "the other shop's events",
            );
            assertEquals(r, { n: "2", ids: "2" });
            assertEquals(errors, []);
          } finally {
            await close();
          }
        },
      );

      await t.step(
        "a purchase followed at once by navigation to another origin is delivered, 50 of 50, none twice",
        async () => {
          const { page, errors, close } = await open(browser);
          const prefix = `b-${crypto.randomUUID().slice(0, 8)}-`;
          const runs = 50;
          try {
            for (let i = 0; i < runs; i++) {
              await page.goto(`${collector}/demo/`);
              await page.waitForFunction(ready);
              await page.evaluate(({ id, to }) => {
                const st = (window as unknown as { shoptrail: (m: string, o: unknown) => void }).shoptrail;
                st("purchase", {
                  order_id: id,
                  revenue: 10,
                  currency: "EUR",
                  items: [{ product_id: "p", quantity: 1, price: 10 }],
                });
                location.href = to;
              }, { id: prefix + i, to: elsewhere.url });
              await page.waitForURL(elsewhere.url);
            }
            const count = `SELECT count() AS n, uniqExact(event_id) AS ids, uniqExact(order_id) AS orders ` +
              `FROM events WHERE site = 'demo' AND type = 'purchase' AND startsWith(order_id, '${prefix}')`;
            await rowsWhen(
              pipeline,
              count,
              ([r]) => Number(r.orders) >= runs,
              `${runs} purchases in ClickHouse`,
            );
            // One more load of the shop, which would resend anything still stored; once its own
            // page view is in ClickHouse (same session, so same partition, behind the purchases),
            // any second copy of a purchase would be too.
            // utm_* is kept in stored URLs (other query parameters are dropped for privacy).
            const last = `${collector}/demo/?utm_content=${prefix}`;
            await page.goto(last);
            await page.waitForFunction(ready);
            await flush(page);
            await rowsWhen(
              pipeline,
              `SELECT count() AS n FROM events WHERE site = 'demo' AND type = 'page_view' AND url = '${last}'`,
              ([r]) => Number(r.n) >= 1,
              "the settling page view",
            );
            const [r] = await pipeline.rows<Row>(count);
            console.log(
              `(b) on the real pipeline: ${r.orders}/${runs} orders delivered; ${r.n} purchase rows, ` +
                `${r.ids} distinct event ids`,
            );
            assertEquals(Number(r.orders), runs, "all delivered");
            assertEquals(Number(r.ids), runs, "one purchase event per order");
            assertEquals(Number(r.n), runs, "none delivered twice");
            assertEquals(errors, []);
          } finally {
            await close();
          }
        },
      );

      await t.step(
        "with the collector answering 503 (stand-in proxy), events are stored, survive a reload and arrive once",
        async () => {
          const proxy = standInProxy(collector);
          const { page, errors, close } = await open(browser);
          try {
            proxy.state.down = true;
            await page.goto(`${proxy.origin}/demo/`);
            await page.waitForFunction(ready);
            await page.click("button.add >> nth=0");
            await page.click("button.add >> nth=1");
            await flush(page);
            await pollUntil(() => Promise.resolve(proxy.state.refused), (n) => n > 0, {
              what: "a refused batch",
            });
            const stored = await storedIds(page);
            assertEquals(stored.length, 3, "page_view and two add_to_cart stored");
            await page.reload();
            await page.waitForFunction(ready);
            proxy.state.down = false;
            const id = await anonymousId(page);
            const mine = `FROM events WHERE site = 'demo' AND anonymous_id = '${id}'`;
            const ids = stored.map((e) => `'${e}'`).join(",");
            await rowsWhen(
              pipeline,
              `SELECT count() AS n FROM events WHERE event_id IN (${ids})`,
              ([r]) => Number(r.n) >= 3,
              "the stored events in ClickHouse",
            );
            // The reload's page view, then one more load that would resend anything still stored.
            await rowsWhen(
              pipeline,
              `SELECT count() AS n ${mine}`,
              ([r]) => Number(r.n) >= 4,
              "the reload's page view",
            );
            await page.reload();
            await page.waitForFunction(ready);
            await flush(page);
            const [r] = await rowsWhen(
              pipeline,
              `SELECT count() AS n, uniqExact(event_id) AS ids, countIf(type = 'page_view') AS views ${mine}`,
              ([r]) => Number(r.views) >= 3,
              "the last page view",
            );
            assertEquals(r, { n: "5", ids: "5", views: "3" }, "each event once: 3 page views, 2 add_to_cart");
            assertEquals(
              proxy.state.forwarded.length,
              new Set(proxy.state.forwarded).size,
              "none forwarded twice",
            );
            assertEquals(errors, []);
          } finally {
            await close();
            await proxy.close();
          }
        },
      );

      await t.step("SPA navigation yields exactly one page_view per route change", async () => {
        const { page, errors, close } = await open(browser);
        try {
          await page.goto(`${collector}/demo/`);
          await page.waitForFunction(ready);
          await page.evaluate(async () => {
            const tick = () => new Promise((r) => setTimeout(r, 20));
            history.pushState({}, "", "/demo/cart");
            await tick();
            history.replaceState({ scrolled: true }, ""); // same URL: no page view
            history.pushState({}, "", "/demo/checkout");
            await tick();
            history.back(); // popstate to /demo/cart
            await tick();
            history.pushState({}, "", "#summary"); // hash only: not a navigation
            await tick();
          });
          // A marker after the navigations: same session, so same partition, behind the page views.
          await page.click("button.add >> nth=0");
          await flush(page);
          const id = await anonymousId(page);
          await rowsWhen(
            pipeline,
            `SELECT count() AS n FROM events WHERE site = 'demo' AND anonymous_id = '${id}' AND type = 'add_to_cart'`,
            ([r]) => Number(r.n) >= 1,
            "the marker event",
          );
          const views = await pipeline.rows<{ path: string }>(
            `SELECT path(url) AS path FROM events WHERE site = 'demo' AND anonymous_id = '${id}' ` +
              "AND type = 'page_view' ORDER BY client_ts, event_id",
          );
          assertEquals(views.map((v) => v.path), ["/demo/", "/demo/cart", "/demo/checkout", "/demo/cart"]);
          assertEquals(errors, []);
        } finally {
          await close();
        }
      });
    } finally {
      await browser.close().catch(() => {});
      await elsewhere.close();
      await pipeline.stop();
      await Deno.remove(sdkDist, { recursive: true });
    }
  },
});
