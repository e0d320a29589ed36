// One tracker per page: builds events with their context, keeps them in the outbox and decides
// when to send. Flow: event -> outbox (stored) -> batch at 20 events / 32 KB / 2 s -> fetch ->
// delivered, or retried with backoff -> on hide/leave the rest goes by beacon.
import {
  BATCH_BYTES,
  BATCH_DELAY_MS,
  BATCH_EVENTS,
  type Config,
  KEY,
  MAX_TRIES,
  UNLOAD_BYTES,
} from "./config.ts";
import { forgetIdentity, setOptOut, withheld } from "./consent.ts";
import { cartFields, checkoutFields, firstPurchase, orderFields, productFields } from "./ecommerce.ts";
import { bytes, safe, uuid, type Win } from "./env.ts";
import { claimOrphans } from "./lock.ts";
import { outbox } from "./queue.ts";
import { anonymousId, sessionId } from "./session.ts";
import { watchNavigation } from "./spa.ts";
import { load, save } from "./storage.ts";
import { backoff, beacon, post } from "./transport.ts";
import type { BatchBody, CartItem, Checkout, Event, Order, Product, Props } from "./types.ts";

/** Event types that carry nothing beyond the common fields: the ones `track` can send. */
export type PlainType = Exclude<
  Event["type"],
  "product_view" | "add_to_cart" | "remove_from_cart" | "begin_checkout" | "purchase"
>;

export type Tracker = ReturnType<typeof createTracker>;

const UTM = "source medium campaign term content".split(" ");

export function createTracker(w: Win, config: Config) {
  const own = KEY.outbox + uuid(w);
  const box = outbox(w, own);
  const url = config.endpoint.replace(/\/$/, "") + "/v1/batch";
  const doc = w.document;
  let referrer = doc.referrer;
  let user = load<string>(w, KEY.user);
  let timer: number | undefined;
  let busy = false;
  /** Failed tries of the batch at the head of the outbox; 0 while the collector is healthy. */
  let tries = 0;

  function emit(type: Event["type"], fields?: object): void {
    const now = w.Date.now();
    const anonymous = withheld(w, config);
    const loc = w.location;
    const event: Record<string, unknown> = {
      event_id: uuid(w),
      type,
      ts: now,
      session_id: sessionId(w, now, anonymous),
      url: loc.href.slice(0, 4096),
      referrer: referrer.slice(0, 4096),
      title: doc.title.slice(0, 2048),
      viewport: w.innerWidth + "x" + w.innerHeight,
      language: w.navigator.language,
    };
    if (!anonymous) {
      event.anonymous_id = anonymousId(w);
      event.user_id = user;
    }
    const params = new URLSearchParams(loc.search);
    for (const k of UTM) event["utm_" + k] = (params.get("utm_" + k) || "").slice(0, 2048) || undefined;
    box.add(Object.assign(event, fields) as Event);
    if (!tries) due() ? send() : wait(BATCH_DELAY_MS);
  }

  const due = () => box.queue.length >= BATCH_EVENTS || bytes(box.queue) >= BATCH_BYTES;

  function wait(ms: number): void {
    if (!timer) timer = w.setTimeout(() => (timer = undefined, send()), ms);
  }

  function body(events: Event[]): string {
    const batch: BatchBody = { site: config.site, sent_at: w.Date.now(), events };
    if (box.evicted) batch.dropped = box.evicted;
    return JSON.stringify(batch);
  }

  /** Sends the oldest batch by fetch, then whatever is due next. Resolves when it is done. */
  async function send(): Promise<void> {
    w.clearTimeout(timer);
    timer = undefined;
    if (busy || tries >= MAX_TRIES || !box.queue.length) return;
    busy = true;
    try {
      const reported = box.evicted;
      const payload = body(box.take(BATCH_EVENTS, BATCH_BYTES));
      box.persist();
      const outcome = await post(w, url, payload);
      busy = false;
      box.settle(outcome.ok >= 0, reported);
      if (outcome.ok == -1) {
        // After MAX_TRIES the events stay stored and the next page load sends them.
        if (++tries < MAX_TRIES) wait(backoff(w, tries, outcome.wait));
      } else {
        tries = 0;
        if (due()) return send();
        if (box.queue.length) wait(BATCH_DELAY_MS);
      }
    } catch {
      busy = false; // a promise the page never sees must not reject either
    }
  }

  /**
   * The page is hidden or leaving: beacon everything waiting, in requests of at most 48 KB. While
   * the collector is failing the events stay stored instead, for this page's retries or the next
   * load. On `pagehide` the request in flight (fetch keepalive outlives the page) is considered
   * handed over, so the next load does not send it twice.
   */
  function leave(pagehide?: boolean): void {
    if (tries) return;
    const q = box.queue;
    while (q.length) {
      let n = 0;
      let size = bytes(body([])) + 2;
      while (n < q.length && (size += bytes(q[n]) + 1) <= UNLOAD_BYTES) n++;
      const events = q.splice(0, n || 1);
      beacon(w, url, body(events));
      box.evicted = 0;
    }
    box.persist(!pagehide);
  }

  const api = {
    /** A page_view for the current URL; sent automatically unless `pageviews: false`. */
    pageview(props?: Props): void {
      emit("page_view", { props });
    },
    /** An event of a contract type without extra fields, with optional custom props. */
    track(type: PlainType, props?: Props): void {
      emit(type, { props });
    },
    /** A product's page was seen (the `data-shoptrail-product` attribute sends it on load). */
    viewProduct(product: Product): void {
      emit("product_view", productFields(product));
    },
    addToCart(item: CartItem): void {
      emit("add_to_cart", cartFields(item));
    },
    removeFromCart(item: CartItem): void {
      emit("remove_from_cart", cartFields(item));
    },
    /** The shopper left the cart for the checkout (a `data-shoptrail-checkout` button sends it). */
    beginCheckout(checkout?: Checkout): void {
      emit("begin_checkout", checkoutFields(checkout));
    },
    /** Counted once per order_id within 24 h in this browser. */
    purchase(order: Order): void {
      if (firstPurchase(w, String(order.order_id), w.Date.now())) emit("purchase", orderFields(order));
    },
    /** Attaches a user id to later events (ignored while consent is withheld); none to forget it. */
    identify(userId?: string): void {
      user = userId && !withheld(w, config) ? String(userId).slice(0, 128) : undefined;
      save(w, KEY.user, user);
    },
    optOut(): void {
      setOptOut(w, true);
      user = undefined;
    },
    optIn(): void {
      setOptOut(w, false);
    },
    /** Sends what is waiting now, unless the collector asked to back off. */
    flush(): Promise<void> {
      return send();
    },
  };
  for (const k in api) {
    const key = k as keyof typeof api;
    api[key] = safe(api[key] as (...a: unknown[]) => unknown) as never;
  }

  if (withheld(w, config)) forgetIdentity(w);
  claimOrphans(
    w,
    own,
    safe((stored) => {
      box.adopt(stored);
      if (!tries) wait(0);
    }),
  );
  w.addEventListener("pagehide", safe(() => leave(true)));
  doc.addEventListener("visibilitychange", safe(() => doc.visibilityState == "hidden" && leave()));
  if (config.pageviews != false) {
    w.addEventListener("pageshow", safe((e: PageTransitionEvent) => e.persisted && api.pageview()));
    watchNavigation(w, config.hash, (from) => {
      referrer = from;
      api.pageview();
    });
  }
  return api;
}
