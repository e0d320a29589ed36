// Stage 5: hand the rows to the sink, keyed by session so one session's events stay in order.
import type { KafkaRow } from "./contract.ts";
import { CollectorError } from "./errors.ts";
import type { Sink } from "./sink.ts";

export async function publish(sink: Sink, topic: string, rows: KafkaRow[]): Promise<number> {
  const outcomes = await sink.publish(rows.map((row) => ({
    topic,
    key: `${row.site}:${row.session_id}`,
    value: JSON.stringify(row),
  })));
  const failed = outcomes.filter((o) => o !== "ok").length;
  if (failed > 0) {
    throw new CollectorError(
      "kafka_unavailable",
      `Cannot store ${failed} of ${rows.length} events right now: Kafka did not acknowledge them; retry later`,
      undefined,
      { "Retry-After": "5" },
    );
  }
  return rows.length;
}
