// What tests/dashboard_test.ts reads off the dashboard's page, and checks against the SQL files: a
// webhook receiver for the alerts, the screen's numbers as the page shows them, and the assertion
// that they equal what the panels' SQL files answer for the same window.
import { deepStrictEqual as assertEquals, ok, strictEqual } from "node:assert/strict";
import type { Page } from "playwright-core";
import { freePort } from "../../lib/process.ts";
import { sqlFileRows, type TestPipeline } from "../../stack/testing.ts";
import { PANEL_QUERIES, QUERIES_DIR, readQueryFiles } from "../../processor/dashboard/queries.ts";
import type { Alert } from "../../processor/alerts/evaluate.ts";

/**
 * A webhook receiver on a free port, keeping what it got. With `down`, nothing listens on the port (a
 * delivery's connection is refused) until `up()`.
 */
export async function webhookReceiver({ down = false } = {}) {
  const received: Alert[] = [];
  const port = await freePort();
  let server: Deno.HttpServer | undefined;
  const up = () => {
    server ??= Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (request) => {
      received.push(await request.json());
      return new Response(null, { status: 204 });
    });
  };
  if (!down) up();
  return { url: `http://127.0.0.1:${port}/hook`, received, up, close: () => server?.shutdown() };
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
      topPages: table("#top-pages"),
      // The tabbed breakdowns show one dimension at a time: which, and its rows.
      sources: {
        dimension: document.querySelector<HTMLElement>("#sources")!.dataset.dimension,
        rows: table("#sources"),
      },
      devices: {
        dimension: document.querySelector<HTMLElement>("#devices")!.dataset.dimension,
        rows: table("#devices"),
      },
      countries: table("#countries"),
      filters: [...document.querySelectorAll<HTMLElement>("table.breakdown tbody tr")].map((tr) =>
        tr.dataset.filter
      ),
      funnelSteps: Object.fromEntries(
        [...document.querySelectorAll<HTMLElement>("#funnel-steps li")].map((li) =>
          [li.dataset.step!, {
            users: li.dataset.value ?? "",
            rate: Number(li.dataset.rate),
          }] as const
        ),
      ),
      deltas: Object.fromEntries(
        [...document.querySelectorAll<HTMLElement>("[data-delta]")].map((
          el,
        ) => [el.dataset.delta, el.dataset.value]),
      ),
      revenueDelta: {
        currency: document.querySelector<HTMLElement>("#revenue-delta")!.dataset.currency,
        value: document.querySelector<HTMLElement>("#revenue-delta")!.dataset.value,
      },
      filter: main.dataset.filter ?? "",
      files: JSON.parse(main.dataset.files ?? "{}") as Record<string, string>,
      previousParams: JSON.parse(main.dataset.previousParams ?? "{}") as Record<string, string>,
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

/**
 * Each panel (a card with `data-panel`) at the page's width: empty (no table row, list item, chart
 * canvas or step), or wider than its card or the screen. A table may not scroll inside its card either.
 */
export function panelLayout(page: Page) {
  return page.evaluate(() => {
    const bad: string[] = [];
    const cards = [...document.querySelectorAll<HTMLElement>("[data-panel]")];
    for (const card of cards) {
      const name = card.dataset.panel!;
      const filled = card.querySelector("tbody tr, li, canvas");
      if (!filled) bad.push(`${name} is empty`);
      if (card.getBoundingClientRect().right > globalThis.innerWidth + 0.5) {
        bad.push(`${name} is wider than the screen`);
      }
      for (const el of [card, ...card.querySelectorAll<HTMLElement>(".table-wrap, .chart, .steps")]) {
        if (el.scrollWidth > el.clientWidth + 1) bad.push(`${name}: ${el.className || "card"} overflows`);
      }
    }
    return {
      panels: cards.length,
      bad,
      page: document.documentElement.scrollWidth,
      screen: globalThis.innerWidth,
    };
  });
}

/**
 * Every KPI and its change, revenue total, top-product, top-page and breakdown row, the funnel's steps
 * and its last bucket on screen equal the SQL files the refresh ran (`files`: the filtered forms
 * under a filter) with the page's own parameters.
 */
export async function assertShowsSql(p: TestPipeline, screen: Screen) {
  const queries = await readQueryFiles(PANEL_QUERIES, QUERIES_DIR);
  const file = (panel: string) => queries[(screen.files[panel] ?? panel) as keyof typeof queries];
  const rowsOf = (panel: string, params = screen.params) => sqlFileRows(p, file(panel), params);
  const [kpis] = await rowsOf("kpis");
  const [previous] = await rowsOf("previous_kpis", screen.previousParams);
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
  // The change against the previous period of the same length: relative for counts, in points for rates.
  for (const [metric, shown] of Object.entries(screen.deltas)) {
    const key = metric.split(".")[1];
    const [now, before] = [Number(kpis[key]), Number(previous[key])];
    const expected = key.endsWith("_rate") ? now - before : before === 0 ? null : (now - before) / before;
    strictEqual(shown, expected === null ? "" : String(expected), `change of ${metric}`);
  }
  ok(Number(kpis.sessions) > 0);
  strictEqual(
    screen.metrics["kpis.sessions"].text,
    new Intl.NumberFormat("en-US").format(Number(kpis.sessions)),
  );
  const revenue = await rowsOf("revenue_totals");
  assertEquals(screen.revenueTotals, revenue);
  if (revenue[0]) {
    const before = (await rowsOf("previous_revenue_totals", screen.previousParams))
      .find((r) => r.currency === revenue[0].currency);
    const [now, was] = [Number(revenue[0].revenue), Number(before?.revenue ?? 0)];
    assertEquals(screen.revenueDelta, {
      currency: revenue[0].currency,
      value: was === 0 ? "" : String((now - was) / was),
    });
  }
  const products = await rowsOf("top_products");
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
  const cell = (v: unknown) => typeof v === "object" ? JSON.stringify(v) : String(v);
  const pick = (rows: Record<string, unknown>[], keys: string[]) =>
    rows.map((r) => Object.fromEntries(keys.map((k) => [k, cell(r[k])])));
  const BREAKDOWN = ["value", "visitors", "visits", "page_views", "conversion_rate", "revenue"];
  assertEquals(
    screen.topPages,
    pick(await rowsOf("top_pages"), [
      "page",
      "visitors",
      "page_views",
      "entries",
      "exits",
      "conversion_rate",
      "revenue",
    ]),
  );
  for (const panel of ["sources", "devices"] as const) {
    const { dimension, rows } = screen[panel];
    const expected = (await rowsOf(panel)).filter((r) => r.dimension === dimension);
    assertEquals(rows, pick(expected, BREAKDOWN), `${panel} (${dimension})`);
  }
  assertEquals(screen.countries, pick(await rowsOf("countries"), BREAKDOWN));
  const [steps] = await rowsOf("funnel_steps");
  ok(Number(steps.viewers) > 0, "the funnel's first step has users");
  for (const [key, shown] of Object.entries(screen.funnelSteps)) {
    strictEqual(shown.users, String(steps[key]), `funnel step ${key}`);
  }
  // The bar chart shows the steps the SQL file has, in the funnel's order, each with its share of the one before.
  const order = ["viewers", "product_viewers", "carters", "checkout_starters", "purchasers"].filter((k) =>
    k in steps
  );
  assertEquals(Object.keys(screen.funnelSteps), order);
  order.forEach((key, i) => {
    const before = Number(steps[order[Math.max(0, i - 1)]]);
    const share = i === 0 ? 1 : before === 0 ? 0 : Number(steps[key]) / before;
    strictEqual(screen.funnelSteps[key].rate, share, `funnel step ${key}'s share of the step before`);
  });
  const funnel = await rowsOf("funnel");
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
