// Shop events: the public inputs mapped onto the contract's wire fields, and purchases counted
// once per order_id for 24 hours (a reloaded thank-you page must not double the revenue).
import { KEY, ORDER_DEDUP_MS } from "./config.ts";
import type { Win } from "./env.ts";
import { load, save } from "./storage.ts";
import type { CartItem, Order } from "./types.ts";

export function cartFields(item: CartItem) {
  return {
    product_id: String(item.product_id),
    product_name: item.name,
    category: item.category,
    price: +item.price,
    quantity: +item.quantity || 1,
    currency: item.currency,
    props: item.props,
  };
}

export function orderFields(order: Order) {
  return {
    order_id: String(order.order_id),
    revenue: +order.revenue,
    currency: order.currency,
    items: order.items.map((i) => ({
      product_id: String(i.product_id),
      quantity: +i.quantity,
      price: +i.price,
    })),
    props: order.props,
  };
}

/** True the first time an order_id is seen within 24 h in this browser, and records it. */
export function firstPurchase(w: Win, orderId: string, now: number): boolean {
  const seen = load<Record<string, number>>(w.localStorage, KEY.orders) || {};
  for (const id in seen) if (now - seen[id] > ORDER_DEDUP_MS) delete seen[id];
  const first = !(orderId in seen);
  seen[orderId] = first ? now : seen[orderId];
  save(w.localStorage, KEY.orders, seen);
  return first;
}
