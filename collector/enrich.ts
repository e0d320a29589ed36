// Stage 4: what the server knows and the browser does not.
import { type Event, type KafkaRow, toKafkaRow } from "./contract.ts";

// A client clock can be wrong by hours; beyond this correction we trust the server's clock.
const MAX_SKEW_MS = 24 * 60 * 60 * 1000;

/**
 * The event's time on the server's clock: the browser's timestamp shifted by how far the
 * browser's clock was off when it sent the batch (sent_at against our received_at).
 */
export function correctedTime(ts: number, sentAt: number, receivedAt: number): number {
  const skew = Math.max(-MAX_SKEW_MS, Math.min(MAX_SKEW_MS, sentAt - receivedAt));
  return Math.min(ts - skew, receivedAt);
}

export function enrich(events: Event[], { site, sentAt, receivedAt }: { site: string; sentAt: number; receivedAt: number }) {
  return events.map((event): KafkaRow =>
    toKafkaRow(event, { site, received_at: receivedAt, event_time: correctedTime(event.ts, sentAt, receivedAt) })
  );
}
