// Money from the counted orders: revenue_hop, daily_orders, daily_revenue_by_category, hourly_kpis
// and revenue_anomalies. Days and hours are the site's; the windows and buckets are UTC minutes.
import type { PurchaseEvent } from "../../contract/mod.ts";
import type { Catalogue } from "../catalogue.ts";
import type { Counted } from "./facts.ts";
import {
  addCents,
  aovCents,
  type Cents,
  cents,
  floorTo,
  groupBy,
  lineCents,
  localDay,
  localHour,
  MINUTE,
  orderUnits,
  ratio,
  type Row,
} from "./units.ts";

/** revenue_hop(size 5, hop 1): every 5-minute window (aligned to the minute) containing an on-time order. */
export function revenueHop({ site, orders }: Counted): Row[] {
  const out: Row[] = [];
  for (const [currency, os] of groupBy(orders.filter((o) => !o.late), (o) => o.currency)) {
    const windows = new Map<number, { orders: number; units: number; revenue: number }>();
    for (const o of os) {
      const minute = floorTo(o.t, MINUTE);
      for (let j = 0; j < 5; j++) {
        const w = windows.get(minute - j * MINUTE) ?? { orders: 0, units: 0, revenue: 0 };
        w.orders++;
        w.units += orderUnits(o);
        w.revenue += cents(o.revenue);
        windows.set(minute - j * MINUTE, w);
      }
    }
    for (const [start, w] of windows) {
      out.push({
        site,
        currency,
        window_start: start,
        window_end: start + 5 * MINUTE,
        ...w,
        aov: aovCents(w.revenue, w.orders),
      });
    }
  }
  return out;
}

export function dailyOrders({ site, orders, timeZone }: Counted) {
  return [...groupBy(orders, (o) => `${localDay(o.t, timeZone)}|${o.currency}`)].map(([k, os]) => {
    const [day, currency] = k.split("|");
    const revenue = os.reduce((s, o) => s + cents(o.revenue), 0);
    return {
      site,
      day: Number(day),
      currency,
      orders: os.length,
      revenue,
      units: os.reduce((s, o) => s + orderUnits(o), 0),
      aov: aovCents(revenue, os.length),
      late_orders: os.filter((o) => o.late).length,
    };
  });
}

export function dailyRevenueByCategory({ site, orders, timeZone }: Counted, catalogue: Catalogue) {
  const products = new Map(catalogue.products.map((p) => [p.id, p]));
  const lines = orders.flatMap((o) => o.items.map((i) => ({ order: o, ...i })));
  const key = (l: (typeof lines)[number]) =>
    `${localDay(l.order.t, timeZone)}|${
      products.get(l.product_id)?.category ?? "(unknown)"
    }|${l.order.currency}`;
  return [...groupBy(lines, key)].map(([k, ls]) => {
    const [day, category, currency] = k.split("|");
    return {
      site,
      day: Number(day),
      category,
      currency,
      orders: new Set(ls.map((l) => l.order.order_id)).size,
      units: ls.reduce((s, l) => s + l.quantity, 0),
      revenue: ls.reduce((s, l) => s + lineCents(l), 0),
    };
  });
}

export function hourlyKpis({ site, unique, timeZone }: Counted) {
  return [...groupBy(unique, (f) => String(localHour(f.t, timeZone)))].map(([hour, fs]) => {
    const buys = fs.filter((f) => f.type === "purchase") as PurchaseEvent[];
    const revenue: Cents = {}, count: Cents = {}, aov: Cents = {};
    for (const b of buys) (addCents(revenue, b.currency, cents(b.revenue)), addCents(count, b.currency, 1));
    for (const c of Object.keys(revenue)) aov[c] = aovCents(revenue[c], count[c]);
    const sessionsN = new Set(fs.map((f) => f.session_id)).size;
    const converting = new Set(buys.map((b) => b.session_id)).size;
    return {
      site,
      hour: Number(hour),
      visitors: new Set(fs.filter((f) => f.type === "page_view").map((f) => f.user_key)).size,
      sessions: sessionsN,
      page_views: fs.filter((f) => f.type === "page_view").length,
      orders: buys.length,
      converting_sessions: converting,
      conversion_rate: ratio(converting, sessionsN),
      revenue,
      aov,
    };
  });
}

const BUCKET = 5 * MINUTE;

/** Per currency and 5-minute bucket up to `now`: revenue and orders against the trailing day (288 buckets). */
export function revenueAnomalies({ site, orders }: Counted, now: number): Row[] {
  const out: Row[] = [];
  for (const [currency, os] of groupBy(orders, (o) => o.currency)) {
    const first = Math.min(...os.map((o) => floorTo(o.t, BUCKET)));
    const series: { start: number; revenue: number; orders: number }[] = [];
    for (let start = first; start < floorTo(now, BUCKET); start += BUCKET) {
      const inBucket = os.filter((o) => floorTo(o.t, BUCKET) === start);
      series.push({
        start,
        revenue: inBucket.reduce((s, o) => s + cents(o.revenue), 0),
        orders: inBucket.length,
      });
    }
    series.forEach((b, i) => {
      const trail = series.slice(Math.max(0, i - 288), i);
      const stats = (xs: number[]) => {
        const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
        return { mean, sd: Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length) };
      };
      const r = stats(trail.map((x) => x.revenue / 100));
      const o = stats(trail.map((x) => x.orders));
      const z = (x: number, s: { mean: number; sd: number }) =>
        trail.length < 12 || s.sd === 0 ? null : (x - s.mean) / s.sd;
      const revenue_z = z(b.revenue / 100, r);
      out.push({
        site,
        currency,
        bucket_start: b.start,
        revenue: b.revenue,
        orders: b.orders,
        trailing_mean_revenue: trail.length ? r.mean : null,
        trailing_stddev_revenue: trail.length ? r.sd : null,
        revenue_z,
        orders_z: z(b.orders, o),
        flagged: revenue_z !== null && Math.abs(revenue_z) >= 3 ? 1 : 0,
      });
    });
  }
  return out;
}
