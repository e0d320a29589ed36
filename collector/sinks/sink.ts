// Where accepted events go. All Kafka code sits behind this: the collector only knows that each
// message was stored (`ok`), may succeed if tried again (`retriable`), or never will (`fatal`).
// Implementations: KafkaSink (kafka/, TCP), UpstashSink (Kafka over HTTP), MemorySink (tests), and
// SpoolSink (spool/), a decorator: disk in front of either, behind this same interface.
export type SinkMessage = { topic: string; key: string; value: string };
export type PublishOutcome = "ok" | "retriable" | "fatal";

/** How many messages and records (lines) a produce carries, as fields of a log line. */
export function countMessages(messages: SinkMessage[]): { messages: number; records: number } {
  const records = messages.reduce((n, m) => n + m.value.split("\n").length, 0);
  return { messages: messages.length, records };
}

export interface Sink {
  publish(messages: SinkMessage[]): Promise<PublishOutcome[]>;
  /** Can the sink take events now (for /ready)? */
  ready?(): Promise<boolean>;
  close(): Promise<void>;
}
