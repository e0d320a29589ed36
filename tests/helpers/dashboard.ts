// What tests/dashboard_test.ts reads off the dashboard's page, and checks against the SQL files: a
// webhook receiver for the alerts, the screen's numbers as the page shows them, and the assertion
// that they equal what the panels' SQL files answer for the same window.
import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import type { Page } from "playwright-core";
import { freePort } from "../../lib/process.ts";
import { sqlFileRows, type TestPipeline } from "../../stack/testing.ts";
import { PANEL_QUERIES, QUERIES_DIR, readQueryFiles } from "../../processor/dashboard/queries.ts";
import type { Alert } from "../../processor/alerts/evaluate.ts";

/** A webhook receiver on a free port, keeping what it got. */
export async function webhookReceiver() {
  const received: Alert[] = [];
  const port = await freePort();
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (request) => {
    received.push(await request.json());
    return new Response(null, { status: 204 });
  });
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => server.shutdown() };
}

/** A query file run through the SQL endpoint with the dashboard's parameters, as a client would. */
/** Everything the page shows, read in one go (rendering is synchronous, so it is one refresh's state). */
export function readScreen(page: Page) {
  return page.evaluate(() => {
    const main = document.querySelector<HTMLElement>("#dashboard")!;
    const metrics: Record<string, { value: string; text: string }> = {};
    for (const el of document.querySelectorAll<HTMLElement>("[data-metric]")) {
      if (!el.closest("tbody")) {
        metrics[el.dataset.metric!] = { value: el.dataset.value ?? "", text: el.textContent ?? "" };
      }
    }
    const table = (sel: string) =>
      [...document.querySelectorAll(`${sel} tbody tr`)].map((tr) =>
        Object.fromEntries(
          [...tr.querySelectorAll<HTMLElement>("td[data-metric]")].map((
            td,
          ) => [td.dataset.metric, td.dataset.value]),
        )
      );
    return {
      to: Number(main.dataset.to),
      from: Number(main.dataset.from),
      refreshes: Number(main.dataset.refreshes ?? 0),
      params: JSON.parse(main.dataset.params ?? "{}") as Record<string, string>,
      metrics,
      revenueTotals: JSON.parse(
        document.querySelector<HTMLElement>("#revenue-totals")!.dataset.value ?? "[]",
      ),
      topProducts: table("#top-products"),
      lag: table("#lag"),
      charts: document.querySelectorAll(".chart .uplot canvas").length,
      firing: [...document.querySelectorAll<HTMLElement>("#alerts-firing [data-alert]")].map((li) =>
        li.dataset.alert
      ),
      recent: [...document.querySelectorAll<HTMLElement>("#alerts-recent [data-alert]")].map((li) =>
        `${li.dataset.alert}:${li.dataset.status}`
      ),
    };
  });
}

export type Screen = Awaited<ReturnType<typeof readScreen>>;

/** Every KPI, revenue total, top-product row and the last funnel bucket on screen equal the SQL files. */
export async function assertShowsSql(p: TestPipeline, screen: Screen) {
  const queries = await readQueryFiles(PANEL_QUERIES, QUERIES_DIR);
  const [kpis] = await sqlFileRows(p, queries.kpis, screen.params);
  for (
    const key of [
      "sessions",
      "purchase_sessions",
      "conversion_rate",
      "page_views",
      "abandoned_sessions",
      "purchased_carts",
      "open_carts",
      "cart_abandonment_rate",
    ]
  ) {
    strictEqual(screen.metrics[`kpis.${key}`].value, String(kpis[key]), `kpis.${key}`);
  }
  ok(Number(kpis.sessions) > 0);
  strictEqual(
    screen.metrics["kpis.sessions"].text,
    new Intl.NumberFormat("en-US").format(Number(kpis.sessions)),
  );
  assertEquals(screen.revenueTotals, await sqlFileRows(p, queries.revenue_totals, screen.params));
  const products = await sqlFileRows(p, queries.top_products, screen.params);
  assertEquals(
    screen.topProducts,
    products.map((r) => ({
      product_id: r.product_id,
      views: r.views,
      cart_adds: r.cart_adds,
      units: r.units,
      orders: r.orders,
    })),
  );
  const funnel = await sqlFileRows(p, queries.funnel, screen.params);
  const minute = Number(screen.metrics["funnelLast.minute"].value);
  const row = funnel.find((r) => Number(r.t) === minute) ?? { viewers: 0, carters: 0, purchasers: 0 };
  for (const key of ["viewers", "carters", "purchasers"]) {
    strictEqual(
      screen.metrics[`funnelLast.${key}`].value,
      String(row[key as keyof typeof row]),
      `funnel ${key}`,
    );
  }
}
