// One shopper's visit as a script of events: land, browse products (each product page also sends a
// product view, unless the shop counts its product pages by URL), maybe add to and remove from the
// cart, maybe begin a checkout and pay. Everything random comes from the Rng passed in, and time
// from `start`, so a session is a pure function of its inputs.
import type {
  BeginCheckoutEvent,
  Event,
  OrderItem,
  PageViewEvent,
  ProductViewEvent,
  PurchaseEvent,
} from "../contract/mod.ts";
import { type Catalogue, localPrice, type Product } from "./catalogue.ts";
import type { Rng } from "./rng.ts";

/** Probabilities of each funnel step. */
export type Funnel = {
  /** Share of sessions that see one page and leave. */
  bounce: number;
  /** Mean number of product pages in a session that does not bounce. */
  productViews: number;
  /** Chance a product page view leads to an add to cart. */
  addToCart: number;
  /** Chance that, after an add, the shopper removes a line from the cart. */
  removeFromCart: number;
  /** Chance a session ending with a non-empty cart begins a checkout (a begin_checkout event). */
  checkout: number;
  /** Chance a checkout ends in a purchase. */
  purchase: number;
  /** Chance a user with an account is logged in (events carry user_id). */
  loggedIn: number;
};

export const DEFAULT_FUNNEL: Funnel = {
  bounce: 0.35,
  productViews: 3,
  addToCart: 0.12,
  removeFromCart: 0.15,
  checkout: 0.6,
  purchase: 0.7,
  loggedIn: 0.7,
};

/**
 * A disturbance between `from` and `to` (ms): a revenue spike (everyone with a cart buys, with
 * quantities times `factor`), a revenue drop (checkout chance divided by `factor`), or a broken
 * checkout (every payment fails with an error page).
 */
export type Anomaly = {
  kind: "spike" | "drop" | "broken_checkout";
  from: number;
  to: number;
  factor?: number;
};

/** What at-least-once delivery and offline browsers do to a stream, each as a share. */
export type Faults = {
  /** Events sent a second time with the same event_id, as an SDK retry after a lost response does. */
  duplicates?: number;
  /** Events whose ts lies `lateByMs` behind the moment they are sent. */
  late?: number;
  lateByMs?: number;
  /** Purchases fired again with a new event_id and the same order_id (thank-you page reload). */
  orderReplays?: number;
};

export type EmissionKind = "event" | "duplicate" | "late" | "replay";

/** An event and the moment (`at`, ms) it leaves the browser, with that browser's user agent. */
export type Emission = { at: number; event: Event; userAgent: string; kind: EmissionKind };

export type SessionContext = {
  catalogue: Catalogue;
  funnel: Funnel;
  anomalies: readonly Anomaly[];
  faults: Faults;
  /** Shop origin for page URLs, e.g. "https://demo.shop.example". */
  origin: string;
  /**
   * Whether product pages send a product_view event (the SDK's viewProduct or its
   * data-shoptrail-product attribute). False: a shop that cannot add code, whose product views are
   * its page views on /products/{id} (the sites file's URL patterns).
   */
  productViewEvents: boolean;
  /** Numbers orders within a run; with a random prefix it keeps every order_id unique. */
  orders: { next: number };
};

type CartLine = { product: Product; price: number; quantity: number };

/** Generates one session starting at `start`. `faultRng` is separate so faults never change the shopping. */
export function generateSession(ctx: SessionContext, rng: Rng, faultRng: Rng, start: number): Emission[] {
  const { catalogue, funnel, origin } = ctx;
  const user = rng.pick(catalogue.users);
  const source = rng.chance(0.6) ? user.source : rng.pick(catalogue.sources);
  const loggedIn = user.user_id !== undefined && rng.chance(funnel.loggedIn);
  const common = {
    session_id: `s_${rng.id(16)}`,
    anonymous_id: user.anonymous_id,
    ...(loggedIn ? { user_id: user.user_id } : {}),
    viewport: user.viewport,
    language: user.language,
    ...(source.utm
      ? {
        utm_source: source.utm.source,
        utm_medium: source.utm.medium,
        utm_campaign: source.utm.campaign,
        ...(source.utm.term ? { utm_term: source.utm.term } : {}),
        ...(source.utm.content ? { utm_content: source.utm.content } : {}),
      }
      : {}),
  };
  const currency = user.currency;
  const out: Emission[] = [];
  let t = start;
  let referrer = source.referrer;

  const emit = (event: Event) => {
    out.push({ at: t, event, userAgent: user.device.userAgent, kind: "event" });
    applyFaults(ctx.faults, faultRng, out, out[out.length - 1]);
  };
  const think = (median = 9_000) => {
    t += Math.round(Math.min(300_000, 800 + rng.logNormal(median, 0.9)));
  };
  const view = (path: string, title: string, props?: Record<string, string>) => {
    const url = origin + path;
    const event: PageViewEvent = {
      ...common,
      type: "page_view",
      event_id: rng.uuid(),
      ts: t,
      url,
      ...(referrer ? { referrer } : {}),
      title,
      ...(props ? { props } : {}),
    };
    emit(event);
    referrer = url;
  };
  const viewProduct = (p: Product) => {
    // A shop that sends product views has product URLs of its own (/p/{id}), which the default URL
    // pattern (/products/:id) does not read: its product pages count once in an open stack too.
    const path = ctx.productViewEvents ? `/p/${p.id}` : `/products/${p.id}`;
    view(path, `${p.name} | ${p.category}`, { product_id: p.id });
    if (!ctx.productViewEvents) return;
    t += rng.int(5, 400); // the SDK sends it once the page has loaded
    const event: ProductViewEvent = {
      ...common,
      type: "product_view",
      event_id: rng.uuid(),
      ts: t,
      url: referrer,
      product_id: p.id,
      product_name: p.name,
      category: p.category,
      price: localPrice(p.price, currency),
      currency,
    };
    emit(event);
  };
  const cartEvent = (type: "add_to_cart" | "remove_from_cart", line: CartLine, quantity: number) => {
    const fields = {
      ...common,
      event_id: rng.uuid(),
      ts: t,
      url: referrer || origin + "/",
      product_id: line.product.id,
      product_name: line.product.name,
      category: line.product.category,
      price: line.price,
      quantity,
      currency,
    };
    emit(type === "add_to_cart" ? { ...fields, type } : { ...fields, type });
  };

  // Landing page: home, a category, or straight onto a product from search or an ad.
  const landing = rng.weighted([["home", 40], ["category", 25], ["product", 35]] as const);
  const first = pickProduct(rng, catalogue.products);
  if (landing === "home") view("/", "Home");
  else if (landing === "category") view(categoryPath(first.category), first.category);
  else viewProduct(first);
  if (rng.chance(funnel.bounce)) return out;

  const cart = new Map<string, CartLine>();
  const pages = 1 + rng.geometric(Math.max(0, funnel.productViews - 1));
  for (let i = 0; i < pages; i++) {
    const product = i === 0 && landing === "product" ? first : pickProduct(rng, catalogue.products);
    if (i > 0 || landing !== "product") {
      if (rng.chance(0.4)) {
        think();
        view(categoryPath(product.category), product.category);
      }
      think();
      viewProduct(product);
    }
    if (rng.chance(funnel.addToCart)) {
      think(3_000);
      const spike = active(ctx.anomalies, "spike", t);
      const quantity = rng.weighted([[1, 80], [2, 14], [3, 6]] as const) * (spike ? spike.factor ?? 3 : 1);
      const line = cart.get(product.id) ??
        { product, price: localPrice(product.price, currency), quantity: 0 };
      line.quantity += quantity;
      cart.set(product.id, line);
      cartEvent("add_to_cart", line, quantity);
      if (rng.chance(funnel.removeFromCart)) {
        think(5_000);
        const removed = rng.pick([...cart.values()]);
        cart.delete(removed.product.id);
        cartEvent("remove_from_cart", removed, removed.quantity);
      }
    }
  }
  if (cart.size === 0) return out;

  think();
  view("/cart", "Your cart");
  if (!rng.chance(checkoutChance(ctx, t))) return out;
  think();
  view("/checkout", "Checkout");
  t += rng.int(5, 400);
  const items: OrderItem[] = [...cart.values()].map((l) => ({
    product_id: l.product.id,
    quantity: l.quantity,
    price: l.price,
  }));
  const checkout: BeginCheckoutEvent = {
    ...common,
    type: "begin_checkout",
    event_id: rng.uuid(),
    ts: t,
    url: origin + "/checkout",
    currency,
    value: revenueOf(items),
    items,
  };
  emit(checkout);
  const purchaseChance = active(ctx.anomalies, "spike", t) ? 1 : funnel.purchase;
  if (!rng.chance(purchaseChance)) return out;
  think(20_000);
  if (active(ctx.anomalies, "broken_checkout", t)) {
    view("/checkout/error", "Payment failed", { error: "payment_failed" });
    return out;
  }
  view("/checkout/thank-you", "Thank you for your order");
  const purchase: PurchaseEvent = {
    ...common,
    type: "purchase",
    event_id: rng.uuid(),
    ts: t,
    url: origin + "/checkout/thank-you",
    referrer: origin + "/checkout",
    order_id: `o_${rng.id(8)}${(ctx.orders.next++).toString(36)}`,
    revenue: revenueOf(items),
    currency,
    items,
  };
  emit(purchase);
  return out;
}

/** Sum of price × quantity, computed in whole cents so it matches to the cent. */
export function revenueOf(items: readonly OrderItem[]): number {
  let cents = 0;
  for (const item of items) cents += Math.round(item.price * 100) * item.quantity;
  return cents / 100;
}

function checkoutChance(ctx: SessionContext, t: number): number {
  if (active(ctx.anomalies, "spike", t)) return 1;
  const drop = active(ctx.anomalies, "drop", t);
  return drop ? ctx.funnel.checkout / (drop.factor ?? 5) : ctx.funnel.checkout;
}

function active(anomalies: readonly Anomaly[], kind: Anomaly["kind"], t: number): Anomaly | undefined {
  return anomalies.find((a) => a.kind === kind && t >= a.from && t < a.to);
}

function applyFaults(faults: Faults, rng: Rng, out: Emission[], emission: Emission): void {
  const { duplicates = 0, late = 0, lateByMs = 10 * 60_000, orderReplays = 0 } = faults;
  if (late > 0 && rng.chance(late)) {
    emission.event.ts = Math.max(0, emission.event.ts - lateByMs);
    emission.kind = "late";
  }
  if (duplicates > 0 && rng.chance(duplicates)) {
    out.push({ ...emission, at: emission.at + rng.int(500, 15_000), kind: "duplicate" });
  }
  if (orderReplays > 0 && emission.event.type === "purchase" && rng.chance(orderReplays)) {
    const delay = rng.int(2_000, 60_000);
    const event = { ...emission.event, event_id: rng.uuid(), ts: emission.event.ts + delay };
    out.push({ ...emission, at: emission.at + delay, event, kind: "replay" });
  }
}

// Popular products get most of the traffic: a power law over catalogue order.
function pickProduct(rng: Rng, products: readonly Product[]): Product {
  return products[Math.floor(products.length * rng.next() ** 2.5)];
}

function categoryPath(category: string): string {
  return `/c/${category.toLowerCase()}`;
}
