// Sessions and people from the counted facts: sessions, abandoned_carts, cart_abandonment,
// pageview_metrics and dim_user.
import type { PurchaseEvent } from "../../contract/mod.ts";
import type { Catalogue } from "../catalogue.ts";
import { byTimeThenId, type Counted, type Fact } from "./facts.ts";
import {
  addCents,
  type Cents,
  cents,
  domainOf,
  groupBy,
  localHour,
  MINUTE,
  pathOf,
  ratio,
  type Row,
} from "./units.ts";

const sessionsOf = (unique: Fact[]) => groupBy(unique, (f) => f.session_id);

export function sessions({ site, unique }: Counted) {
  return [...sessionsOf(unique)].map(([session_id, fs]) => {
    fs.sort(byTimeThenId);
    const views = fs.filter((f) => f.type === "page_view");
    const buys = fs.filter((f) => f.type === "purchase") as (Fact & PurchaseEvent)[];
    const landing = views[0];
    const revenue: Cents = {};
    for (const b of buys) addCents(revenue, b.currency, cents(b.revenue));
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
}

const CART_STEPS = new Set(["add_to_cart", "remove_from_cart", "begin_checkout", "purchase"]);

/**
 * A session's cart, as of `now`: purchased within 30 minutes of its last cart event, else open, then
 * abandoned; `checkout_started` when the session began a checkout (an abandoned one is then a
 * checkout abandoned, not a cart abandoned).
 */
export function abandonedCarts({ site, unique, timeZone }: Counted, now: number): Row[] {
  const out: Row[] = [];
  for (const [session_id, fs] of sessionsOf(unique)) {
    const cartEvents = fs.filter((f) => f.type === "add_to_cart" || f.type === "remove_from_cart");
    const adds = fs.filter((f) => f.type === "add_to_cart").length;
    if (adds === 0) continue;
    const last = Math.max(...cartEvents.map((f) => f.t));
    const bought = fs.some((f) => f.type === "purchase" && f.t >= last && f.t <= last + 30 * MINUTE);
    fs.sort(byTimeThenId);
    out.push({
      site,
      session_id,
      user_key: fs.filter((f) => CART_STEPS.has(f.type))[0].user_key,
      last_cart_at: last,
      last_cart_hour: localHour(last, timeZone),
      cart_adds: adds,
      checkout_started: fs.some((f) => f.type === "begin_checkout") ? 1 : 0,
      status: bought ? "purchased" : now >= last + 30 * MINUTE ? "abandoned" : "open",
    });
  }
  return out;
}

/** Per site's hour of the last cart event. */
export function cartAbandonment({ site }: Counted, carts: Row[]) {
  return [...groupBy(carts, (c) => String(c.last_cart_hour))].map(
    ([hour, cs]) => {
      const n = (s: string) => cs.filter((c) => c.status === s).length;
      const checkoutAbandoned = cs.filter((c) => c.status === "abandoned" && c.checkout_started === 1).length;
      return {
        site,
        hour: Number(hour),
        carted_sessions: cs.length,
        purchased_sessions: n("purchased"),
        abandoned_sessions: n("abandoned"),
        cart_abandoned_sessions: n("abandoned") - checkoutAbandoned,
        checkout_abandoned_sessions: checkoutAbandoned,
        open_sessions: n("open"),
        abandonment_rate: ratio(n("abandoned"), n("abandoned") + n("purchased")),
      };
    },
  );
}

export function pageviewMetrics({ site, unique }: Counted): Row[] {
  type PV = { dims: Record<string, string>; user: string; session: string; bounced: boolean };
  const pvs: PV[] = [];
  for (const [session, fs] of sessionsOf(unique)) {
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
  const out: Row[] = [];
  for (const dimension of ["page_path", "device_type", "browser", "referrer_domain", "utm_source"]) {
    for (const [value, ps] of groupBy(pvs, (p) => p.dims[dimension])) {
      const sessionsSet = new Set(ps.map((p) => p.session));
      const bounced = new Set(ps.filter((p) => p.bounced).map((p) => p.session)).size;
      out.push({
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
  return out;
}

export function dimUser({ site, unique }: Counted, catalogue: Catalogue) {
  const accounts = new Map(catalogue.users.filter((u) => u.user_id).map((u) => [u.user_id!, u]));
  return [...groupBy(unique, (f) => f.user_key)].map(([user_key, fs]) => {
    const lifetime_value: Cents = {};
    const buys = fs.filter((f) => f.type === "purchase") as PurchaseEvent[];
    for (const b of buys) addCents(lifetime_value, b.currency, cents(b.revenue));
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
}
