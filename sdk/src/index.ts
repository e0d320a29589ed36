// The ESM entry: `init()` once, then the API. Calls made before `init()` are queued and replayed
// in order, so an app may track from modules that load first.
import type { Config } from "./config.ts";
import { createTracker, type PlainType, type Tracker } from "./tracker.ts";
import type { CartItem, Checkout, Order, Product, Props } from "./types.ts";

export type { Config, PlainType };
export type { BatchBody, CartItem, Checkout, Event, Order, Product, Props } from "./types.ts";

let tracker: Tracker | undefined;
let pending: [keyof Tracker, unknown[]][] = [];

function call(method: keyof Tracker, args: unknown[]): unknown {
  if (tracker) return (tracker[method] as (...a: unknown[]) => unknown)(...args);
  // Without a window (server-side rendering) init() never starts a tracker: a queue would only grow.
  if (typeof window != "undefined") pending.push([method, args]);
}

/** Starts tracking: replays earlier calls, then sends the first page_view (unless disabled). */
export function init(config: Config): void {
  try {
    if (tracker || typeof window == "undefined") return;
    tracker = createTracker(window, config);
    for (const [method, args] of pending) call(method, args);
    pending = [];
    if (config.pageviews != false) tracker.pageview();
  } catch { /* never into the page */ }
}

export const pageview = (props?: Props): void => void call("pageview", [props]);
export const track = (type: PlainType, props?: Props): void => void call("track", [type, props]);
export const viewProduct = (product: Product): void => void call("viewProduct", [product]);
export const addToCart = (item: CartItem): void => void call("addToCart", [item]);
export const removeFromCart = (item: CartItem): void => void call("removeFromCart", [item]);
export const beginCheckout = (checkout?: Checkout): void => void call("beginCheckout", [checkout]);
export const purchase = (order: Order): void => void call("purchase", [order]);
export const identify = (userId?: string): void => void call("identify", [userId]);
export const optOut = (): void => void call("optOut", []);
export const optIn = (): void => void call("optIn", []);
/** Sends what is waiting; resolves when the request ended. */
export const flush = (): Promise<void> => Promise.resolve(tracker && tracker.flush());
