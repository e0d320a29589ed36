// The coarser aggregate tables are sums chained from finer ones by views (clickhouse/ 010, 011, 012:
// revenue_five_minutes and revenue_hours from revenue_minutes, product_days from product_hours,
// cart_minutes from cart_states). Each must equal its finer table summed to its buckets: what the
// dashboard reads for long ranges is then what the finer tables, checked against the truth, hold.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { TestPipeline } from "../../stack/testing.ts";

/** [coarse table, its rows, the finer table's rows summed to the same buckets], each per site. */
const PAIRS: [string, (site: string) => string, (site: string) => string][] = [
  [
    "revenue_five_minutes",
    (s) =>
      `SELECT currency, bucket_start AS b, sum(orders) AS o, sum(revenue) AS r FROM revenue_five_minutes
            WHERE site = '${s}' GROUP BY currency, b HAVING o != 0 OR r != 0 ORDER BY currency, b`,
    (s) =>
      `SELECT currency, toStartOfFiveMinutes(minute) AS b, sum(orders) AS o, sum(revenue) AS r FROM revenue_minutes
            WHERE site = '${s}' GROUP BY currency, b HAVING o != 0 OR r != 0 ORDER BY currency, b`,
  ],
  [
    "revenue_hours",
    (s) =>
      `SELECT currency, hour AS b, is_late, sum(orders) AS o, sum(units) AS u, sum(revenue) AS r FROM revenue_hours
            WHERE site = '${s}' GROUP BY currency, b, is_late HAVING o != 0 OR u != 0 OR r != 0 ORDER BY currency, b, is_late`,
    (s) =>
      `SELECT currency, toStartOfHour(minute) AS b, is_late, sum(orders) AS o, sum(units) AS u, sum(revenue) AS r
            FROM revenue_minutes WHERE site = '${s}'
            GROUP BY currency, b, is_late HAVING o != 0 OR u != 0 OR r != 0 ORDER BY currency, b, is_late`,
  ],
  [
    "product_days",
    (s) =>
      `SELECT day AS b, product_id, sum(views) AS v, sum(cart_adds) AS c, sum(purchases) AS p, sum(units) AS u
            FROM product_days WHERE site = '${s}'
            GROUP BY b, product_id HAVING v + c + p + u != 0 ORDER BY b, product_id`,
    (s) =>
      `SELECT toDate(hour) AS b, product_id, sum(views) AS v, sum(cart_adds) AS c, sum(purchases) AS p, sum(units) AS u
            FROM product_hours WHERE site = '${s}'
            GROUP BY b, product_id HAVING v + c + p + u != 0 ORDER BY b, product_id`,
  ],
  [
    "cart_minutes",
    (s) =>
      `SELECT minute AS b, sum(carts) AS c, sum(purchased_carts) AS p FROM cart_minutes
            WHERE site = '${s}' GROUP BY b HAVING c != 0 OR p != 0 ORDER BY b`,
    (s) =>
      `SELECT toStartOfMinute(last_cart_at) AS b, sum(carts) AS c, sum(purchased_carts) AS p FROM cart_states
            WHERE site = '${s}' GROUP BY b HAVING c != 0 OR p != 0 ORDER BY b`,
  ],
];

/** Asserts that each coarser table of `site` equals its finer table summed to its buckets. */
export async function assertChainedSums(pipeline: TestPipeline, site: string) {
  for (const [table, coarse, fine] of PAIRS) {
    const [got, want] = await Promise.all([pipeline.rows(coarse(site)), pipeline.rows(fine(site))]);
    assertEquals(got, want, `${table} differs from the finer table it sums`);
  }
}
