// The counted facts of a pipeline run: the events a test sent, each stamped by its first delivery as
// ClickHouse read it back (the rule of counting.ts), with the stamps only the collector and Kafka know
// (event_time, received_at, enrichment, position), and what the site's entry in the sites file
// decides (its product URL patterns, its time zone). Every table family derives from these.
import {
  DEFAULT_PRODUCT_URL_PATTERNS,
  type Event,
  productUrlMatcher,
  type PurchaseEvent,
} from "../../contract/mod.ts";
import { countOrders, firstReads, isLate, type Position, userOf } from "./counting.ts";
import { floorTo, MINUTE } from "./units.ts";

export type Delivery = Position & {
  event_id: string;
  event_time: number;
  received_at: number;
  browser: string;
  device_type: string;
};

/** An event as the analytics see it: first delivery's stamps on the sent content. */
export type Fact = Event & Position & {
  site: string;
  t: number;
  received: number;
  late: boolean;
  deliveries: number;
  browser: string;
  device: string;
  user_key: string;
  /**
   * The product this event is a product view of, else "": a `product_view`'s product_id, or the id
   * the site's URL patterns find in a page view's URL (the fallback for shops that cannot add code).
   * Both count: a shop that sends product views turns its patterns off (clickhouse/README.md).
   */
  viewed: string;
};

export type Order = Fact & PurchaseEvent;

export type Counted = {
  site: string;
  /** The site's IANA time zone: its hours and days. */
  timeZone: string;
  /** Every event delivered, once. */
  facts: Fact[];
  /** The facts that count: replayed purchases left out. */
  unique: Fact[];
  onTime: Fact[];
  orders: Order[];
};

function deviceOf(d: Delivery, viewport: string | undefined): string {
  if (d.device_type) return d.device_type;
  const width = Number((viewport ?? "").split("x")[0]) || 0;
  return width === 0 ? "unknown" : width < 768 ? "mobile" : width < 1100 ? "tablet" : "desktop";
}

/** A site's entry in the sites file, as far as the analytics read it. */
export type SiteSettings = {
  /** IANA name; default UTC. */
  timeZone?: string;
  /** Default: DEFAULT_PRODUCT_URL_PATTERNS. */
  productUrlPatterns?: readonly string[];
};

export function countDeliveries(input: {
  site: string;
  sent: readonly Event[];
  deliveries: readonly Delivery[];
  watermarkMs: number;
  settings?: SiteSettings;
}): Counted {
  const { site, watermarkMs, settings = {} } = input;
  const productOfUrl = productUrlMatcher(settings.productUrlPatterns ?? DEFAULT_PRODUCT_URL_PATTERNS);
  const content = new Map(input.sent.map((e) => [e.event_id, e]));
  const facts = firstReads(input.deliveries).map(({ first, copies }): Fact => {
    const e = content.get(first.event_id);
    if (!e) throw new Error(`ClickHouse has event ${first.event_id}, which the test never sent`);
    return {
      ...e,
      site,
      t: first.event_time,
      received: first.received_at,
      late: isLate(first.event_time, first.received_at, watermarkMs),
      deliveries: copies,
      partition: first.partition,
      offset: first.offset,
      browser: first.browser,
      device: deviceOf(first, e.viewport),
      user_key: userOf(e),
      viewed: e.type === "product_view"
        ? e.product_id
        : e.type === "page_view"
        ? productOfUrl(e.url) ?? ""
        : "",
    };
  });
  const { counted: unique, orders } = countOrders(facts);
  const timeZone = settings.timeZone ?? "UTC";
  return { site, timeZone, facts, unique, onTime: unique.filter((f) => !f.late), orders };
}

export const byTimeThenId = (a: Fact, b: Fact): number =>
  a.t - b.t || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);

export function lateEvents({ site, unique }: Counted) {
  return unique.filter((f) => f.late).map((f) => ({
    site,
    event_id: f.event_id,
    type: f.type,
    event_time: f.t,
    received_at: f.received,
    window_start: floorTo(f.t, MINUTE),
    delay_ms: f.received - f.t,
    deliveries: f.deliveries,
  }));
}
