// The simulator's own summary of a run (--truth FILE): what the analytics must show for the events
// the collector accepted, counted by the rule of counting.ts in accepted order, windowed on the
// event's `ts` unless told otherwise.
import {
  DEFAULT_PRODUCT_URL_PATTERNS,
  type Event,
  productUrlMatcher,
  type PurchaseEvent,
} from "../../contract/mod.ts";
import { dedupEvents, dedupOrders, userOf } from "./counting.ts";
import { addCents, type Cents, cents, floorTo, lineCents, orderUnits } from "./units.ts";

/** The product an event is a view of, else undefined: product views, and page views by the default URL patterns. */
const defaultUrlProduct = productUrlMatcher(DEFAULT_PRODUCT_URL_PATTERNS);
export const viewedProduct = (e: Event): string | undefined =>
  e.type === "product_view" ? e.product_id : e.type === "page_view" ? defaultUrlProduct(e.url) : undefined;

export type MinuteTruth = {
  /** Window start, ms since epoch (1-minute tumbling windows on the event's time). */
  start: number;
  viewers: number;
  product_viewers: number;
  carters: number;
  checkout_starters: number;
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

/** Per-window distinct users of each funnel step, orders, units and revenue. Expects counted events. */
export function minuteWindows(events: readonly Event[], options: TruthOptions = {}): MinuteTruth[] {
  const { windowMs = 60_000, timeOf = (e: Event) => e.ts } = options;
  const steps = ["viewers", "product_viewers", "carters", "checkout_starters", "purchasers"] as const;
  type Acc = Record<typeof steps[number], Set<string>> & Omit<MinuteTruth, "start" | typeof steps[number]>;
  const windows = new Map<number, Acc>();
  for (const e of events) {
    const start = windowStart(timeOf(e), windowMs);
    let w = windows.get(start);
    if (!w) {
      w = {
        viewers: new Set(),
        product_viewers: new Set(),
        carters: new Set(),
        checkout_starters: new Set(),
        purchasers: new Set(),
        orders: 0,
        units: 0,
        revenue_cents: {},
      };
      windows.set(start, w);
    }
    if (viewedProduct(e) !== undefined) w.product_viewers.add(userOf(e));
    if (e.type === "page_view") w.viewers.add(userOf(e));
    else if (e.type === "add_to_cart") w.carters.add(userOf(e));
    else if (e.type === "begin_checkout") w.checkout_starters.add(userOf(e));
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
      product_viewers: w.product_viewers.size,
      carters: w.carters.size,
      checkout_starters: w.checkout_starters.size,
      purchasers: w.purchasers.size,
      orders: w.orders,
      units: w.units,
      revenue_cents: w.revenue_cents,
    }));
}

/** Per-product views (product views and product pages), cart adds and removes, orders, units and revenue. Expects counted events. */
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
    const viewed = viewedProduct(e);
    if (viewed !== undefined) get(viewed).views++;
    else if (e.type === "add_to_cart") get(e.product_id).carts++;
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
