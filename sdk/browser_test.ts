// Real-browser tests: Debian's Chromium driven by playwright-core, loading the built IIFE.
// These use a stand-in collector (Deno.serve on a free port) for what needs no Kafka: it serves
// sdkRoutes() and records each POST /v1/batch. The end-to-end test through Kafka and ClickHouse
// belongs with the shared pipeline harness (stack/testing.ts) once the collector mounts sdkRoutes.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { Hono } from "hono";
import { build } from "./build.ts";
import { sdkRoutes } from "./serve.ts";
import type { BatchBody, Event } from "./types.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

async function launch(): Promise<BrowserContext> {
  const found = await Deno.stat(CHROMIUM).then(() => true, () => false);
  if (!found) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install it with 'apt-get install -y chromium' (the stack bootstrap does).`,
    );
  }
  const profile = await Deno.makeTempDir({ prefix: "shoptrail-chromium-" });
  // A fresh profile each time (playwright passes it as --user-data-dir).
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A stand-in collector: records accepted batches; `down` makes it answer 503 like a failing one. */
function standIn(script: Uint8Array) {
  const accepted: BatchBody[] = [];
  const state = { down: false, refused: 0 };
  const app = new Hono();
  app.route("/", sdkRoutes({ script }));
  app.post("/v1/batch", async (c) => {
    const body = JSON.parse(await c.req.text()) as BatchBody;
    if (state.down) {
      state.refused++;
      return c.json({ error: { code: "unavailable", message: "stand-in is down" } }, 503, {
        "retry-after": "1",
      });
    }
    accepted.push(body);
    return c.json({ accepted: body.events.length }, 202);
  });
  app.get("/elsewhere", (c) => c.html("<p>another site</p>"));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const origin = `http://127.0.0.1:${server.addr.port}`;
  return {
    origin,
    state,
    accepted,
    get events(): Event[] {
      return accepted.flatMap((b) => b.events);
    },
    close: () => server.shutdown(),
  };
}

async function waitFor(what: string, done: () => boolean, ms = 15_000) {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let script: Uint8Array | undefined;
async function setup() {
  script ??= await build().then(() => Deno.readFile(new URL("dist/shoptrail.js", import.meta.url)));
  const collector = standIn(script!);
  const browser = await launch();
  const page: Page = browser.pages()[0] ?? await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Failed loads (the 503s, the missing favicon) are the network's business, not page errors.
  page.on(
    "console",
    (m) => m.type() == "error" && !m.text().startsWith("Failed to load") && errors.push(m.text()),
  );
  return {
    collector,
    page,
    errors,
    async close() {
      await browser.close();
      await collector.close();
    },
  };
}

/** The SDK has replaced the pre-load stub. */
const ready = () => !!(window as unknown as { shoptrail?: { flush?: unknown } }).shoptrail?.flush;
const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name:
    "a purchase followed at once by navigation to another origin is delivered, 50 of 50, none twice (stand-in collector)",
  ...opts,
  async fn() {
    const { collector, page, errors, close } = await setup();
    try {
      // Another origin: localhost vs 127.0.0.1 on the same port.
      const elsewhere = collector.origin.replace("127.0.0.1", "localhost") + "/elsewhere";
      const runs = 50;
      for (let i = 0; i < runs; i++) {
        await page.goto(collector.origin + "/demo/");
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
        }, { id: `order-${i}`, to: elsewhere });
        await page.waitForURL(elsewhere);
      }
      await waitFor(
        "50 purchases",
        () => collector.events.filter((e) => e.type == "purchase").length >= runs,
      );
      await new Promise((r) => setTimeout(r, 500)); // room for a late duplicate to show up
      const orders = collector.events.flatMap((e) => e.type == "purchase" ? [e.order_id] : []);
      console.log(
        `delivered ${new Set(orders).size}/${runs} purchases, ${orders.length - new Set(orders).size} twice`,
      );
      assertEquals(new Set(orders).size, runs);
      assertEquals(orders.length, runs, "none twice");
      assertEquals(errors, []);
    } finally {
      await close();
    }
  },
});

Deno.test({
  name:
    "with the collector answering 503, events are stored, survive a reload and arrive once (stand-in collector)",
  ...opts,
  async fn() {
    const { collector, page, errors, close } = await setup();
    try {
      collector.state.down = true;
      await page.goto(collector.origin + "/demo/");
      await page.click("button.add >> nth=0");
      await page.click("button.add >> nth=1");
      await waitFor("a refused batch", () => collector.state.refused > 0);
      const stored = await page.evaluate(() =>
        Object.keys(localStorage).filter((k) => k.startsWith("st_q:"))
          .flatMap((k) => JSON.parse(localStorage.getItem(k)!).e as { event_id: string }[])
          .map((e) => e.event_id)
      );
      assertEquals(stored.length, 3, "page_view and two add_to_cart stored");
      await page.reload();
      collector.state.down = false;
      await waitFor(
        "the stored events",
        () => stored.every((id) => collector.events.some((e) => e.event_id == id)),
      );
      await new Promise((r) => setTimeout(r, 2500)); // the reload's own batch, and any duplicate
      const ids = collector.events.map((e) => e.event_id);
      assertEquals(ids.length, new Set(ids).size, "each event once");
      assertEquals(collector.events.filter((e) => e.type == "page_view").length, 2);
      assertEquals(errors, []);
    } finally {
      await close();
    }
  },
});

Deno.test({
  name: "SPA navigation yields exactly one page_view per route change (stand-in collector)",
  ...opts,
  async fn() {
    const { collector, page, errors, close } = await setup();
    try {
      await page.goto(collector.origin + "/demo/");
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
      await page.waitForTimeout(200);
      await page.evaluate(() =>
        (window as unknown as { shoptrail: { flush(): Promise<void> } }).shoptrail.flush()
      );
      await waitFor("page views", () => collector.events.filter((e) => e.type == "page_view").length >= 4);
      await page.waitForTimeout(300);
      const paths = collector.events.filter((e) => e.type == "page_view").map((e) => new URL(e.url).pathname);
      assertEquals(paths, ["/demo/", "/demo/cart", "/demo/checkout", "/demo/cart"]);
      assertEquals(errors, []);
    } finally {
      await close();
    }
  },
});
