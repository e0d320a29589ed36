// Ground truth for the ClickHouse analytics in plain TypeScript, written from the definitions in
// clickhouse/README.md and not from the SQL. Inputs: the events a test sent, and for each delivery
// the stamps only the collector and Kafka know (event_time, received_at, enrichment, position).
// Output: every table's rows, times in Unix ms, money in integer cents, counts as numbers.
import type { Event } from "../../contract/mod.ts";
import type { Catalogue } from "../catalogue.ts";
import { countDeliveries, type Delivery, lateEvents, type SiteSettings } from "./facts.ts";
import { dailyFunnel, funnel1h, funnel1m, sessionFunnel } from "./funnels.ts";
import { productTables } from "./products.ts";

export { dimProductOfSites } from "./products.ts";
import { dailyOrders, dailyRevenueByCategory, hourlyKpis, revenueAnomalies, revenueHop } from "./revenue.ts";
import { abandonedCarts, cartAbandonment, dimUser, pageviewMetrics, sessions } from "./sessions.ts";

export type { Delivery, SiteSettings } from "./facts.ts";

export type TruthInput = {
  site: string;
  sent: readonly Event[];
  deliveries: readonly Delivery[];
  catalogue: Catalogue;
  watermarkMs: number;
  /** The query's now() for views that depend on it (cart status, anomaly buckets). */
  now: number;
  /** The site's entry in the sites file: its time zone and product URL patterns. */
  settings?: SiteSettings;
};

export function analyticsTruth(
  { site, sent, deliveries, catalogue, watermarkMs, now, settings }: TruthInput,
) {
  const counted = countDeliveries({ site, sent, deliveries, watermarkMs, settings });
  const { facts, unique, orders } = counted;
  const abandoned_carts = abandonedCarts(counted, now);
  const late_events = lateEvents(counted);
  return {
    /** Each counted event: its type, first delivery's time and session. */
    counted: unique.map((f) => ({ type: f.type, t: f.t, session_id: f.session_id })),
    stats: {
      events: unique.length,
      duplicates: deliveries.length - facts.length,
      replays: facts.length - unique.length,
      orders: orders.length,
      late: late_events.length,
    },
    funnel_1m: funnel1m(counted),
    funnel_1h: funnel1h(counted),
    revenue_hop: revenueHop(counted),
    session_funnel: sessionFunnel(counted),
    sessions: sessions(counted),
    abandoned_carts,
    cart_abandonment: cartAbandonment(counted, abandoned_carts),
    ...productTables(counted, catalogue),
    pageview_metrics: pageviewMetrics(counted),
    daily_orders: dailyOrders(counted),
    daily_revenue_by_category: dailyRevenueByCategory(counted, catalogue),
    daily_funnel: dailyFunnel(counted),
    dim_user: dimUser(counted, catalogue),
    hourly_kpis: hourlyKpis(counted),
    revenue_anomalies: revenueAnomalies(counted, now),
    late_events,
  };
}
