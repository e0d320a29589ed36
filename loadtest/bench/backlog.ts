// Writes a backlog of synthetic events straight to the events topic (no collector), as fast as the
// producer goes: the input of the catch-up and dashboard-query measurements. Events are spread
// over the last `days` days (24 hours unless told) across a seeded catalogue so dashboard queries
// see realistic data.
import { Producer, stringSerializers } from "@platformatic/kafka";
import type { SinkMessage } from "../../collector/sinks/sink.ts";
import { type Event, type KafkaRow, toKafkaRow } from "../../contract/mod.ts";
import { eventMessages } from "../../collector/stages/publish.ts";
import { buildCatalogue } from "../catalogue.ts";
import { Rng } from "../rng.ts";

const DEVICES = [
  { browser: "Chrome", os: "Windows", device_type: "desktop" },
  { browser: "Safari", os: "iOS", device_type: "mobile" },
  { browser: "Chrome", os: "Android", device_type: "mobile" },
  { browser: "Firefox", os: "Linux", device_type: "desktop" },
  { browser: "Safari", os: "macOS", device_type: "desktop" },
] as const;

/**
 * The shares of a shop's traffic, cycled: 76 % page views, 16 % cart adds, 6 % removes, 2 %
 * purchases (one in seven events bought until 2026-12-03: a backlog with seven times the orders
 * of a real shop made the order-reading panels measure an impossible shop).
 */
const TYPES = [
  ...Array<"page_view">(38).fill("page_view"),
  ...Array<"add_to_cart">(8).fill("add_to_cart"),
  ...Array<"remove_from_cart">(3).fill("remove_from_cart"),
  "purchase",
] as const;

/** The shape of a backlog: how many events, how they sit in messages and how far back they go. */
export type BacklogShape = {
  events: number;
  /** Events per Kafka message, at most; the collector joins a produce's events per partition. */
  perMessage?: number;
  /** How far back sessions start: 1 for a catch-up of recent events, 30 for a month of history. */
  days?: number;
  site?: string;
  now?: number;
};

/**
 * The backlog's messages for the events topic, a batch at a time with its number of events (seeded:
 * the same events each run but for their ids).
 */
export function* backlogBatches(
  topic: string,
  { events, perMessage = 1, days = 1, site = "bench", now = Date.now() }: BacklogShape,
): Generator<{ messages: SinkMessage[]; events: number }> {
  const catalogue = buildCatalogue({ seed: 7, users: 2000 });
  const rng = new Rng(7);
  const batch = 6_000;
  let sessionTs = now;
  for (let sent = 0; sent < events; sent += batch) {
    const rows: KafkaRow[] = [];
    for (let i = 0; i < Math.min(batch, events - sent); i++) {
      const n = sent + i;
      const product = rng.pick(catalogue.products);
      const session = `s${Math.floor(n / 20)}`;
      const type = TYPES[n % TYPES.length];
      // A session's 20 events follow each other 5–60 s apart, as a shopper's visit does (sessions,
      // carts and the dashboard's windows depend on it). One day by default, sessions starting
      // anywhere in it: a catch-up is of recent events. Longer backlogs (the dashboard's month, `deno
      // task bench dashboard`) arrive in time order, as a topic holds a month of traffic, sessions
      // starting within an hour of their place in it: in random order over 30 days every block wrote
      // 30 day partitions of `events` and a row per minute of the month to the minute tables, and
      // 10M events caught up at ~2.5k events/s.
      if (n % 20 === 0) {
        sessionTs = days === 1
          ? now - rng.int(20 * 60_000, 86_400_000)
          : now - Math.round((1 - n / events) * days * 86_400_000) - rng.int(20 * 60_000, 80 * 60_000);
      } else sessionTs += rng.int(5_000, 60_000);
      const ts = sessionTs;
      const common = {
        event_id: crypto.randomUUID(),
        ts,
        session_id: session,
        anonymous_id: `a${Math.floor(n / 40)}`,
        url: `https://shop.example/products/${product.id}`,
      };
      const event: Event = type === "page_view" ? { ...common, type } : type === "purchase"
        ? {
          ...common,
          type,
          order_id: `o${n}`,
          revenue: product.price,
          currency: "EUR",
          items: [{ product_id: product.id, quantity: 1, price: product.price }],
        }
        : {
          ...common,
          type,
          product_id: product.id,
          category: product.category,
          price: product.price,
          quantity: 1,
          currency: "EUR",
        };
      rows.push(toKafkaRow(event, {
        site,
        received_at: ts,
        event_time: ts,
        ...DEVICES[n % DEVICES.length],
        is_bot: 0,
        ip_hash: `h${Math.floor(n / 40)}`,
        country: "DE",
      }));
    }
    // Consecutive events share a session (20 each), as an SDK batch does.
    const messages = eventMessages(topic, rows).flatMap((m) => {
      const lines = m.value.split("\n");
      return Array.from(
        { length: Math.ceil(lines.length / perMessage) },
        (_, i) => ({ ...m, value: lines.slice(i * perMessage, (i + 1) * perMessage).join("\n") }),
      );
    });
    yield { messages, events: rows.length };
  }
}

export async function produceBacklog(
  { bootstrap, topic, onProgress, ...shape }: BacklogShape & {
    bootstrap: string;
    topic: string;
    onProgress?: (sent: number) => void;
  },
): Promise<{ events: number; seconds: number }> {
  const producer = new Producer({
    clientId: "shoptrail-bench",
    bootstrapBrokers: [bootstrap],
    serializers: stringSerializers,
    acks: 1,
    compression: "lz4",
  });
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  let sent = 0;
  for (const { messages, events } of backlogBatches(topic, shape)) {
    const send = producer.send({ messages });
    inFlight.add(send);
    send.finally(() => inFlight.delete(send));
    if (inFlight.size >= 4) await Promise.race(inFlight);
    sent += events;
    onProgress?.(sent);
  }
  await Promise.all(inFlight);
  await producer.close();
  return { events: shape.events, seconds: (performance.now() - started) / 1000 };
}
