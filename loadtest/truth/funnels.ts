// Funnels from the counted facts: funnel_1m, funnel_1h, session_funnel and daily_funnel.
import type { Counted, Fact } from "./facts.ts";
import { DAY, floorTo, groupBy, HOUR, MINUTE, productSlug, ratio, type Row } from "./units.ts";

/** Distinct users per step and bucket. */
function funnelOf(site: string, fs: Fact[], unit: number) {
  return [...groupBy(fs, (f) => String(floorTo(f.t, unit)))].map(([start, bucket]) => {
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
}

/** funnel_1m: by the minute without late events. */
export const funnel1m = ({ site, onTime }: Counted) => funnelOf(site, onTime, MINUTE);
/** funnel_1h: by the hour with them. */
export const funnel1h = ({ site, unique }: Counted) => funnelOf(site, unique, HOUR);

export function sessionFunnel({ site, unique }: Counted): Row[] {
  const levels = [...groupBy(unique, (f) => f.session_id).values()].map((fs) => ({
    start: Math.min(...fs.map((f) => f.t)),
    level: funnelLevel(fs),
  }));
  const out: Row[] = [];
  for (const [period, unit] of [["hour", HOUR], ["day", DAY]] as const) {
    for (const [start, ls] of groupBy(levels, (l) => String(floorTo(l.start, unit)))) {
      const reached = (n: number) => ls.filter((l) => l.level >= n).length;
      out.push({
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
  return out;
}

export function dailyFunnel({ site, unique }: Counted) {
  return [...groupBy(unique, (f) => String(floorTo(f.t, DAY)))].map(([day, fs]) => {
    const users = (p: (f: Fact) => boolean) => new Set(fs.filter(p).map((f) => f.user_key)).size;
    const visitors = users((f) => f.type === "page_view");
    const product_viewers = users((f) => f.type === "page_view" && productSlug(f.url) !== undefined);
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
}

/**
 * How far a session got: a product page view, then an add to cart, then a purchase, each later
 * than the step before. Walks the events in time order keeping, per step, the start time of the
 * chain that reached it; a new product view starts a new chain.
 */
function funnelLevel(fs: Fact[]): number {
  const step = (f: Fact) =>
    f.type === "page_view" && productSlug(f.url)
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
