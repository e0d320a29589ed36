// The dashboard's breakdowns and filter on a fresh embedded ClickHouse (clickhouse/016_visits.sql), with
// events written straight to `events` in blocks as the Kafka engine would: a visit's attribution fixed by
// its first block, its exit page moved by a later one, an earlier page view arriving last. Then two
// promises of the dashboard: each breakdown row equals the same row read through the filter (the
// aggregate and the read-time path agree), and a filter that every visit passes changes no panel.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { processorConfig } from "../processor/config.ts";
import { EmbeddedEngine } from "../processor/engine/embedded_engine.ts";
import { migrate } from "../processor/migrate.ts";
import { inOwnProcess } from "../lib/own_process.ts";
import { PANEL_QUERIES, QUERIES_DIR, readQueryFiles } from "../processor/dashboard/queries.ts";
import { panelFile, panelParams } from "../processor/dashboard/panels.ts";
import type { Window } from "../processor/dashboard/window.ts";

const MINUTE = 60_000;
/**
 * A minute boundary three hours ago: the last 24 hours read its hour whole (visit_hours) and the minutes
 * of the current hour; the last 7 days read whole days (visit_days) for the visit two days back.
 */
const T0 = Math.floor((Date.now() - 180 * MINUTE) / MINUTE) * MINUTE;

type Row = {
  id: string;
  type: string;
  at: number; // minutes after T0
  user: string;
  session: string;
  path: string;
  referrer?: string;
  utm?: [string, string, string];
  browser?: string;
  device?: string;
  country?: string;
  currency?: string;
  revenue?: number;
  order?: string;
};

const google = {
  referrer: "https://www.google.com/",
  utm: ["google", "cpc", "brand"] as [string, string, string],
};
const facebook = {
  referrer: "https://l.facebook.com/",
  utm: ["facebook", "paid_social", "winter"] as [string, string, string],
};
const laptop = { browser: "Chrome", device: "desktop", country: "DE" };
const phone = { browser: "Firefox", device: "mobile", country: "US" };

/** Three blocks, as three Kafka reads. */
const BLOCKS: Row[][] = [
  [
    { id: "e1", type: "page_view", at: 0, user: "u1", session: "s1", path: "/", ...google, ...laptop },
    { id: "e2", type: "page_view", at: 1, user: "u1", session: "s1", path: "/products/p1", ...laptop },
    { id: "e3", type: "page_view", at: 1, user: "u2", session: "s2", path: "/products/p2", ...phone },
  ],
  [
    { id: "e4", type: "add_to_cart", at: 2, user: "u1", session: "s1", path: "/products/p1", ...laptop },
    { id: "e5", type: "page_view", at: 3, user: "u1", session: "s1", path: "/cart", ...laptop },
    // On the thank-you page, without the UTM tags: still the visit google brought.
    {
      id: "e6",
      type: "purchase",
      at: 4,
      user: "u1",
      session: "s1",
      path: "/thanks",
      ...laptop,
      currency: "EUR",
      revenue: 20,
      order: "o1",
    },
    // The same shopper's next visit, from facebook.
    { id: "e7", type: "page_view", at: 5, user: "u1", session: "s3", path: "/", ...facebook, ...laptop },
    {
      id: "e8",
      type: "purchase",
      at: 6,
      user: "u1",
      session: "s3",
      path: "/thanks",
      ...laptop,
      currency: "USD",
      revenue: 5,
      order: "o2",
    },
  ],
  // s2's earlier page view, read last: the visit's entry and exit stay those already known.
  [{ id: "e9", type: "page_view", at: -1, user: "u2", session: "s2", path: "/late-landing", ...phone }],
  // Two days back, and in the current hour: only in the 7 days, and in every range.
  [
    { id: "e10", type: "page_view", at: -2 * 24 * 60, user: "u3", session: "s4", path: "/", ...phone },
    { id: "e11", type: "page_view", at: 179, user: "u4", session: "s5", path: "/now", ...phone },
  ],
];

const literal = (s: string) => `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

function insert(rows: Row[], offset: number): string {
  const values = rows.map((r, i) => {
    const at = `fromUnixTimestamp64Milli(${T0 + r.at * MINUTE}, 'UTC')`;
    return `(${
      [
        literal(r.id),
        literal(r.type),
        "'s'",
        at,
        at,
        at,
        literal(r.user),
        literal(r.session),
        literal(`https://shop.test${r.path}`),
        literal(r.referrer ?? ""),
        literal(r.utm?.[0] ?? ""),
        literal(r.utm?.[1] ?? ""),
        literal(r.utm?.[2] ?? ""),
        literal(r.browser ?? ""),
        "'Windows'",
        literal(r.device ?? ""),
        literal(r.country ?? ""),
        literal(r.currency ?? ""),
        literal(r.order ?? ""),
        String(r.revenue ?? 0),
        "0",
        String(offset + i),
      ].join(", ")
    })`;
  });
  return `INSERT INTO events (event_id, type, site, event_time, client_ts, received_at, user_key, session_id, url,
    referrer, utm_source, utm_medium, utm_campaign, browser, os, device_type, country, currency, order_id, revenue,
    _partition, _offset) VALUES ${values.join(", ")}`;
}

const NAME = "the dashboard's breakdowns and filter over a fresh embedded ClickHouse";
if (inOwnProcess(import.meta.url, NAME)) {
  const dir = await Deno.makeTempDir({ prefix: "shoptrail-visits-" });
  const engine = new EmbeddedEngine(dir);
  const values = processorConfig(() => undefined).sqlValues;
  await migrate(engine, { values: { ...values, KAFKA_BROKERS: "127.0.0.1:1" } });
  let offset = 0;
  for (const block of BLOCKS) {
    await engine.command(insert(block, offset));
    offset += block.length;
  }
  const queries = await readQueryFiles(PANEL_QUERIES, QUERIES_DIR);
  const to = Math.floor(Date.now() / 1000) * 1000;
  const day: Window = { range: "24h", from: to - 24 * 60 * MINUTE, to, step: 60 };
  const week: Window = { range: "7d", from: to - 7 * 24 * 60 * MINUTE, to, step: 3600 };
  const run = (
    name: (typeof PANEL_QUERIES)[number],
    window: Window,
    filter?: { dimension: string; value: string },
  ) =>
    engine.rows<Record<string, unknown>>(
      queries[panelFile(name, filter as never)],
      panelParams("s", window, filter as never),
    );
  // What the write path stored: every dimension's rows of the day, straight from the minutes.
  const stored = () =>
    engine.rows<Record<string, unknown>>(
      `SELECT dimension, value, uniqCombinedMerge(12)(visitors) AS visitors, sum(visits) AS visits,
         sum(page_views) AS page_views, sum(orders) AS orders, sumMap(revenue) AS revenue
       FROM visit_minutes
       WHERE site = 's' AND bucket >= {from:DateTime('UTC')} AND bucket < {to:DateTime('UTC')}
       GROUP BY dimension, value
       ORDER BY dimension, value`,
      panelParams("s", day, undefined),
    );

  Deno.test("a visit is credited to its first block's source, device and entry page; its exit page moves", async () => {
    const rows = await stored();
    const pick = (dimension: string) =>
      rows.filter((r) => r.dimension === dimension).map((
        r,
      ) => [r.value, r.visits, r.visitors, r.page_views, r.orders, r.revenue]);
    assertEquals(pick("source"), [
      ["(direct)", 2, 2, 3, 0, {}],
      ["google.com", 1, 1, 3, 1, { EUR: 20 }],
      ["l.facebook.com", 1, 1, 1, 1, { USD: 5 }],
    ]);
    assertEquals(pick("utm_campaign"), [["(none)", 2, 2, 3, 0, {}], ["brand", 1, 1, 3, 1, { EUR: 20 }], [
      "winter",
      1,
      1,
      1,
      1,
      { USD: 5 },
    ]]);
    // u1 came twice from Germany: two visits, one visitor, one purchaser with two orders.
    assertEquals(pick("country"), [["DE", 2, 1, 4, 2, { EUR: 20, USD: 5 }], ["US", 2, 2, 3, 0, {}]]);
    // An entry page's row: the visits that entered there, with all their page views and orders.
    assertEquals(pick("entry"), [["/", 2, 1, 4, 2, { EUR: 20, USD: 5 }], ["/now", 1, 1, 1, 0, {}], [
      "/products/p2",
      1,
      1,
      2,
      0,
      {},
    ]]);
    // A page's row counts its own views and viewers; purchases count for the entry page.
    assertEquals(pick("page"), [
      ["/", 0, 1, 2, 0, {}],
      ["/cart", 0, 1, 1, 0, {}],
      ["/late-landing", 0, 1, 1, 0, {}],
      ["/now", 0, 1, 1, 0, {}],
      ["/products/p1", 0, 1, 1, 0, {}],
      ["/products/p2", 0, 1, 1, 0, {}],
    ]);
    const pages = await run("top_pages", day);
    assertEquals(
      pages.map((p) => [p.page, p.visitors, p.page_views, p.entries, p.exits, p.conversion_rate, p.revenue]),
      [
        ["/", 1, 2, 2, 1, 1, { EUR: 20, USD: 5 }],
        ["/cart", 1, 1, 0, 1, 0, {}],
        ["/late-landing", 1, 1, 0, 0, 0, {}],
        ["/now", 1, 1, 1, 1, 0, {}],
        ["/products/p1", 1, 1, 0, 0, 0, {}],
        ["/products/p2", 1, 1, 1, 1, 0, {}],
      ],
    );
  });

  Deno.test("every breakdown row equals the same row read through ?filter= on its own value", async () => {
    for (const window of [day, week]) {
      for (const name of ["sources", "devices", "countries"] as const) {
        for (const row of await run(name, window)) {
          const filter = { dimension: String(row.dimension), value: String(row.value) };
          const same = (await run(name, window, filter)).find((r) =>
            r.dimension === row.dimension && r.value === row.value
          );
          assertEquals(same, row, `${window.range} ${name} ${filter.dimension}:${filter.value}`);
        }
      }
      // A page's own numbers under a filter on that page (the visits that viewed it: their views of it
      // and exits from it), and its entries' under a filter on that entry page.
      for (const row of await run("top_pages", window)) {
        const of = async (dimension: string, keys: string[]) => {
          const rows = await run("top_pages", window, { dimension, value: String(row.page) });
          const same = rows.find((r) => r.page === row.page);
          return keys.map((k) => same?.[k] ?? 0);
        };
        const page = ["visitors", "page_views", "exits"];
        assertEquals(await of("page", page), page.map((k) => row[k]), `${window.range} page:${row.page}`);
        const entry = ["entries", "conversion_rate", "revenue"];
        if (Number(row.entries) > 0) {
          assertEquals(
            await of("entry", entry),
            entry.map((k) => row[k]),
            `${window.range} entry:${row.page}`,
          );
        }
      }
    }
  });

  Deno.test("a filter that every visit passes (os = Windows) changes no panel", async () => {
    const every = { dimension: "os", value: "Windows" };
    for (const window of [day, week]) {
      for (const name of PANEL_QUERIES) {
        if (name.startsWith("filtered_") || ["sites", "kafka_consumers", "ingest_now"].includes(name)) {
          continue;
        }
        const filtered = await run(name, window, every).catch((e) => {
          throw new Error(`${name} filtered: ${e.message}`);
        });
        assertEquals(filtered, await run(name, window), `${window.range} ${name}`);
      }
    }
    // And it does narrow: the US filter keeps u2's visit only.
    const us = { dimension: "country", value: "US" };
    assertEquals((await run("kpis", day, us))[0].sessions, 2);
    assertEquals((await run("funnel_steps", day, us))[0], {
      viewers: 2,
      product_viewers: 0,
      carters: 0,
      checkout_starters: 0,
      purchasers: 0,
      view_to_product_rate: 0,
      product_to_cart_rate: 0,
      cart_to_checkout_rate: 0,
      checkout_to_purchase_rate: 0,
      conversion_rate: 0,
    });
    assertEquals(await run("revenue_totals", day, us), []);
  });

  globalThis.addEventListener("unload", () => {
    engine.close();
  });
}
