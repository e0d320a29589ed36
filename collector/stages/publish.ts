// Stage 5: valid rows to the events topic, keyed by site and session so one session's events
// stay in order on one partition; refused events to the DLQ topic with their reason. Everything
// goes to the sink in one call, and the request is acknowledged only if the sink stored all of
// it (Kafka acknowledged, or the spool fsync'd).
import { joinLines, kafkaLine, type KafkaRow } from "../../contract/mod.ts";
import { CollectorError } from "../errors.ts";
import type { Sink, SinkMessage } from "../sinks/sink.ts";
import { privateRawEvent } from "./url_privacy.ts";
import type { Rejection, Warning } from "./validate.ts";

export type EventResult = {
  index: number;
  event_id: string | null;
  status: "accepted" | "rejected" | "dropped";
  code?: string;
};
export type BatchResult = {
  accepted: number;
  rejected: number;
  dropped: number;
  results: EventResult[];
  /** Present when an accepted event was stored without something it carried. */
  warnings?: Warning[];
};

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
 * One message per session of the batch, its rows as JSON lines (joinLines, contract/kafka_line.ts):
 * the Kafka engine pays a fixed cost per message, so a 20-event SDK batch costs it one message
 * instead of 20. A session's rows stay in order; a message is cut at MAX_MESSAGE_CHARS, under the
 * broker's 1 MB message limit whatever the body limit.
 */
export function eventMessages(topic: string, rows: KafkaRow[]): SinkMessage[] {
  return joinLines(rows, {
    group: (row) => `${row.site}:${row.session_id}`,
    line: kafkaLine,
    open: (_, value, key) => ({ topic, key: key!, value }),
  });
}

/** `full`: true when a failure was because the spool in front of Kafka is full (503 spool_full). */
export async function publish(sink: Sink, batch: SinkMessage[], full?: () => boolean): Promise<void> {
  if (batch.length === 0) return;
  const outcomes = await sink.publish(batch);
  const failed = outcomes.filter((o) => o !== "ok").length;
  if (failed === 0) return;
  if (full?.()) {
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
  { accepted, rejected, dropped, warnings = [] }: {
    accepted: { index: number; event_id: string }[];
    rejected: Rejection[];
    dropped: boolean;
    warnings?: Warning[];
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
    ...(warnings.length ? { warnings } : {}),
  };
}
