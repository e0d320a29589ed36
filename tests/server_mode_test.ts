// Server mode (CLICKHOUSE_URL): the processor serves its dashboard, console and alerts against a
// ClickHouse server through @clickhouse/client (processor/engine/server_engine.ts). No ClickHouse server
// runs here, but a processor in embedded mode speaks ClickHouse's HTTP interface: processor B runs in
// server mode against processor A's SQL endpoint, as A's read-only SQL user (for its own queries and
// for the console's). Events go through A's collector and Kafka; B's page must show A's numbers.
import { deepStrictEqual as assertEquals, match, ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../stack/chromium.ts";
import { pollUntil, sqlFileRows, startTestPipeline, type TestPipeline } from "../stack/testing.ts";
import { freePort, spawnDeno, stopPid, waitForHttp } from "../lib/process.ts";
import { PANEL_QUERIES, QUERIES_DIR, readQueryFiles } from "../processor/dashboard/queries.ts";
import { assertShowsSql, readScreen } from "./helpers/dashboard.ts";

const SITE = "servermode";
const ROOT = fileURLToPath(new URL("..", import.meta.url));

function events(now: number) {
  const base = (user: string, i: number) => ({
    event_id: crypto.randomUUID(),
    ts: now - 60_000 + i * 1000,
    session_id: `s-${user}`,
    anonymous_id: user,
    url: `https://shop.test/products/p${i % 3}`,
  });
  return [
    ...["u1", "u2", "u3"].flatMap((u, i) => [
      { ...base(u, i), type: "page_view" },
      { ...base(u, i + 3), type: "add_to_cart", product_id: "p1", price: 10, quantity: 1, currency: "EUR" },
    ]),
    {
      ...base("u1", 7),
      type: "purchase",
      order_id: "o-server-mode",
      revenue: 10,
      currency: "EUR",
      items: [{ product_id: "p1", quantity: 1, price: 10 }],
    },
  ];
}

Deno.test("server mode: dashboard, console and alerts against a ClickHouse HTTP server", async (t) => {
  const rules = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(
    rules,
    JSON.stringify({
      evaluateEverySeconds: 1,
      rules: [{ id: "conversion", kind: "conversion_rate", threshold: 0.01, minVolume: 1000 }],
    }),
  );
  const a = await startTestPipeline({ env: { ALERTS_CONFIG: "off" } });
  const dir = await Deno.makeTempDir({ prefix: "shoptrail-server-mode-" });
  const browser = await launchChromium();
  try {
    const response = await fetch(`${a.collectorUrl}/v1/batch`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({ site: SITE, sent_at: Date.now(), events: events(Date.now()) }),
    });
    strictEqual(response.status, 202, await response.text());
    await pollUntil(
      () => a.rows<{ n: string }>(`SELECT count() AS n FROM counted_events WHERE site = '${SITE}'`),
      (r) => Number(r[0].n) === 7,
      { deadlineMs: 60_000, intervalMs: 500, what: "A to count the 7 events" },
    );

    const port = await freePort();
    const password = "server-mode-owner";
    const b = await spawnDeno({
      name: "processor-b",
      script: join(ROOT, "processor/main.ts"),
      dir,
      env: {
        ...a.env,
        CLICKHOUSE_URL: a.sql.url,
        // A keeps the schema, as compose's processor-migrate does for its processor service.
        PROCESSOR_ROLE: "serve",
        // A's SQL user is read-only: B's own queries only read here (its alert state cannot be written:
        // tests/alerts_restart_test.ts covers that on a processor's own user).
        CLICKHOUSE_USER: a.sql.user,
        CLICKHOUSE_PASSWORD: a.sql.password,
        CLICKHOUSE_READER_USER: a.sql.user,
        CLICKHOUSE_READER_PASSWORD: a.sql.password,
        PROCESSOR_PORT: String(port),
        SQL_PASSWORD: password,
        ALERTS_CONFIG: rules,
      },
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/ping`, { deadlineMs: 60_000, service: b });
    const viaB = { ...a, sql: { url: `${base}/`, user: a.sql.user, password } } as TestPipeline;

    await t.step("B's panel document is A's data, each panel equal to its SQL file run on A", async () => {
      const queries = await readQueryFiles(PANEL_QUERIES, QUERIES_DIR);
      const doc = await (await fetch(`${base}/dashboard/api/panels?site=${SITE}&range=1h`, {
        headers: { Authorization: `Basic ${btoa(`${a.sql.user}:${password}`)}`, "X-Requested-With": "test" },
      })).json();
      strictEqual(doc.kpis.page_views, (await sqlFileRows(a, queries.kpis, doc.params))[0].page_views);
      strictEqual(Number(doc.kpis.page_views), 3);
      assertEquals(doc.countries, await sqlFileRows(a, queries.countries, doc.params));
      assertEquals(doc.topPages, await sqlFileRows(a, queries.top_pages, doc.params));
      assertEquals(doc.revenueTotals.map((r: { revenue: unknown }) => Number(r.revenue)), [10]);
    });

    await t.step("B's page in Chromium shows what the SQL files answer, through B and on A", async () => {
      const context = await browser.newContext({ httpCredentials: { username: a.sql.user, password } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${base}/dashboard/?site=${SITE}&range=1h`);
      const screen = await pollUntil(
        () => readScreen(page),
        (s) => Number(s.metrics["kpis.page_views"]?.value) > 0,
        {
          deadlineMs: 60_000,
          intervalMs: 500,
          what: "B's dashboard to show page views",
        },
      );
      await assertShowsSql(viaB, screen);
      await assertShowsSql(a, screen);
      // Alerts run in server mode too: the rule reads A through B's own engine.
      await pollUntil(() => page.textContent("#alerts-evaluated"), (text) => /evaluated/.test(text ?? ""), {
        deadlineMs: 30_000,
        intervalMs: 500,
        what: "B's alert rules to be evaluated",
      });
      assertEquals(errors, []);
      await context.close();
    });

    await t.step(
      "B's console runs reads as the server's read-only user, and writes are refused",
      async () => {
        const sql = (statement: string) =>
          fetch(`${base}/dashboard/api/sql`, {
            method: "POST",
            body: statement,
            headers: {
              Authorization: `Basic ${btoa(`${a.sql.user}:${password}`)}`,
              "X-Requested-With": "test",
            },
          });
        const read = await sql(`SELECT count() AS n FROM counted_events WHERE site = '${SITE}'`);
        strictEqual(read.status, 200);
        strictEqual((await read.json()).data[0].n, "7");
        for (const statement of ["DROP TABLE events", "INSERT INTO events (event_id) VALUES ('x')"]) {
          const refused = await sql(statement);
          strictEqual(refused.status, 403, statement);
          match(await refused.text(), /Code: 164/, statement);
        }
        // B's own password guards its pages; A's is not B's.
        const wrong = await fetch(`${base}/dashboard/api/panels`, {
          headers: {
            Authorization: `Basic ${btoa(`${a.sql.user}:${a.sql.password}`)}`,
            "X-Requested-With": "test",
          },
        });
        strictEqual(wrong.status, 401);
        await wrong.body?.cancel();
        ok(Number((await a.rows<{ n: string }>("SELECT count() AS n FROM events"))[0].n) >= 7);
      },
    );
  } finally {
    await stopPid(join(dir, "processor-b.pid"));
    await browser.close();
    await a.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.remove(rules).catch(() => {});
  }
});
