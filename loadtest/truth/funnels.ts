// Funnels from the counted facts: funnel_1m, funnel_1h, session_funnel and daily_funnel. The steps,
// everywhere: page view → product view → add to cart → begin checkout → purchase.
import type { Counted, Fact } from "./facts.ts";
import {
  DAY,
  floorTo,
  groupBy,
  localDay,
  localHour,
  localMidnight,
  MINUTE,
  ratio,
  type Row,
} from "./units.ts";

/** A product view: a product_view event, or a page view its site's URL patterns name a product on. */
export const isProductView = (f: Fact): boolean => f.viewed !== "";

/** The rate of each step to the next, from the five steps' counts. */
function stepRates(page: number, product: number, cart: number, checkout: number, purchase: number) {
  return {
    view_to_product_rate: ratio(product, page),
    product_to_cart_rate: ratio(cart, product),
    cart_to_checkout_rate: ratio(checkout, cart),
    checkout_to_purchase_rate: ratio(purchase, checkout),
  };
}

/** Distinct users per step and bucket. */
function funnelOf(site: string, fs: Fact[], bucketOf: (t: number) => number) {
  return [...groupBy(fs, (f) => String(bucketOf(f.t)))].map(([start, bucket]) => {
    const users = (p: (f: Fact) => boolean) => new Set(bucket.filter(p).map((f) => f.user_key)).size;
    const viewers = users((f) => f.type === "page_view");
    const product_viewers = users(isProductView);
    const carters = users((f) => f.type === "add_to_cart");
    const checkout_starters = users((f) => f.type === "begin_checkout");
    const purchasers = users((f) => f.type === "purchase");
    return {
      site,
      window_start: Number(start),
      viewers,
      product_viewers,
      carters,
      checkout_starters,
      purchasers,
      view_to_cart_rate: ratio(carters, viewers),
      cart_to_buy_rate: ratio(purchasers, carters),
      ...stepRates(viewers, product_viewers, carters, checkout_starters, purchasers),
    };
  });
}

/** funnel_1m: by the minute without late events. */
export const funnel1m = ({ site, onTime }: Counted) => funnelOf(site, onTime, (t) => floorTo(t, MINUTE));
/** funnel_1h: by the site's hour with them. */
export const funnel1h = ({ site, unique, timeZone }: Counted) =>
  funnelOf(site, unique, (t) => localHour(t, timeZone));

export function sessionFunnel({ site, unique, timeZone }: Counted): Row[] {
  const levels = [...groupBy(unique, (f) => f.session_id).values()].map((fs) => ({
    start: Math.min(...fs.map((f) => f.t)),
    level: funnelLevel(fs),
  }));
  const out: Row[] = [];
  for (const [period, bucketOf] of [["hour", localHour], ["day", localMidnight]] as const) {
    for (const [start, ls] of groupBy(levels, (l) => String(bucketOf(l.start, timeZone)))) {
      const reached = (n: number) => ls.filter((l) => l.level >= n).length;
      out.push({
        site,
        period,
        period_start: Number(start),
        sessions: ls.length,
        viewed_product: reached(1),
        added_to_cart: reached(2),
        began_checkout: reached(3),
        purchased: reached(4),
        view_to_cart_rate: ratio(reached(2), reached(1)),
        cart_to_purchase_rate: ratio(reached(4), reached(2)),
        ...stepRates(ls.length, reached(1), reached(2), reached(3), reached(4)),
      });
    }
  }
  return out;
}

export function dailyFunnel({ site, unique, timeZone }: Counted) {
  return [...groupBy(unique, (f) => String(localDay(f.t, timeZone)))].map(([day, fs]) => {
    const users = (p: (f: Fact) => boolean) => new Set(fs.filter(p).map((f) => f.user_key)).size;
    const visitors = users((f) => f.type === "page_view");
    const product_viewers = users(isProductView);
    const carters = users((f) => f.type === "add_to_cart");
    const checkout_starters = users((f) => f.type === "begin_checkout");
    const purchasers = users((f) => f.type === "purchase");
    return {
      site,
      day: Number(day),
      visitors,
      sessions: new Set(fs.map((f) => f.session_id)).size,
      product_viewers,
      carters,
      checkout_starters,
      purchasers,
      orders: fs.filter((f) => f.type === "purchase").length,
      view_to_cart_rate: ratio(carters, product_viewers),
      cart_to_purchase_rate: ratio(purchasers, carters),
      conversion_rate: ratio(purchasers, visitors),
      ...stepRates(visitors, product_viewers, carters, checkout_starters, purchasers),
    };
  });
}

/**
 * How far a session got: a product view, then an add to cart, then a checkout, then a purchase,
 * each later than the step before and within a day of the product view (ClickHouse's
 * windowFunnel). Walks the events in time order keeping, per step, the start time of the chain
 * that reached it; a new product view starts a new chain.
 */
function funnelLevel(fs: Fact[]): number {
  const steps = ["add_to_cart", "begin_checkout", "purchase"];
  const step = (f: Fact) => isProductView(f) ? 0 : steps.indexOf(f.type) + 1 || -1;
  const reached: (number | undefined)[] = [undefined, undefined, undefined, undefined];
  for (const f of [...fs].sort((a, b) => a.t - b.t)) {
    const s = step(f);
    if (s === 0) reached[0] = f.t;
    else if (s > 0 && reached[s - 1] !== undefined && f.t <= reached[s - 1]! + DAY) {
      reached[s] = reached[s - 1];
      if (s === 3) return 4;
    }
  }
  return reached.findLastIndex((r) => r !== undefined) + 1;
}
