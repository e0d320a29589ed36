// The rule that decides what counts, in one place for the simulator and every truth test
// (clickhouse/README.md, "first delivery"): ClickHouse decides it as it reads Kafka, so the copy read
// first counts.
// - An event counts once, by event_id: its first delivery in Kafka order (an event's copies share its
//   key, so its partition) stamps it; later copies are duplicates.
// - An order counts once, by order_id: the purchase read first (an order's purchases share a session,
//   so a partition); two in one message (one request) by the earliest client ts, then the smallest
//   event_id. Later purchases of the order (a thank-you page reload) are replays.
// - An event is late when its first delivery arrived after its minute closed plus the watermark.
// The simulator, which knows no Kafka position, counts in the order the collector accepted its events.
import type { Event, PurchaseEvent } from "../../contract/mod.ts";
import { floorTo, MINUTE } from "./units.ts";

/** Where a delivery sits in Kafka: the order in which ClickHouse reads it. */
export type Position = { partition: number; offset: number };

export const byPosition = (a: Position, b: Position): number =>
  a.partition - b.partition || a.offset - b.offset;

/** The person behind an event: user_id, else anonymous_id, else the session. */
export function userOf(event: Pick<Event, "user_id" | "anonymous_id" | "session_id">): string {
  return event.user_id || event.anonymous_id || event.session_id;
}

/** Each event's first delivery in Kafka order and its number of copies, in order of first appearance. */
export function firstReads<D extends Position & { event_id: string }>(
  deliveries: readonly D[],
): { first: D; copies: number }[] {
  const byId = new Map<string, D[]>();
  for (const d of deliveries) {
    const copies = byId.get(d.event_id);
    if (copies) copies.push(d);
    else byId.set(d.event_id, [d]);
  }
  return [...byId.values()].map((copies) => ({ first: copies.sort(byPosition)[0], copies: copies.length }));
}

/** The counted events: all but the purchases of an order after the one read first. */
export function countOrders<F extends Position & Event>(
  facts: readonly F[],
): { counted: F[]; orders: (F & PurchaseEvent)[] } {
  const byOrder = new Map<string, (F & PurchaseEvent)[]>();
  for (const f of facts) {
    if (f.type !== "purchase") continue;
    const p = f as F & PurchaseEvent;
    const list = byOrder.get(p.order_id);
    if (list) list.push(p);
    else byOrder.set(p.order_id, [p]);
  }
  const orders = [...byOrder.values()].map((ps) =>
    ps.sort((a, b) => byPosition(a, b) || a.ts - b.ts || (a.event_id < b.event_id ? -1 : 1))[0]
  );
  const kept = new Set<F>(orders);
  return { counted: facts.filter((f) => f.type !== "purchase" || kept.has(f)), orders };
}

/** Late: the first delivery arrived once its minute had closed and the watermark had passed. */
export function isLate(eventTime: number, receivedAt: number, watermarkMs: number): boolean {
  return receivedAt >= floorTo(eventTime, MINUTE) + MINUTE + watermarkMs;
}

/** The simulator's positions: the order in which the collector accepted its events. */
const inAcceptedOrder = (events: readonly Event[]) =>
  events.map((e, offset) => ({ ...e, partition: 0, offset }));

/** Keeps the first occurrence of each event_id (the rule, in accepted order). */
export function dedupEvents(events: readonly Event[]): { events: Event[]; duplicates: number } {
  const out = firstReads(inAcceptedOrder(events)).map(({ first }) => events[first.offset]);
  return { events: out, duplicates: events.length - out.length };
}

/** Keeps one purchase per order_id: the first in the given (delivery) order; a thank-you page reload is a replay. */
export function dedupOrders(events: readonly Event[]): { events: Event[]; duplicates: number } {
  const out = countOrders(inAcceptedOrder(events)).counted.map((f) => events[f.offset]);
  return { events: out, duplicates: events.length - out.length };
}
