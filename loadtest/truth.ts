// Ground truth in plain TypeScript, independent of the SQL: what the analytics tables must show
// for a list of events the collector accepted. Duplicates are dropped by event_id, then
// purchases by order_id (the first one in delivery order wins), as ClickHouse decides them when it reads
// them (clickhouse/029).
import type { Event, PurchaseEvent } from "../contract/mod.ts";

export type Cents = Record<string, number>;

export type MinuteTruth = {
  /** Window start, ms since epoch (1-minute tumbling windows on the event's time). */
  start: number;
  viewers: number;
  carters: number;
  purchasers: number;
  orders: number;
  units: number;
  /** Revenue per currency, in cents. */
  revenue_cents: Cents;
};

export type ProductTruth = {
  product_id: string;
  views: number;
  carts: number;
  removes: number;
  /** Orders containing the product. */
  purchases: number;
  units: number;
  revenue_cents: Cents;
};

export type Truth = {
  events: number;
  duplicate_events: number;
  duplicate_orders: number;
  minutes: MinuteTruth[];
  products: ProductTruth[];
  totals: { orders: number; units: number; revenue_cents: Cents; viewers: number; purchasers: number };
};

export type TruthOptions = {
  windowMs?: number;
  /** Which time places an event in a window; default its `ts`. Pass the pipeline's event_time to compare. */
  timeOf?: (event: Event) => number;
};

/** The person behind an event: user_id, else anonymous_id, else the session. */
export function userOf(event: Event): string {
  return event.user_id || event.anonymous_id || event.session_id;
}

export function windowStart(ms: number, windowMs = 60_000): number {
  return Math.floor(ms / windowMs) * windowMs;
}

/** The product of a product page view, read from its path `/products/{id}`. */
export function productIdFromUrl(url: string): string | undefined {
  const match = /\/products\/([^/?#]+)/.exec(url);
  return match ? decodeURIComponent(match[1]) : undefined;
}

/** Keeps the first occurrence of each event_id. */
export function dedupEvents(events: readonly Event[]): { events: Event[]; duplicates: number } {
  const seen = new Set<string>();
  const out: Event[] = [];
  for (const e of events) {
    if (seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    out.push(e);
  }
  return { events: out, duplicates: events.length - out.length };
}

/** Keeps one purchase per order_id: the first in the given (delivery) order; a thank-you page reload is a replay. */
export function dedupOrders(events: readonly Event[]): { events: Event[]; duplicates: number } {
  const seen = new Set<string>();
  const out = events.filter((e) => {
    if (e.type !== "purchase") return true;
    if (seen.has(e.order_id)) return false;
    seen.add(e.order_id);
    return true;
  });
  return { events: out, duplicates: events.length - out.length };
}

export function orderCents(purchase: PurchaseEvent): number {
  return Math.round(purchase.revenue * 100);
}

export function orderUnits(purchase: PurchaseEvent): number {
  return purchase.items.reduce((sum, item) => sum + item.quantity, 0);
}

/** Per-window distinct viewers, carters and purchasers, orders, units and revenue. Expects deduplicated events. */
export function minuteWindows(events: readonly Event[], options: TruthOptions = {}): MinuteTruth[] {
  const { windowMs = 60_000, timeOf = (e: Event) => e.ts } = options;
  type Acc =
    & { viewers: Set<string>; carters: Set<string>; purchasers: Set<string> }
    & Omit<
      MinuteTruth,
      "start" | "viewers" | "carters" | "purchasers"
    >;
  const windows = new Map<number, Acc>();
  for (const e of events) {
    const start = windowStart(timeOf(e), windowMs);
    let w = windows.get(start);
    if (!w) {
      w = {
        viewers: new Set(),
        carters: new Set(),
        purchasers: new Set(),
        orders: 0,
        units: 0,
        revenue_cents: {},
      };
      windows.set(start, w);
    }
    if (e.type === "page_view") w.viewers.add(userOf(e));
    else if (e.type === "add_to_cart") w.carters.add(userOf(e));
    else if (e.type === "purchase") {
      w.purchasers.add(userOf(e));
      w.orders++;
      w.units += orderUnits(e);
      addCents(w.revenue_cents, e.currency, orderCents(e));
    }
  }
  return [...windows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, w]) => ({
      start,
      viewers: w.viewers.size,
      carters: w.carters.size,
      purchasers: w.purchasers.size,
      orders: w.orders,
      units: w.units,
      revenue_cents: w.revenue_cents,
    }));
}

/** Per-product views (product pages), cart adds and removes, orders, units and revenue. Expects deduplicated events. */
export function productTotals(events: readonly Event[]): ProductTruth[] {
  const products = new Map<string, ProductTruth>();
  const get = (id: string) => {
    let p = products.get(id);
    if (!p) {
      p = { product_id: id, views: 0, carts: 0, removes: 0, purchases: 0, units: 0, revenue_cents: {} };
      products.set(id, p);
    }
    return p;
  };
  for (const e of events) {
    if (e.type === "page_view") {
      const id = productIdFromUrl(e.url);
      if (id) get(id).views++;
    } else if (e.type === "add_to_cart") get(e.product_id).carts++;
    else if (e.type === "remove_from_cart") get(e.product_id).removes++;
    else {
      for (const id of new Set(e.items.map((i) => i.product_id))) get(id).purchases++;
      for (const item of e.items) {
        const p = get(item.product_id);
        p.units += item.quantity;
        addCents(p.revenue_cents, e.currency, Math.round(item.price * 100) * item.quantity);
      }
    }
  }
  return [...products.values()].sort((a, b) => (a.product_id < b.product_id ? -1 : 1));
}

/** The whole truth for a run: dedup, then windows, products and totals. */
export function computeTruth(events: readonly Event[], options: TruthOptions = {}): Truth {
  const byId = dedupEvents(events);
  const byOrder = dedupOrders(byId.events);
  const unique = byOrder.events;
  const minutes = minuteWindows(unique, options);
  const purchases = unique.filter((e): e is PurchaseEvent => e.type === "purchase");
  const revenue: Cents = {};
  for (const p of purchases) addCents(revenue, p.currency, orderCents(p));
  return {
    events: unique.length,
    duplicate_events: byId.duplicates,
    duplicate_orders: byOrder.duplicates,
    minutes,
    products: productTotals(unique),
    totals: {
      orders: purchases.length,
      units: purchases.reduce((sum, p) => sum + orderUnits(p), 0),
      revenue_cents: revenue,
      viewers: new Set(unique.filter((e) => e.type === "page_view").map(userOf)).size,
      purchasers: new Set(purchases.map(userOf)).size,
    },
  };
}

function addCents(acc: Cents, currency: string, cents: number): void {
  acc[currency] = (acc[currency] ?? 0) + cents;
}
