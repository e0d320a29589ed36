// Ground truth for the ClickHouse analytics in plain TypeScript, written from the definitions in
// clickhouse/README.md and not from the SQL. Inputs: the events we sent, and for each delivery
// the stamps only the collector and Kafka know (event_time, received_at, enrichment, position).
// Output: every table's rows, times in Unix ms, money in integer cents, counts as numbers.
import type { Event, PurchaseEvent } from "../contract/mod.ts";
import type { Catalogue } from "../loadtest/catalogue.ts";

export type Delivery = {
  event_id: string;
  event_time: number;
  received_at: number;
  partition: number;
  offset: number;
  browser: string;
  device_type: string;
};

export type Cents = Record<string, number>;
type Row = Record<string, unknown>;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;

/** An event as the analytics see it: first delivery's stamps on the sent content. */
export type Fact = Event & {
  site: string;
  t: number;
  received: number;
  late: boolean;
  deliveries: number;
  /** The first delivery's Kafka position: the order in which ClickHouse read it. */
  partition: number;
  offset: number;
  browser: string;
  device: string;
  user_key: string;
};

function deviceOf(d: Delivery, viewport: string | undefined): string {
  if (d.device_type) return d.device_type;
  const width = Number((viewport ?? "").split("x")[0]) || 0;
  return width === 0 ? "unknown" : width < 768 ? "mobile" : width < 1100 ? "tablet" : "desktop";
}

const productOfUrl = (url: string) => /\/products\/([^/?#]+)/.exec(url)?.[1];
const pathOf = (url: string) => new URL(url).pathname;
const domainOf = (url: string) => url === "" ? "(direct)" : new URL(url).hostname.replace(/^www\./, "");
const cents = (amount: number) => Math.round(amount * 100);
const lineCents = (i: { price: number; quantity: number }) => cents(i.price) * i.quantity;
const units = (p: PurchaseEvent) => p.items.reduce((s, i) => s + i.quantity, 0);
/** Half away from zero to the cent, as Decimal rounding does. */
const aovCents = (total: number, n: number) => Math.floor((2 * total + n) / (2 * n));
const ratio = (a: number, b: number) => b === 0 ? 0 : a / b;
const add = (m: Cents, k: string, v: number) => (m[k] = (m[k] ?? 0) + v, m);

function groupBy<T>(items: Iterable<T>, key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
const byPosition = (a: { partition: number; offset: number }, b: { partition: number; offset: number }) =>
  a.partition - b.partition || a.offset - b.offset;
const byTimeThenId = (a: Fact, b: Fact) =>
  a.t - b.t || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);

export type TruthInput = {
  site: string;
  sent: readonly Event[];
  deliveries: readonly Delivery[];
  catalogue: Catalogue;
  watermarkMs: number;
  /** The query's now() for views that depend on it (cart status, anomaly buckets). */
  now: number;
};

export function computeTruth({ site, sent, deliveries, catalogue, watermarkMs, now }: TruthInput) {
  // Deduplicate on event_id: the first delivery read (Kafka position: an event's copies share its key,
  // so its partition) stamps it.
  const content = new Map(sent.map((e) => [e.event_id, e]));
  const facts: Fact[] = [];
  for (const [id, copies] of groupBy(deliveries, (d) => d.event_id)) {
    copies.sort(byPosition);
    const first = copies[0];
    const e = content.get(id);
    if (!e) throw new Error(`ClickHouse has event ${id}, which the test never sent`);
    facts.push({
      ...e,
      site,
      t: first.event_time,
      received: first.received_at,
      late: first.received_at >= floorTo(first.event_time, MINUTE) + MINUTE + watermarkMs,
      deliveries: copies.length,
      partition: first.partition,
      offset: first.offset,
      browser: first.browser,
      device: deviceOf(first, e.viewport),
      user_key: e.user_id || e.anonymous_id || e.session_id,
    });
  }
  // Deduplicate purchases on order_id: the one read first (an order's purchases share a session, so
  // a partition); two in one message (one request) by the earliest client ts, then the smallest event_id.
  const orders: (Fact & PurchaseEvent)[] = [];
  for (
    const [, ps] of groupBy(facts.filter((f) => f.type === "purchase"), (f) => (f as PurchaseEvent).order_id)
  ) {
    ps.sort((a, b) => byPosition(a, b) || a.ts - b.ts || (a.event_id < b.event_id ? -1 : 1));
    orders.push(ps[0] as Fact & PurchaseEvent);
  }
  const kept = new Set(orders.map((o) => o.event_id));
  const unique = facts.filter((f) => f.type !== "purchase" || kept.has(f.event_id));
  const onTime = unique.filter((f) => !f.late);
  const products = new Map(catalogue.products.map((p) => [p.id, p]));
  const lines = orders.flatMap((o) => o.items.map((i) => ({ order: o, ...i })));

  // Distinct users per step and bucket: funnel_1m by the minute without late events, funnel_1h by the
  // hour with them.
  const funnelOf = (fs: Fact[], unit: number) =>
    [...groupBy(fs, (f) => String(floorTo(f.t, unit)))].map(([start, bucket]) => {
      const users = (type: string) =>
        new Set(bucket.filter((f) => f.type === type).map((f) => f.user_key)).size;
      const [viewers, carters, purchasers] = [users("page_view"), users("add_to_cart"), users("purchase")];
      return {
        site,
        window_start: Number(start),
        viewers,
        carters,
        purchasers,
        view_to_cart_rate: ratio(carters, viewers),
        cart_to_buy_rate: ratio(purchasers, carters),
      };
    });
  const funnel_1m = funnelOf(onTime, MINUTE);
  const funnel_1h = funnelOf(unique, HOUR);

  // revenue_hop(size 5, hop 1): every 5-minute window (aligned to the minute) containing an on-time order.
  const revenue_hop: Row[] = [];
  for (const [currency, os] of groupBy(orders.filter((o) => !o.late), (o) => o.currency)) {
    const windows = new Map<number, { orders: number; units: number; revenue: number }>();
    for (const o of os) {
      const minute = floorTo(o.t, MINUTE);
      for (let j = 0; j < 5; j++) {
        const w = windows.get(minute - j * MINUTE) ?? { orders: 0, units: 0, revenue: 0 };
        w.orders++;
        w.units += units(o);
        w.revenue += cents(o.revenue);
        windows.set(minute - j * MINUTE, w);
      }
    }
    for (const [start, w] of windows) {
      revenue_hop.push({
        site,
        currency,
        window_start: start,
        window_end: start + 5 * MINUTE,
        ...w,
        aov: aovCents(w.revenue, w.orders),
      });
    }
  }

  const sessionsOf = groupBy(unique, (f) => f.session_id);
  const session_funnel: Row[] = [];
  {
    const levels = [...sessionsOf.values()].map((fs) => ({
      start: Math.min(...fs.map((f) => f.t)),
      level: funnelLevel(fs),
    }));
    for (const [period, unit] of [["hour", HOUR], ["day", DAY]] as const) {
      for (const [start, ls] of groupBy(levels, (l) => String(floorTo(l.start, unit)))) {
        const reached = (n: number) => ls.filter((l) => l.level >= n).length;
        session_funnel.push({
          site,
          period,
          period_start: Number(start),
          sessions: ls.length,
          viewed_product: reached(1),
          added_to_cart: reached(2),
          purchased: reached(3),
          view_to_cart_rate: ratio(reached(2), reached(1)),
          cart_to_purchase_rate: ratio(reached(3), reached(2)),
        });
      }
    }
  }

  const sessions = [...sessionsOf].map(([session_id, fs]) => {
    fs.sort(byTimeThenId);
    const views = fs.filter((f) => f.type === "page_view");
    const buys = fs.filter((f) => f.type === "purchase") as (Fact & PurchaseEvent)[];
    const landing = views[0];
    const revenue: Cents = {};
    for (const b of buys) add(revenue, b.currency, cents(b.revenue));
    return {
      site,
      session_id,
      user_key: fs[0].user_key,
      started_at: fs[0].t,
      ended_at: fs[fs.length - 1].t,
      duration_s: (fs[fs.length - 1].t - fs[0].t) / 1000,
      page_views: views.length,
      events: fs.length,
      cart_adds: fs.filter((f) => f.type === "add_to_cart").length,
      orders: buys.length,
      purchased: buys.length > 0 ? 1 : 0,
      revenue,
      entry_page: landing ? pathOf(landing.url) : "",
      exit_page: landing ? pathOf(views[views.length - 1].url) : "",
      device_type: landing?.device ?? "",
      browser: landing?.browser ?? "",
      referrer_domain: domainOf(landing?.referrer ?? ""),
      utm_source: landing?.utm_source || "(none)",
    };
  });

  const abandoned_carts: Row[] = [];
  for (const [session_id, fs] of sessionsOf) {
    const cartEvents = fs.filter((f) => f.type === "add_to_cart" || f.type === "remove_from_cart");
    const adds = fs.filter((f) => f.type === "add_to_cart").length;
    if (adds === 0) continue;
    const last = Math.max(...cartEvents.map((f) => f.t));
    const bought = fs.some((f) => f.type === "purchase" && f.t >= last && f.t <= last + 30 * MINUTE);
    fs.sort(byTimeThenId);
    abandoned_carts.push({
      site,
      session_id,
      user_key: fs.filter((f) => f.type !== "page_view")[0].user_key,
      last_cart_at: last,
      cart_adds: adds,
      status: bought ? "purchased" : now >= last + 30 * MINUTE ? "abandoned" : "open",
    });
  }
  const cart_abandonment = [
    ...groupBy(abandoned_carts, (c) => String(floorTo(c.last_cart_at as number, HOUR))),
  ]
    .map(([hour, cs]) => {
      const n = (s: string) => cs.filter((c) => c.status === s).length;
      return {
        site,
        hour: Number(hour),
        carted_sessions: cs.length,
        purchased_sessions: n("purchased"),
        abandoned_sessions: n("abandoned"),
        open_sessions: n("open"),
        abandonment_rate: ratio(n("abandoned"), n("abandoned") + n("purchased")),
      };
    });

  // Product activity: product page views, cart adds and removes, order lines.
  type Act = {
    t: number;
    product: string;
    kind: string;
    user: string;
    order: string;
    qty: number;
    currency: string;
    cents: number;
  };
  const activity: Act[] = [
    ...unique.flatMap((f): Act[] => {
      if (f.type === "page_view") {
        const id = productOfUrl(f.url);
        return id
          ? [{
            t: f.t,
            product: decodeURIComponent(id),
            kind: "page_view",
            user: f.user_key,
            order: "",
            qty: 0,
            currency: "",
            cents: 0,
          }]
          : [];
      }
      if (f.type === "add_to_cart" || f.type === "remove_from_cart") {
        return [{
          t: f.t,
          product: f.product_id,
          kind: f.type,
          user: f.user_key,
          order: "",
          qty: 0,
          currency: "",
          cents: 0,
        }];
      }
      return [];
    }),
    ...lines.map((l) => ({
      t: l.order.t,
      product: l.product_id,
      kind: "order_line",
      user: l.order.user_key,
      order: l.order.order_id,
      qty: l.quantity,
      currency: l.order.currency,
      cents: lineCents(l),
    })),
  ];
  const perf = (acts: Act[]) => {
    const count = (k: string) => acts.filter((a) => a.kind === k).length;
    const ls = acts.filter((a) => a.kind === "order_line");
    const revenue: Cents = {};
    for (const l of ls) add(revenue, l.currency, l.cents);
    const views = count("page_view"),
      cart_adds = count("add_to_cart"),
      purchases = new Set(ls.map((l) => l.order)).size;
    return {
      views,
      unique_viewers: new Set(acts.filter((a) => a.kind === "page_view").map((a) => a.user)).size,
      cart_adds,
      cart_removes: count("remove_from_cart"),
      purchases,
      units: ls.reduce((s, l) => s + l.qty, 0),
      revenue,
      view_to_cart_rate: ratio(cart_adds, views),
      cart_to_purchase_rate: ratio(purchases, cart_adds),
    };
  };
  const named = (id: string) => ({
    name: products.get(id)?.name ?? "",
    category: products.get(id)?.category ?? "",
  });
  const product_performance = [...groupBy(activity, (a) => a.product)]
    .map(([product_id, acts]) => ({ site, product_id, ...named(product_id), ...perf(acts) }));
  const product_performance_hourly = [...groupBy(activity, (a) => `${floorTo(a.t, HOUR)}|${a.product}`)]
    .map(([k, acts]) => {
      const [hour, product_id] = k.split("|");
      return { site, hour: Number(hour), product_id, ...named(product_id), ...perf(acts) };
    });

  const pageview_metrics: Row[] = [];
  {
    type PV = { dims: Record<string, string>; user: string; session: string; bounced: boolean };
    const pvs: PV[] = [];
    for (const [session, fs] of sessionsOf) {
      const views = fs.filter((f) => f.type === "page_view").sort(byTimeThenId);
      if (views.length === 0) continue;
      for (const v of views) {
        pvs.push({
          user: v.user_key,
          session,
          bounced: views.length === 1,
          dims: {
            page_path: pathOf(v.url),
            device_type: v.device,
            browser: v.browser || "unknown",
            referrer_domain: domainOf(views[0].referrer ?? ""),
            utm_source: views[0].utm_source || "(none)",
          },
        });
      }
    }
    for (const dimension of ["page_path", "device_type", "browser", "referrer_domain", "utm_source"]) {
      for (const [value, ps] of groupBy(pvs, (p) => p.dims[dimension])) {
        const sessionsSet = new Set(ps.map((p) => p.session));
        const bounced = new Set(ps.filter((p) => p.bounced).map((p) => p.session)).size;
        pageview_metrics.push({
          site,
          dimension,
          value,
          views: ps.length,
          unique_visitors: new Set(ps.map((p) => p.user)).size,
          sessions: sessionsSet.size,
          bounced_sessions: bounced,
          bounce_rate: ratio(bounced, sessionsSet.size),
        });
      }
    }
  }

  const dayOf = (t: number) => floorTo(t, DAY);
  const daily_orders = [...groupBy(orders, (o) => `${dayOf(o.t)}|${o.currency}`)].map(([k, os]) => {
    const [day, currency] = k.split("|");
    const revenue = os.reduce((s, o) => s + cents(o.revenue), 0);
    return {
      site,
      day: Number(day),
      currency,
      orders: os.length,
      revenue,
      units: os.reduce((s, o) => s + units(o), 0),
      aov: aovCents(revenue, os.length),
      late_orders: os.filter((o) => o.late).length,
    };
  });

  const daily_revenue_by_category = [
    ...groupBy(
      lines,
      (l) => `${dayOf(l.order.t)}|${products.get(l.product_id)?.category ?? "(unknown)"}|${l.order.currency}`,
    ),
  ]
    .map(([k, ls]) => {
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

  const daily_funnel = [...groupBy(unique, (f) => String(dayOf(f.t)))].map(([day, fs]) => {
    const users = (p: (f: Fact) => boolean) => new Set(fs.filter(p).map((f) => f.user_key)).size;
    const visitors = users((f) => f.type === "page_view");
    const product_viewers = users((f) => f.type === "page_view" && productOfUrl(f.url) !== undefined);
    const carters = users((f) => f.type === "add_to_cart");
    const purchasers = users((f) => f.type === "purchase");
    return {
      site,
      day: Number(day),
      visitors,
      sessions: new Set(fs.map((f) => f.session_id)).size,
      product_viewers,
      carters,
      purchasers,
      orders: fs.filter((f) => f.type === "purchase").length,
      view_to_cart_rate: ratio(carters, product_viewers),
      cart_to_purchase_rate: ratio(purchasers, carters),
      conversion_rate: ratio(purchasers, visitors),
    };
  });

  const accounts = new Map(catalogue.users.filter((u) => u.user_id).map((u) => [u.user_id!, u]));
  const dim_user = [...groupBy(unique, (f) => f.user_key)].map(([user_key, fs]) => {
    const lifetime_value: Cents = {};
    const buys = fs.filter((f) => f.type === "purchase") as PurchaseEvent[];
    for (const b of buys) add(lifetime_value, b.currency, cents(b.revenue));
    const account = accounts.get(user_key);
    return {
      site,
      user_key,
      user_id: fs.map((f) => f.user_id ?? "").sort().pop() ?? "",
      first_seen: Math.min(...fs.map((f) => f.t)),
      last_seen: Math.max(...fs.map((f) => f.t)),
      sessions: new Set(fs.map((f) => f.session_id)).size,
      page_views: fs.filter((f) => f.type === "page_view").length,
      orders: buys.length,
      lifetime_value,
      country: account?.country ?? "",
      language: account?.language ?? "",
      account_currency: account?.currency ?? "",
    };
  });

  const dim_product = catalogue.products.map((p) => {
    const acts = activity.filter((a) => a.product === p.id);
    const ls = acts.filter((a) => a.kind === "order_line");
    const revenue: Cents = {};
    for (const l of ls) add(revenue, l.currency, l.cents);
    return {
      product_id: p.id,
      name: p.name,
      category: p.category,
      price: cents(p.price),
      views: acts.filter((a) => a.kind === "page_view").length,
      cart_adds: acts.filter((a) => a.kind === "add_to_cart").length,
      orders: new Set(ls.map((l) => l.order)).size,
      units_sold: ls.reduce((s, l) => s + l.qty, 0),
      revenue,
    };
  });

  const hourly_kpis = [...groupBy(unique, (f) => String(floorTo(f.t, HOUR)))].map(([hour, fs]) => {
    const buys = fs.filter((f) => f.type === "purchase") as PurchaseEvent[];
    const revenue: Cents = {}, count: Cents = {}, aov: Cents = {};
    for (const b of buys) (add(revenue, b.currency, cents(b.revenue)), add(count, b.currency, 1));
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

  const BUCKET = 5 * MINUTE;
  const revenue_anomalies: Row[] = [];
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
      revenue_anomalies.push({
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

  const late_events = unique.filter((f) => f.late).map((f) => ({
    site,
    event_id: f.event_id,
    type: f.type,
    event_time: f.t,
    received_at: f.received,
    window_start: floorTo(f.t, MINUTE),
    delay_ms: f.received - f.t,
    deliveries: f.deliveries,
  }));

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
    funnel_1m,
    funnel_1h,
    revenue_hop,
    session_funnel,
    sessions,
    abandoned_carts,
    cart_abandonment,
    product_performance,
    product_performance_hourly,
    pageview_metrics,
    daily_orders,
    daily_revenue_by_category,
    daily_funnel,
    dim_user,
    dim_product,
    hourly_kpis,
    revenue_anomalies,
    late_events,
  };
}

/**
 * How far a session got: a product page view, then an add to cart, then a purchase, each later
 * than the step before. Walks the events in time order keeping, per step, the start time of the
 * chain that reached it; a new product view starts a new chain.
 */
function funnelLevel(fs: Fact[]): number {
  const step = (f: Fact) =>
    f.type === "page_view" && productOfUrl(f.url)
      ? 0
      : f.type === "add_to_cart"
      ? 1
      : f.type === "purchase"
      ? 2
      : -1;
  const reached: (number | undefined)[] = [undefined, undefined, undefined];
  for (const f of [...fs].sort((a, b) => a.t - b.t)) {
    const s = step(f);
    if (s === 0) reached[0] = f.t;
    else if (s > 0 && reached[s - 1] !== undefined && f.t <= reached[s - 1]! + DAY) {
      reached[s] = reached[s - 1];
      if (s === 2) return 3;
    }
  }
  return reached[1] !== undefined ? 2 : reached[0] !== undefined ? 1 : 0;
}
