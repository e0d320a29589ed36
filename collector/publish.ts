// Stage 5: valid rows to the events topic, keyed by site and session so one session's events
// stay in order on one partition; refused events to the DLQ topic with their reason. Everything
// goes to the sink in one call, and the request is acknowledged only if the sink stored all of
// it (Kafka acknowledged, or the spool fsync'd).
import type { KafkaRow } from "./contract.ts";
import { CollectorError } from "./errors.ts";
import type { Sink, SinkMessage } from "./sink.ts";
import { privateRawEvent } from "./url_privacy.ts";
import type { Rejection } from "./validate.ts";

export type EventResult = {
  index: number;
  event_id: string | null;
  status: "accepted" | "rejected" | "dropped";
  code?: string;
};
export type BatchResult = { accepted: number; rejected: number; dropped: number; results: EventResult[] };

export function messages(
  { topics, rows, rejected, site, receivedAt }: {
    topics: { events: string; dlq: string };
    rows: KafkaRow[];
    rejected: Rejection[];
    site: string;
    receivedAt: number;
  },
): SinkMessage[] {
  return [
    ...eventMessages(topics.events, rows),
    ...rejected.map((r) => ({
      topic: topics.dlq,
      key: site,
      value: JSON.stringify({
        site,
        received_at: receivedAt,
        index: r.index,
        code: r.code,
        problems: r.problems,
        event: privateRawEvent(r.raw), // kept 30 days: no tokens in its URLs either
      }),
    })),
  ];
}

/**
 * One message per session of the batch, its rows as JSON lines (kafkaLine; ClickHouse splits a
 * message into its lines, clickhouse/028): the Kafka engine pays a fixed cost per message, so a 20-event SDK batch
 * costs it one message instead of 20. A session's rows stay in order; a message is cut at
 * MAX_MESSAGE_CHARS, under the broker's 1 MB message limit whatever the body limit.
 */
export function eventMessages(topic: string, rows: KafkaRow[]): SinkMessage[] {
  const open = new Map<string, SinkMessage>();
  const out: SinkMessage[] = [];
  for (const row of rows) {
    const key = `${row.site}:${row.session_id}`;
    const line = kafkaLine(row);
    const current = open.get(key);
    if (current && current.value.length + 1 + line.length <= MAX_MESSAGE_CHARS) {
      current.value += `\n${line}`;
      continue;
    }
    const message = { topic, key, value: line };
    open.set(key, message);
    out.push(message);
  }
  return out;
}

/**
 * A row as one JSON line without its empty fields ('', 0, []): ClickHouse's JSONExtract reads a
 * missing field as that same default, and it parses per byte. Measured on the bench's backlog
 * (loadtest/RESULTS.md, "Lines without empty fields"): lines of 636 characters became 361, and
 * their parse took ~1.2 µs of CPU instead of ~2.1.
 */
export function kafkaLine(row: KafkaRow): string {
  const line: Partial<Record<keyof KafkaRow, unknown>> = {};
  for (const [field, value] of Object.entries(row) as [keyof KafkaRow, unknown][]) {
    if (value !== "" && value !== 0 && !(Array.isArray(value) && value.length === 0)) line[field] = value;
  }
  return JSON.stringify(line);
}

/** JSON characters per Kafka message: at most 768 KB of UTF-8. An event over it alone goes alone. */
export const MAX_MESSAGE_CHARS = 256 * 1024;

/** The event rows of an events-topic message, as sent: empty fields left out (kafkaLine). */
export function rowsOf(value: string): Partial<KafkaRow>[] {
  return value.split("\n").map((line) => JSON.parse(line));
}

export async function publish(sink: Sink, batch: SinkMessage[]): Promise<void> {
  if (batch.length === 0) return;
  const outcomes = await sink.publish(batch);
  const failed = outcomes.filter((o) => o !== "ok").length;
  if (failed === 0) return;
  if (sink.full?.()) {
    throw new CollectorError(
      "spool_full",
      "Cannot store events right now: Kafka is unreachable and the local spool is full; retry later",
      undefined,
      { "Retry-After": "30" },
    );
  }
  throw new CollectorError(
    "kafka_unavailable",
    `Cannot store ${failed} of ${batch.length} messages right now: Kafka did not acknowledge them; retry later`,
    undefined,
    { "Retry-After": "5" },
  );
}

export function batchResult(
  { accepted, rejected, dropped }: {
    accepted: { index: number; event_id: string }[];
    rejected: Rejection[];
    dropped: boolean;
  },
): BatchResult {
  const results: EventResult[] = [
    ...accepted.map((a) => ({
      index: a.index,
      event_id: a.event_id,
      status: dropped ? "dropped" as const : "accepted" as const,
      ...(dropped ? { code: "bot" } : {}),
    })),
    ...rejected.map((r) => ({
      index: r.index,
      event_id: r.event_id,
      status: "rejected" as const,
      code: r.code,
    })),
  ].sort((a, b) => a.index - b.index);
  return {
    accepted: dropped ? 0 : accepted.length,
    rejected: rejected.length,
    dropped: dropped ? accepted.length : 0,
    results,
  };
}
