// The simulator's own summary of a run (--truth FILE): what the analytics must show for the events
// the collector accepted, counted by the rule of counting.ts in accepted order, windowed on the
// event's `ts` unless told otherwise.
import type { Event, PurchaseEvent } from "../../contract/mod.ts";
import { dedupEvents, dedupOrders, userOf } from "./counting.ts";
import { addCents, type Cents, cents, floorTo, lineCents, orderUnits, productIdFromUrl } from "./units.ts";

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

export function windowStart(ms: number, windowMs = 60_000): number {
  return floorTo(ms, windowMs);
}

/** Per-window distinct viewers, carters and purchasers, orders, units and revenue. Expects counted events. */
export function minuteWindows(events: readonly Event[], options: TruthOptions = {}): MinuteTruth[] {
  const { windowMs = 60_000, timeOf = (e: Event) => e.ts } = options;
  type Acc =
    & { viewers: Set<string>; carters: Set<string>; purchasers: Set<string> }
    & Omit<MinuteTruth, "start" | "viewers" | "carters" | "purchasers">;
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
      addCents(w.revenue_cents, e.currency, cents(e.revenue));
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

/** Per-product views (product pages), cart adds and removes, orders, units and revenue. Expects counted events. */
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
    else if (e.type === "purchase") {
      for (const id of new Set(e.items.map((i) => i.product_id))) get(id).purchases++;
      for (const item of e.items) {
        const p = get(item.product_id);
        p.units += item.quantity;
        addCents(p.revenue_cents, e.currency, lineCents(item));
      }
    }
  }
  return [...products.values()].sort((a, b) => (a.product_id < b.product_id ? -1 : 1));
}

/** The simulator's truth for a run: the rule, then windows, products and totals. */
export function summaryTruth(events: readonly Event[], options: TruthOptions = {}): Truth {
  const byId = dedupEvents(events);
  const byOrder = dedupOrders(byId.events);
  const counted = byOrder.events;
  const purchases = counted.filter((e): e is PurchaseEvent => e.type === "purchase");
  const revenue: Cents = {};
  for (const p of purchases) addCents(revenue, p.currency, cents(p.revenue));
  return {
    events: counted.length,
    duplicate_events: byId.duplicates,
    duplicate_orders: byOrder.duplicates,
    minutes: minuteWindows(counted, options),
    products: productTotals(counted),
    totals: {
      orders: purchases.length,
      units: purchases.reduce((sum, p) => sum + orderUnits(p), 0),
      revenue_cents: revenue,
      viewers: new Set(counted.filter((e) => e.type === "page_view").map(userOf)).size,
      purchasers: new Set(purchases.map(userOf)).size,
    },
  };
}
