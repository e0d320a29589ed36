// Comparing ClickHouse's rows with the truth: SQL output in the truth's units, fields compared within
// their rounding, and the analytics tables the truth test reads with the key that matches their rows.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import type { Delivery } from "../../loadtest/truth/tables.ts";
import type { analyticsTruth } from "../../loadtest/truth/tables.ts";
import type { TestPipeline } from "../../stack/testing.ts";

export type SqlRow = Record<string, unknown>;
const MONEY = new Set(["revenue", "aov", "lifetime_value", "price", "line_revenue"]);
const DATETIME = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)?)?$/;

/** SQL output in the truth's units: times as Unix ms, money as cents, 64-bit integers as numbers. */
export function normalize(row: SqlRow): SqlRow {
  const out: SqlRow = {};
  for (const [k, v] of Object.entries(row)) {
    if (MONEY.has(k) && v !== null && typeof v === "object") {
      out[k] = Object.fromEntries(Object.entries(v).map(([c, x]) => [c, Math.round(Number(x) * 100)]));
    } else if (MONEY.has(k)) out[k] = Math.round(Number(v) * 100);
    else if (typeof v === "string" && DATETIME.test(v)) {
      out[k] = Date.parse(v.replace(" ", "T") + (v.length === 10 ? "T00:00:00Z" : "Z"));
    } else if (typeof v === "string" && /^-?\d+$/.test(v) && k !== "value") out[k] = Number(v);
    else out[k] = v;
  }
  return out;
}

/** Fields compared within a tolerance: rates rounded to 4 places, statistics rounded for display. */
export const TOLERANCE: Record<string, number> = {
  view_to_cart_rate: 1e-4,
  cart_to_buy_rate: 1e-4,
  cart_to_purchase_rate: 1e-4,
  conversion_rate: 1e-4,
  view_to_product_rate: 1e-4,
  product_to_cart_rate: 1e-4,
  cart_to_checkout_rate: 1e-4,
  checkout_to_purchase_rate: 1e-4,
  abandonment_rate: 1e-4,
  bounce_rate: 1e-4,
  duration_s: 1e-9,
  trailing_mean_revenue: 0.01,
  trailing_stddev_revenue: 0.01,
  revenue_z: 1e-3,
  orders_z: 1e-3,
};

export function assertTable(name: string, actualRows: SqlRow[], expectedRows: SqlRow[], key: string[]) {
  const k = (r: SqlRow) => JSON.stringify(key.map((f) => r[f]));
  const sort = (rows: SqlRow[]) => [...rows].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
  const actual = sort(actualRows.map(normalize));
  const expected = sort(expectedRows);
  assertEquals(actual.map(k), expected.map(k), `${name}: rows differ by key`);
  actual.forEach((row, i) => {
    const want = { ...expected[i] };
    for (const [field, tolerance] of Object.entries(TOLERANCE)) {
      if (!(field in want) || want[field] === null || row[field] === null) continue;
      ok(
        Math.abs(Number(row[field]) - Number(want[field])) <= tolerance + 1e-12,
        `${name} ${k(row)}: ${field} is ${row[field]}, the truth says ${want[field]}`,
      );
      want[field] = row[field];
    }
    assertEquals(row, want, `${name} ${k(row)}`);
  });
}

/** Each delivery of the site as ClickHouse read it, with the stamps only the collector and Kafka know. */
export async function readStamps(pipeline: TestPipeline, site: string): Promise<Delivery[]> {
  return (await pipeline.rows<Record<string, string | number>>(
    `SELECT event_id, toUnixTimestamp64Milli(event_time) AS event_time, toUnixTimestamp64Milli(received_at) AS received_at,
      _partition AS partition, _offset AS offset, browser, device_type FROM events WHERE site = '${site}'`,
  )).map((r): Delivery => ({
    event_id: String(r.event_id),
    event_time: Number(r.event_time),
    received_at: Number(r.received_at),
    partition: Number(r.partition),
    offset: Number(r.offset),
    browser: String(r.browser),
    device_type: String(r.device_type),
  }));
}

/** The tables compared row by row: name, query, the truth's rows, the key. */
export function tableChecks(
  truth: ReturnType<typeof analyticsTruth>,
  siteName: string,
): [string, string, Record<string, unknown>[], string[]][] {
  const site = `WHERE site = '${siteName}'`;
  return [
    ["funnel_1m", `SELECT * FROM funnel_1m ${site}`, truth.funnel_1m, ["window_start"]],
    ["funnel_1h", `SELECT * FROM funnel_1h ${site}`, truth.funnel_1h, ["window_start"]],
    [
      "revenue_hop",
      `SELECT * FROM revenue_hop(size_minutes = 5, hop_minutes = 1) ${site}`,
      truth.revenue_hop,
      ["currency", "window_start"],
    ],
    ["session_funnel", `SELECT * FROM session_funnel ${site}`, truth.session_funnel, [
      "period",
      "period_start",
    ]],
    ["sessions", `SELECT * FROM sessions ${site}`, truth.sessions, ["session_id"]],
    ["product_performance", `SELECT * FROM product_performance ${site}`, truth.product_performance, [
      "product_id",
    ]],
    [
      "product_performance_hourly",
      `SELECT * FROM product_performance_hourly ${site}`,
      truth.product_performance_hourly,
      ["hour", "product_id"],
    ],
    ["pageview_metrics", `SELECT * FROM pageview_metrics ${site}`, truth.pageview_metrics, [
      "dimension",
      "value",
    ]],
    ["daily_orders", `SELECT * FROM daily_orders ${site}`, truth.daily_orders, ["day", "currency"]],
    [
      "daily_revenue_by_category",
      `SELECT * FROM daily_revenue_by_category ${site}`,
      truth.daily_revenue_by_category,
      ["day", "category", "currency"],
    ],
    ["daily_funnel", `SELECT * FROM daily_funnel ${site}`, truth.daily_funnel, ["day"]],
    ["dim_user", `SELECT * FROM dim_user ${site}`, truth.dim_user, ["user_key"]],
    ["dim_product", `SELECT * FROM dim_product`, truth.dim_product, ["product_id"]],
    ["hourly_kpis", `SELECT * FROM hourly_kpis ${site}`, truth.hourly_kpis, ["hour"]],
    [
      "late_events",
      `SELECT * EXCEPT (user_key, session_id, order_id, currency, revenue) FROM late_events ${site}`,
      truth.late_events,
      ["event_id"],
    ],
  ];
}
