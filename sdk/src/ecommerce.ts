// Shop events: the public inputs mapped onto the contract's wire fields, and purchases counted
// once per order_id for 24 hours (a reloaded thank-you page must not double the revenue).
import { KEY, ORDER_DEDUP_MS } from "./config.ts";
import type { Win } from "./env.ts";
import { load, save } from "./storage.ts";
import type { CartItem, Checkout, Order, OrderItem, Product } from "./types.ts";

export function productFields(p: Product) {
  return {
    product_id: String(p.product_id),
    product_name: p.name,
    category: p.category,
    // A number from a number or numeric string; absent stays absent (+undefined is NaN, sent as null).
    price: p.price && +p.price,
    currency: p.currency,
    props: p.props,
  };
}

export function cartFields(item: CartItem) {
  return Object.assign(productFields(item), { quantity: +item.quantity || 1 });
}

const lines = (items: OrderItem[]) =>
  items.map((i) => ({ product_id: String(i.product_id), quantity: +i.quantity, price: +i.price }));

export function checkoutFields(c: Checkout = {}) {
  return {
    currency: c.currency,
    value: c.value && +c.value,
    items: c.items && lines(c.items),
    props: c.props,
  };
}

export function orderFields(order: Order) {
  return {
    order_id: String(order.order_id),
    revenue: +order.revenue,
    currency: order.currency,
    items: lines(order.items),
    props: order.props,
  };
}

/** True the first time an order_id is seen within 24 h in this browser, and records it. */
export function firstPurchase(w: Win, orderId: string, now: number): boolean {
  const seen = load<Record<string, number>>(w, KEY.orders) || {};
  for (const id in seen) if (now - seen[id] > ORDER_DEDUP_MS) delete seen[id];
  const first = !(orderId in seen);
  seen[orderId] = first ? now : seen[orderId];
  save(w, KEY.orders, seen);
  return first;
}
