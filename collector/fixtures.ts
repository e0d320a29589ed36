// Test fixtures for the collector: valid events of each type, and an app on a memory sink with
// a fixed clock. Only tests import this file.
import { type AppOptions, createApp } from "./app.ts";
import type { Event } from "../contract/mod.ts";
import { MemorySink } from "./sinks/memory.ts";

export const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
export const TOPICS = { events: "t.events", dlq: "t.events.dlq" };

let counter = 0;

/** A deterministic, valid UUID v4 per call. */
export function uuid(): string {
  const n = (++counter).toString(16).padStart(12, "0");
  return `00000000-0000-4000-8000-${n}`;
}

export function event(
  type: Event["type"] = "page_view",
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const base = {
    event_id: uuid(),
    type,
    ts: NOW - 1000,
    session_id: "s1",
    anonymous_id: "a1",
    url: "https://shop.test/",
  };
  if (type === "add_to_cart" || type === "remove_from_cart") {
    return { ...base, product_id: "p1", price: 19.99, quantity: 2, currency: "EUR", ...extra };
  }
  if (type === "product_view") {
    return {
      ...base,
      product_id: "p1",
      product_name: "Shirt",
      category: "Tops",
      price: 19.99,
      currency: "EUR",
      ...extra,
    };
  }
  if (type === "begin_checkout") {
    return {
      ...base,
      currency: "EUR",
      value: 39.98,
      items: [{ product_id: "p1", quantity: 2, price: 19.99 }],
      ...extra,
    };
  }
  if (type === "purchase") {
    return {
      ...base,
      order_id: "o1",
      revenue: 39.98,
      currency: "EUR",
      items: [{ product_id: "p1", quantity: 2, price: 19.99 }],
      ...extra,
    };
  }
  return { ...base, ...extra };
}

export function batch(events: unknown[], extra: Record<string, unknown> = {}) {
  return { site: "shop", sent_at: NOW, events, ...extra };
}

export function testApp(options: Partial<AppOptions> = {}) {
  const sink = options.sink instanceof MemorySink ? options.sink : new MemorySink();
  const app = createApp({
    sink,
    topics: TOPICS,
    clock: () => NOW,
    client: { ipHeader: "x-forwarded-for" },
    ...options,
  });
  return { app, sink };
}

export function post(
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
  body: unknown,
  { headers = {}, path = "/v1/batch" }: { headers?: Record<string, string>; path?: string } = {},
): Promise<Response> {
  const text = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  return Promise.resolve(app.request(path, {
    method: "POST",
    headers: {
      "Content-Type": "text/plain",
      "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
      ...headers,
    },
    body: text as BodyInit,
  }));
}
