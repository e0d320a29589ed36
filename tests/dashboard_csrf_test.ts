// Cross-site request forgery and framing, in Debian's Chromium on the real pipeline. The owner opens
// the dashboard with the SQL password, so the browser holds it; a page of another origin on the
// same host (a second port: the same site to a browser, which then attaches the cached basic-auth
// credentials) tries every way a page can send a request without a CORS preflight — a form, a
// no-cors fetch, a beacon — plus a fetch that needs a preflight, and a frame of the dashboard.
// Each request must arrive carrying the owner's credentials and still be refused, and the engine
// must have run nothing. Then the dashboard opened as http://user:pass@host/dashboard/ must work.
import { deepStrictEqual as assertEquals, match, ok, strictEqual } from "node:assert/strict";
import { ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../stack/chromium.ts";
import { pollUntil, startTestPipeline, type TestPipeline } from "../stack/testing.ts";

/** A page on another port of the processor's host: another origin, but the same site. */
function attackerSite() {
  const html = `<!doctype html><title>another site</title><iframe name="sink"></iframe>`;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(html, { headers: { "content-type": "text/html" } }),
  );
  return { url: `http://127.0.0.1:${server.addr.port}/`, close: () => server.shutdown() };
}

type Exchange = {
  method?: string;
  url?: string;
  sent?: Record<string, string>;
  status?: number;
  received?: Record<string, string>;
};

/**
 * Every request the page's network stack sends, with the headers that went out and the status that
 * came back, from the DevTools protocol: playwright's own events lose the status of a response that
 * Cross-Origin-Resource-Policy then hides from the page.
 */
async function recordExchanges(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  const byId = new Map<string, Exchange>();
  const at = (id: string) => byId.get(id) ?? byId.set(id, {}).get(id)!;
  cdp.on("Network.requestWillBeSent", (e) => {
    Object.assign(at(e.requestId), { method: e.request.method, url: e.request.url });
  });
  cdp.on("Network.requestWillBeSentExtraInfo", (e) => at(e.requestId).sent = lower(e.headers));
  cdp.on("Network.responseReceivedExtraInfo", (e) => {
    Object.assign(at(e.requestId), { status: e.statusCode, received: lower(e.headers) });
  });
  await cdp.send("Network.enable");
  return (method: string, url: string) =>
    [...byId.values()].filter((x) => x.method === method && x.url === url);
}

function lower(headers: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/** The engine's count of SELECT queries so far (a ClickHouse profile event, for the whole process). */
async function selectsRun(p: TestPipeline) {
  const [row] = await p.rows<{ value: string }>(
    "SELECT value FROM system.events WHERE event = 'SelectQuery'",
  );
  return Number(row.value);
}

/** A page collecting what the page itself reports as errors. */
async function open(context: BrowserContext) {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return { page, errors };
}

const ATTACKS: Record<string, (url: string) => unknown> = {
  form: (url: string) => {
    const form = document.createElement("form");
    Object.assign(form, { method: "POST", action: url, enctype: "text/plain", target: "sink" });
    const input = document.createElement("input");
    Object.assign(input, { name: "SELECT 1 --", value: "" });
    form.append(input);
    document.body.append(form);
    form.submit();
  },
  "no-cors fetch": (url: string) =>
    fetch(url, { method: "POST", body: "SELECT 1", mode: "no-cors", credentials: "include" }).then(
      (r) => r.type,
      (e) => `rejected: ${e}`,
    ),
  beacon: (url: string) => navigator.sendBeacon(url, "SELECT 1"),
  "fetch with X-Requested-With": (url: string) =>
    fetch(url, {
      method: "POST",
      body: "SELECT 1",
      credentials: "include",
      headers: { "X-Requested-With": "x" },
    })
      .then((r) => `answered ${r.status}`, (e) => `rejected: ${e}`),
};

Deno.test({
  name: "the processor refuses other origins' requests and frames, and works from a user:pass@ URL",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const p = await startTestPipeline({ env: { ALERTS_CONFIG: "off" } });
    const browser = await launchChromium();
    const attacker = attackerSite();
    const base = new URL(p.sql.url).origin;
    const withPassword = base.replace("//", `//${p.sql.user}:${encodeURIComponent(p.sql.password)}@`);
    try {
      await t.step("curl and @clickhouse/client send no Origin and still run SQL on /", async () => {
        const curl = await fetch(`${base}/`, {
          method: "POST",
          body: "SELECT 1",
          headers: { Authorization: `Basic ${btoa(`${p.sql.user}:${p.sql.password}`)}` },
        });
        assertEquals([curl.status, await curl.text()], [200, "1\n"]);
        const client = createClient({
          url: base,
          username: p.sql.user,
          password: p.sql.password,
          log: { level: ClickHouseLogLevel.OFF },
        });
        try {
          const result = await client.query({ query: "SELECT 2 AS n", format: "JSONEachRow" });
          assertEquals(await result.json(), [{ n: 2 }]);
        } finally {
          await client.close();
        }
      });

      await t.step("a CORS preflight gets no Access-Control-Allow-* anywhere", async () => {
        for (const path of ["/", "/dashboard/api/sql", "/dashboard/api/panels"]) {
          const response = await fetch(`${base}${path}`, {
            method: "OPTIONS",
            headers: {
              Origin: attacker.url.slice(0, -1),
              "Access-Control-Request-Method": "POST",
              "Access-Control-Request-Headers": "x-requested-with",
            },
          });
          await response.body?.cancel();
          const granted = [...response.headers.keys()].filter((h) => h.startsWith("access-control-"));
          assertEquals(granted, [], path);
          ok(response.status >= 400, `${path}: preflight answered ${response.status}`);
        }
      });

      await t.step("another origin's page with the owner's credentials cannot run SQL", async () => {
        const context = await browser.newContext();
        try {
          const { page } = await open(context);
          // The owner opens the console (it runs no SQL by itself): the browser now holds the password.
          await page.goto(`${withPassword}/dashboard/console`);
          await page.goto(attacker.url);
          const exchanges = await recordExchanges(page);
          // What one reading of the count costs the count, so that anything else shows.
          const first = await selectsRun(p);
          const before = await selectsRun(p);
          const ownCost = before - first;
          const outcomes: Record<string, unknown> = {};
          for (const path of ["/", "/dashboard/api/sql"]) {
            for (const [name, attack] of Object.entries(ATTACKS)) {
              outcomes[`${name} ${path}`] = await page.evaluate(attack, `${base}${path}`);
            }
          }
          const answered = (path: string) => exchanges("POST", `${base}${path}`).filter((x) => x.status);
          // form, no-cors fetch and beacon reach the processor; the preflighted fetch never does.
          await pollUntil(
            () => Promise.resolve(["/", "/dashboard/api/sql"].map((path) => answered(path).length)),
            (counts) => counts.every((n) => n === 3),
            { what: "three answered cross-origin POSTs per endpoint", deadlineMs: 10_000 },
          );
          // Chromium keeps the password for the space the owner opened (/dashboard/) and attaches it
          // there: without the origin check, these requests would have run. Other browsers send it to
          // the whole origin; / refuses before it authenticates, with or without it.
          for (const x of answered("/dashboard/api/sql")) {
            match(x.sent?.authorization ?? "", /^Basic /, "the owner's credentials travelled");
          }
          for (const path of ["/dashboard/api/sql", "/"]) {
            for (const x of answered(path)) {
              strictEqual(x.sent?.["sec-fetch-site"], "same-site");
              strictEqual(x.sent?.origin, attacker.url.slice(0, -1));
              strictEqual(x.status, 403, `${path} answered ${x.status} ${JSON.stringify(x.received)}`);
            }
          }
          for (const x of answered("/")) strictEqual(x.received?.["x-clickhouse-exception-code"], "497");
          for (const x of answered("/dashboard/api/sql")) {
            match(x.received?.["content-type"] ?? "", /^application\/json/);
          }
          match(String(outcomes["fetch with X-Requested-With /"]), /^rejected: TypeError/);
          match(String(outcomes["fetch with X-Requested-With /dashboard/api/sql"]), /^rejected: TypeError/);
          strictEqual(await selectsRun(p) - before, ownCost, "the engine ran only the count's own queries");
        } finally {
          await context.close();
        }
      });

      await t.step("another origin cannot frame the dashboard (frame-ancestors 'none')", async () => {
        const context = await browser.newContext();
        try {
          const { page, errors } = await open(context);
          await page.goto(`${withPassword}/dashboard/console`);
          await page.goto(attacker.url);
          const exchanges = await recordExchanges(page);
          await page.evaluate((url) => {
            const frame = document.createElement("iframe");
            frame.src = url;
            document.body.append(frame);
          }, `${base}/dashboard/`);
          await pollUntil(
            () => Promise.resolve(page.frames().map((f) => f.url())),
            (urls) => urls.some((url) => url.startsWith("chrome-error:")),
            { what: "the dashboard's frame replaced by Chromium's error page", deadlineMs: 10_000 },
          );
          ok(errors.some((e) => e.includes("frame-ancestors 'none'")), errors.join("\n"));
          // The page was fetched with the password but never rendered: its scripts never loaded.
          strictEqual(exchanges("GET", `${base}/dashboard/`)[0]?.status, 200);
          assertEquals(exchanges("GET", `${base}/dashboard/assets/dashboard.js`), []);
        } finally {
          await context.close();
        }
      });

      await t.step(
        "the dashboard opened as http://user:pass@host/dashboard/ refreshes its panels",
        async () => {
          const context = await browser.newContext();
          try {
            const { page, errors } = await open(context);
            await page.goto(`${withPassword}/dashboard/?range=15m`);
            // Why the pages build API URLs from location.origin: relative to this page's URL, fetch refuses.
            match(
              await page.evaluate(() => fetch("api/alerts").then(() => "fetched", (e) => String(e))),
              /credentials/,
            );
            await pollUntil(
              () =>
                page.evaluate(() => ({
                  refreshes: Number(
                    document.querySelector<HTMLElement>("#dashboard")!.dataset.refreshes ?? 0,
                  ),
                  problem: document.querySelector<HTMLElement>("#problem")!.hidden
                    ? ""
                    : document.querySelector("#problem")!.textContent,
                })),
              (screen) => screen.refreshes >= 2 && screen.problem === "",
              { what: "two dashboard refreshes and no problem shown", deadlineMs: 30_000, intervalMs: 250 },
            );

            await page.goto(`${withPassword}/dashboard/console`);
            await page.fill("#sql", "SELECT 40 + 2 AS answer");
            await page.click("#run");
            await page.waitForSelector("#results tbody tr", { timeout: 20_000 });
            strictEqual(await page.textContent("#results tbody td"), "42");
            assertEquals(errors, []);
          } finally {
            await context.close();
          }
        },
      );
    } finally {
      await browser.close();
      await attacker.close();
      await p.stop();
    }
  },
});
