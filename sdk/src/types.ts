// Public SDK types. They follow from the event contract through type-only imports, which vanish
// from the bundle: the SDK ships no zod and restates no field by hand.
import type {
  BeginCheckoutEvent,
  CartEvent,
  Event,
  OrderItem,
  ProductViewEvent,
  PurchaseEvent,
} from "../../contract/mod.ts";

export type { Event, OrderItem };

/** Fields the SDK fills in itself on every event. */
type Context =
  | "event_id"
  | "type"
  | "ts"
  | "anonymous_id"
  | "session_id"
  | "user_id"
  | "url"
  | "referrer"
  | "title"
  | "viewport"
  | "language"
  | "utm_source"
  | "utm_medium"
  | "utm_campaign"
  | "utm_term"
  | "utm_content";

/** What every event shares: the contract's common fields. */
export type Common = Pick<Event, Context | "props">;

/** `addToCart()` / `removeFromCart()` input: the contract's cart fields, `product_name` as `name`. */
export type CartItem =
  & Omit<CartEvent, Context | "props" | "product_name">
  & { name?: CartEvent["product_name"]; props?: CartEvent["props"] };

/** `viewProduct()` input: the contract's product view fields, `product_name` as `name`. */
export type Product =
  & Omit<ProductViewEvent, Context | "props" | "product_name">
  & { name?: ProductViewEvent["product_name"]; props?: ProductViewEvent["props"] };

/** `beginCheckout()` input: all optional. */
export type Checkout = Omit<BeginCheckoutEvent, Context>;

/** `purchase()` input. */
export type Order = Omit<PurchaseEvent, Context> & { items: OrderItem[] };

export type Props = NonNullable<Event["props"]>;

/** The request body of `POST {endpoint}/v1/batch`. `dropped` counts events lost to storage limits. */
export type BatchBody = { site: string; sent_at: number; events: Event[]; dropped?: number };
