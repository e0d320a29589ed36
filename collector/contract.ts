// The event contract: the one definition of what a beacon may carry. The SDK's types, the
// simulator's generator and the ClickHouse column list (see `kafkaRowColumns`) follow from it.
import { z } from "zod";

export const EVENT_TYPES = ["page_view", "add_to_cart", "remove_from_cart", "purchase"] as const;
export type EventType = typeof EVENT_TYPES[number];

const MAX_ID = 128;
const MAX_TEXT = 2048;
const MAX_URL = 4096;
// Prices and quantities beyond these are typos or attacks, not shopping.
export const MAX_PRICE = 1_000_000;
export const MAX_QUANTITY = 10_000;
export const MAX_ITEMS = 200;

const id = z.string().min(1).max(MAX_ID);
const text = z.string().max(MAX_TEXT);
const money = z.number().finite().nonnegative().max(MAX_PRICE * MAX_QUANTITY);
const currency = z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code such as EUR");

export const OrderItem = z.object({
  product_id: id,
  quantity: z.number().int().positive().max(MAX_QUANTITY),
  price: money.max(MAX_PRICE),
});
export type OrderItem = z.infer<typeof OrderItem>;

const common = {
  event_id: z.uuid(),
  ts: z.number().int().nonnegative(),
  anonymous_id: id.optional(),
  session_id: id,
  user_id: id.optional(),
  url: z.string().min(1).max(MAX_URL),
  referrer: z.string().max(MAX_URL).optional(),
  title: text.optional(),
  viewport: z.string().max(32).optional(),
  language: z.string().max(35).optional(),
  utm_source: text.optional(),
  utm_medium: text.optional(),
  utm_campaign: text.optional(),
  utm_term: text.optional(),
  utm_content: text.optional(),
  props: z.record(z.string().max(MAX_ID), z.unknown()).optional(),
};

const cartFields = {
  product_id: id,
  product_name: text.optional(),
  category: text.optional(),
  price: money.max(MAX_PRICE),
  quantity: z.number().int().positive().max(MAX_QUANTITY),
  currency,
};

export const PageView = z.object({ ...common, type: z.literal("page_view") });
export const AddToCart = z.object({ ...common, type: z.literal("add_to_cart"), ...cartFields });
export const RemoveFromCart = z.object({ ...common, type: z.literal("remove_from_cart"), ...cartFields });
export const Purchase = z.object({
  ...common,
  type: z.literal("purchase"),
  order_id: id,
  revenue: money,
  currency,
  items: z.array(OrderItem).min(1).max(MAX_ITEMS),
});

export const Event = z.discriminatedUnion("type", [PageView, AddToCart, RemoveFromCart, Purchase]);
export type Event = z.infer<typeof Event>;
export type PageViewEvent = z.infer<typeof PageView>;
export type CartEvent = z.infer<typeof AddToCart>;
export type PurchaseEvent = z.infer<typeof Purchase>;

export const MAX_EVENTS_PER_BATCH = 500;

export const SiteId = z.string().min(1).max(64).regex(
  /^[a-z0-9][a-z0-9_-]*$/,
  "lowercase letters, digits, '-' or '_'",
);

// The size of `events` is checked by the collector before this schema (413, not 400).
export const Batch = z.object({
  site: SiteId,
  sent_at: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  events: z.array(z.unknown()).min(1),
});
export type Batch = z.infer<typeof Batch>;

/** What the collector adds to each valid event before publishing. */
export type Enrichment = {
  site: string;
  received_at: number;
  event_time: number;
  /** From the User-Agent header: browser family, OS family, device type ("desktop", "mobile", ...). */
  browser: string;
  os: string;
  device_type: string;
  /** 1 when the User-Agent is a known crawler or automation tool (sites may drop these instead). */
  is_bot: number;
  /** Truncated client IP hashed with a salt that rotates daily; never the IP itself. */
  ip_hash: string;
  /** ISO 3166 alpha-2 code from the edge's country header, "" when absent. */
  country: string;
};

/**
 * One Kafka message on the events topic: a flat JSON object whose keys are exactly the
 * columns of the `kafka_events` table. Optional contract fields become empty strings or zeros
 * so that ClickHouse never sees a missing column.
 */
export type KafkaRow = ReturnType<typeof toKafkaRow>;

export function toKafkaRow(event: Event, enrichment: Enrichment) {
  const cart = event.type === "add_to_cart" || event.type === "remove_from_cart" ? event : undefined;
  const purchase = event.type === "purchase" ? event : undefined;
  return {
    event_id: event.event_id,
    type: event.type,
    site: enrichment.site,
    ts: event.ts,
    event_time: enrichment.event_time,
    received_at: enrichment.received_at,
    anonymous_id: event.anonymous_id ?? "",
    session_id: event.session_id,
    user_id: event.user_id ?? "",
    url: event.url,
    referrer: event.referrer ?? "",
    title: event.title ?? "",
    viewport: event.viewport ?? "",
    language: event.language ?? "",
    utm_source: event.utm_source ?? "",
    utm_medium: event.utm_medium ?? "",
    utm_campaign: event.utm_campaign ?? "",
    utm_term: event.utm_term ?? "",
    utm_content: event.utm_content ?? "",
    product_id: cart?.product_id ?? "",
    product_name: cart?.product_name ?? "",
    category: cart?.category ?? "",
    price: cart?.price ?? 0,
    quantity: cart?.quantity ?? 0,
    currency: cart?.currency ?? purchase?.currency ?? "",
    order_id: purchase?.order_id ?? "",
    revenue: purchase?.revenue ?? 0,
    items: purchase?.items ?? [],
    props: event.props ? JSON.stringify(event.props) : "",
    browser: enrichment.browser,
    os: enrichment.os,
    device_type: enrichment.device_type,
    is_bot: enrichment.is_bot,
    ip_hash: enrichment.ip_hash,
    country: enrichment.country,
  };
}
