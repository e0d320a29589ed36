// The event contract: the one definition of what a beacon may carry. The SDK's types and the
// simulator's generator follow from it, and so does the Kafka line (kafka_line.ts, `toKafkaRow`),
// whose keys are the columns of ClickHouse's `kafka_events`.
import { z } from "zod";

export const EVENT_TYPES = [
  "page_view",
  "product_view",
  "add_to_cart",
  "remove_from_cart",
  "begin_checkout",
  "purchase",
] as const;
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
/** A product's page (or quick view) was seen: the funnel's step between a page view and a cart add. */
export const ProductView = z.object({
  ...common,
  type: z.literal("product_view"),
  product_id: id,
  product_name: text.optional(),
  category: text.optional(),
  price: money.max(MAX_PRICE).optional(),
  currency: currency.optional(),
});
export const AddToCart = z.object({ ...common, type: z.literal("add_to_cart"), ...cartFields });
export const RemoveFromCart = z.object({ ...common, type: z.literal("remove_from_cart"), ...cartFields });
/** The shopper left the cart for the checkout: the funnel's step between a cart add and a purchase. */
export const BeginCheckout = z.object({
  ...common,
  type: z.literal("begin_checkout"),
  currency: currency.optional(),
  /** What the cart is worth as the checkout starts. */
  value: money.optional(),
  items: z.array(OrderItem).max(MAX_ITEMS).optional(),
});
export const Purchase = z.object({
  ...common,
  type: z.literal("purchase"),
  order_id: id,
  revenue: money,
  currency,
  items: z.array(OrderItem).min(1).max(MAX_ITEMS),
});

export const Event = z.discriminatedUnion("type", [
  PageView,
  ProductView,
  AddToCart,
  RemoveFromCart,
  BeginCheckout,
  Purchase,
]);
export type Event = z.infer<typeof Event>;
export type PageViewEvent = z.infer<typeof PageView>;
export type ProductViewEvent = z.infer<typeof ProductView>;
export type CartEvent = z.infer<typeof AddToCart>;
export type BeginCheckoutEvent = z.infer<typeof BeginCheckout>;
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
