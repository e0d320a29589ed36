// Ground truth, end to end: a seeded shop's traffic with duplicates, replayed orders and late
// events goes through the real collector, Kafka and ClickHouse; every analytics table must equal
// what loadtest/truth/ computes in plain TypeScript: counts and distinct counts exactly,
// money to the cent, rates and statistics to their rounding. Two more shops, in Sydney and Los
// Angeles, have traffic across their midnights: their days and hours are their time zone's. The
// traffic, the replay and the comparison live in tests/helpers/truth_*.ts.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { topicsFromEnv } from "../contract/mod.ts";
import { buildCatalogue } from "../loadtest/catalogue.ts";
import { analyticsTruth, dimProductOfSites } from "../loadtest/truth/tables.ts";
import { type Panels, RANGES } from "../processor/dashboard/panels.ts";
import {
  PANEL_QUERIES,
  type PanelQuery,
  QUERIES_DIR,
  readQueryFiles,
} from "../processor/dashboard/queries.ts";
import { pollUntil, sqlFileRows, startTestPipeline } from "../stack/testing.ts";
import { assertChainedSums } from "./helpers/chained_sums.ts";
import { assertTable, readStamps, type SqlRow, tableChecks } from "./helpers/truth_compare.ts";
import { readEverythingTwice } from "./helpers/truth_replay.ts";
import {
  batches,
  buildDataset,
  midnightDataset,
  MINUTE,
  NOT_EVENTS,
  sendTraffic,
  type Sent,
  SITE,
  SITES,
  sitesFile,
  skewedCopies,
  WATERMARK_MS,
} from "./helpers/truth_traffic.ts";

Deno.test("every analytics table equals the TypeScript ground truth after duplicates, replays and late events", async (t) => {
  const sites = sitesFile();
  const pipeline = await startTestPipeline({ env: { COLLECTOR_SITES_FILE: sites } });
  try {
    const catalogue = buildCatalogue({ seed: 77, products: 120, users: 400 });
    const topics = topicsFromEnv((name) => pipeline.env[name]);
    const now = Date.now();
    const emissions = buildDataset(now, catalogue);
    const sent = batches(emissions);
    sent.push(sent[0]); // an SDK retry of a whole batch whose response was lost
    sent.push(...skewedCopies(emissions, now));
    const zoneSites = SITES.filter((s) => s.id !== SITE);
    for (const site of zoneSites) sent.push(...batches(midnightDataset(now, catalogue, site), 60, site.id));

    let deliveries = 0;
    let accepted: Sent["accepted"] = [];
    let refused: Sent["refused"] = {};
    await t.step("catalogue, three malformed messages and the traffic are accepted", async () => {
      ({ deliveries, accepted, refused } = await sendTraffic(pipeline, { topics, catalogue, sent }));
    });

    await t.step("everything arrives in ClickHouse", async () => {
      const users = catalogue.users.filter((u) => u.user_id).length;
      const errorLines = NOT_EVENTS.flatMap((m) => m.split("\n")).filter((line) => line !== "");
      const expected = {
        events: String(deliveries),
        products: "120",
        users: String(users),
        errors: String(errorLines.length),
      };
      await pollUntil(
        () =>
          pipeline.rows<Record<string, string>>(
            `SELECT (SELECT count() FROM events) AS events,
              (SELECT count() FROM products FINAL) AS products, (SELECT count() FROM users FINAL) AS users,
              (SELECT count() FROM ingest_errors) AS errors`,
          ),
        (rows) => JSON.stringify(rows[0]) === JSON.stringify(expected),
        { what: "all messages in ClickHouse", deadlineMs: 120_000, intervalMs: 250 },
      );
      const errors = await pipeline.rows<{ raw_message: string }>("SELECT raw_message FROM ingest_errors");
      assertEquals(errors.map((e) => e.raw_message).sort(), errorLines.sort());
    });

    await t.step(
      "the processor is killed and its consumer group forgotten: ClickHouse reads every message a second time",
      () => readEverythingTwice(pipeline, deliveries),
    );

    const stampsOf = Object.fromEntries(
      await Promise.all(SITES.map(async (s) => [s.id, await readStamps(pipeline, s.id)] as const)),
    );
    /** A site's truth, with the query's now() for the views that depend on it. */
    const truthOf = (site: (typeof SITES)[number], now: number) =>
      analyticsTruth({
        site: site.id,
        sent: accepted,
        deliveries: stampsOf[site.id],
        catalogue,
        watermarkMs: WATERMARK_MS,
        now,
        settings: site,
      });
    // The query's now() for the views that depend on it, taken in the same query as their rows.
    const [{ q }] = await pipeline.rows<{ q: string }>("SELECT toUnixTimestamp64Milli(now64(3)) AS q");
    const truth = truthOf(SITES[0], Number(q));
    // dim_product counts every site's activity.
    truth.dim_product = dimProductOfSites(SITES.map((s) => truthOf(s, Number(q)).dim_product));
    console.log("dataset:", JSON.stringify({ deliveries, refused, ...truth.stats }));
    ok(
      truth.stats.duplicates > 0 && truth.stats.replays > 0 && truth.stats.late > 0,
      "the dataset exercises every fault",
    );
    ok(truth.funnel_1m.length > 0 && truth.revenue_hop.length > 0, "the live windows have data");
    ok(
      truth.funnel_1h.some((r) => r.product_viewers > 0 && r.checkout_starters > 0),
      "the dataset has product views and checkouts",
    );

    /** One dashboard refresh of the truth site, as the page asks for it. */
    const refreshOf = async (range: string) => {
      const response = await fetch(
        new URL(`/dashboard/api/panels?site=${SITE}&range=${range}`, pipeline.sql.url),
        {
          headers: {
            Authorization: `Basic ${btoa(`${pipeline.sql.user}:${pipeline.sql.password}`)}`,
            "X-Requested-With": "test",
          },
        },
      );
      assertEquals(response.status, 200, await response.clone().text());
      return await response.json() as Panels;
    };
    const site = `WHERE site = '${SITE}'`;
    for (const [name, sql, expected, key] of tableChecks(truth, SITE)) {
      await t.step(`${name} equals the truth (${expected.length} rows)`, async () => {
        assertTable(name, await pipeline.rows(sql), expected, key);
      });
    }

    await t.step(
      "abandoned_carts, cart_abandonment and revenue_anomalies equal the truth at the query's now()",
      async () => {
        const carts = await pipeline.rows<SqlRow>(
          `SELECT *, toUnixTimestamp64Milli(now64(3)) AS q FROM abandoned_carts ${site}`,
        );
        const nowOf = (rows: SqlRow[]) => rows.length ? Number(rows[0].q) : Number(q);
        const strip = (rows: SqlRow[]) => rows.map(({ q: _, ...r }) => r);
        const at = (rows: SqlRow[]) => truthOf(SITES[0], nowOf(rows));
        assertTable("abandoned_carts", strip(carts), at(carts).abandoned_carts, ["session_id"]);
        const hourly = await pipeline.rows<SqlRow>(
          `SELECT *, toUnixTimestamp64Milli(now64(3)) AS q FROM cart_abandonment ${site}`,
        );
        assertTable("cart_abandonment", strip(hourly), at(hourly).cart_abandonment, ["hour"]);
        const hours = at(hourly).cart_abandonment;
        ok(
          hours.some((h) => h.cart_abandoned_sessions > 0) &&
            hours.some((h) => h.checkout_abandoned_sessions > 0),
          "carts are abandoned in the cart and in the checkout",
        );
        const anomalies = await pipeline.rows<SqlRow>(
          `SELECT *, toUnixTimestamp64Milli(now64(3)) AS q FROM revenue_anomalies ${site}`,
        );
        const expected = at(anomalies).revenue_anomalies;
        assertTable("revenue_anomalies", strip(anomalies), expected, ["currency", "bucket_start"]);
        ok(expected.some((r) => r.flagged === 1), "the spike is flagged");
      },
    );

    await t.step(
      "each dashboard panel of the refresh document equals its SQL file run with the refresh's parameters",
      async () => {
        const panels: [PanelQuery, keyof Panels][] = [
          ["funnel", "funnel"],
          ["revenue_sliding", "revenueSliding"],
          ["revenue_totals", "revenueTotals"],
          ["kpis", "kpis"],
          ["top_products", "topProducts"],
        ];
        const queries = await readQueryFiles(PANEL_QUERIES, QUERIES_DIR);
        for (const range of Object.keys(RANGES)) {
          // A cart's fate depends on the query's now() (open for 30 minutes): one that flips
          // between the two reads is the only honest difference, so a mismatch is read again.
          let scoped: Record<string, unknown> = {};
          let whole: Record<string, unknown> = {};
          let params: Record<string, string> = {};
          for (let attempt = 0; attempt < 3; attempt++) {
            const refresh = await refreshOf(range);
            params = refresh.params;
            scoped = Object.fromEntries(panels.map(([, key]) => [key, refresh[key]]));
            whole = Object.fromEntries(
              await Promise.all(panels.map(async ([name, key]) => {
                const rows = await sqlFileRows(pipeline, queries[name], refresh.params);
                return [key, key === "kpis" ? rows[0] ?? {} : rows];
              })),
            );
            if (JSON.stringify(scoped) === JSON.stringify(whole)) break;
          }
          assertEquals(scoped, whole, `range ${range}`);
          // The sliding revenue is summed from the range's minutes: the windows revenue_hop gives.
          const [size, hop] = RANGES[range as keyof typeof RANGES] > 86_400_000 ? [60, 60] : [5, 1];
          const hopRows = await sqlFileRows(
            pipeline,
            `SELECT toUnixTimestamp(window_end) AS t, currency, revenue, orders
            FROM revenue_hop(size_minutes = ${size}, hop_minutes = ${hop})
            WHERE site = {site:String} AND window_end > {from:DateTime('UTC')}
              AND toUnixTimestamp(window_end)
                <= intDiv(toUnixTimestamp({to:DateTime('UTC')}), ${hop * 60}) * ${hop * 60} + ${hop * 60}
            ORDER BY t, currency`,
            params,
          );
          assertEquals(scoped.revenueSliding, hopRows, `range ${range}: revenue_hop(${size}, ${hop})`);
          ok((scoped.funnel as unknown[]).length > 0, `range ${range} has funnel minutes`);
        }
      },
    );

    await t.step("the dashboard's headline numbers equal the truth for each range", async () => {
      for (const range of Object.keys(RANGES)) {
        // Carts turn from open to abandoned with the query's now(): a mismatch is read again.
        let shown: Record<string, unknown> = {};
        let expected: Record<string, unknown> = {};
        for (let attempt = 0; attempt < 3; attempt++) {
          const refresh = await refreshOf(range);
          const { from, to } = refresh;
          // Sessions and page views of the minutes that start in [from, to); carts by their last event.
          const inMinutes = (t: number) =>
            Math.floor(t / MINUTE) * MINUTE >= from && Math.floor(t / MINUTE) * MINUTE < to;
          const truthNow = truthOf(SITES[0], to);
          const started = truthNow.sessions.filter((s) => inMinutes(s.started_at));
          const carts = truthNow.abandoned_carts.filter((c) =>
            (c.last_cart_at as number) >= from && (c.last_cart_at as number) < to
          );
          const count = (status: string) => carts.filter((c) => c.status === status).length;
          expected = {
            sessions: started.length,
            purchase_sessions: started.filter((s) => s.purchased === 1).length,
            page_views: truthNow.counted.filter((e) => e.type === "page_view" && inMinutes(e.t)).length,
            cart_sessions: carts.length,
            abandoned_sessions: count("abandoned"),
            purchased_carts: count("purchased"),
            open_carts: count("open"),
          };
          shown = Object.fromEntries(
            Object.keys(expected).map((k) => [k, Number((refresh.kpis as Record<string, unknown>)[k] ?? 0)]),
          );
          if (JSON.stringify(shown) === JSON.stringify(expected)) break;
        }
        assertEquals(shown, expected, `range ${range}`);
        ok((expected.sessions as number) > 0, `range ${range} has sessions`);
      }
    });

    await t.step(
      "the coarser sums the long ranges read equal the finer tables they are chained from",
      async () => {
        for (const site of SITES) await assertChainedSums(pipeline, site.id);
      },
    );

    await t.step("products and users equal the catalogue", async () => {
      const products = await pipeline.rows<SqlRow>("SELECT id, name, category, price FROM products FINAL");
      assertTable(
        "products",
        products,
        catalogue.products.map((p) => ({ ...p, price: Math.round(p.price * 100) })),
        ["id"],
      );
      const users = await pipeline.rows<SqlRow>("SELECT * EXCEPT updated_at FROM users FINAL");
      const expected = catalogue.users.filter((u) => u.user_id).map((u) => ({
        user_id: u.user_id,
        anonymous_id: u.anonymous_id,
        country: u.country,
        language: u.language,
        currency: u.currency,
        device_type: u.device.type,
        browser: u.device.browser,
        os: u.device.os,
      }));
      assertTable("users", users, expected, ["user_id"]);
    });
    for (const zone of zoneSites) {
      await t.step(
        `${zone.id} (${zone.timeZone}): every table in its days and hours equals the truth`,
        async () => {
          const where = `WHERE site = '${zone.id}'`;
          const [{ q: zq }] = await pipeline.rows<{ q: string }>(
            "SELECT toUnixTimestamp64Milli(now64(3)) AS q",
          );
          const zoneTruth = truthOf(zone, Number(zq));
          assertEquals(zoneTruth.daily_funnel.length, 2, "the traffic crosses the shop's midnight");
          ok(zoneTruth.funnel_1h.some((r) => r.product_viewers > 0), "the shop has product views");
          for (const [name, sql, expected, key] of tableChecks(zoneTruth, zone.id)) {
            if (name !== "dim_product") {
              assertTable(`${zone.id} ${name}`, await pipeline.rows(sql), expected, key);
            }
          }
          // Carts whose fate depends on now(): the truth at the query's now(), read in the same query.
          const carts = await pipeline.rows<SqlRow>(
            `SELECT *, toUnixTimestamp64Milli(now64(3)) AS q FROM abandoned_carts ${where}`,
          );
          const hourly = await pipeline.rows<SqlRow>(
            `SELECT *, toUnixTimestamp64Milli(now64(3)) AS q FROM cart_abandonment ${where}`,
          );
          const at = (rows: SqlRow[]) => truthOf(zone, rows.length ? Number(rows[0].q) : Number(zq));
          const strip = (rows: SqlRow[]) => rows.map(({ q: _, ...r }) => r);
          assertTable(`${zone.id} abandoned_carts`, strip(carts), at(carts).abandoned_carts, ["session_id"]);
          assertTable(`${zone.id} cart_abandonment`, strip(hourly), at(hourly).cart_abandonment, ["hour"]);
        },
      );
    }
  } finally {
    await pipeline.stop();
    await Deno.remove(sites);
  }
});
