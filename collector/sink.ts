// Where accepted events go. All Kafka code sits behind this: the collector only knows that each
// message was stored (`ok`), may succeed if tried again (`retriable`), or never will (`fatal`).
// Implementations: KafkaSink (TCP), UpstashSink (Kafka over HTTP), SpoolSink (disk in front of
// either), MemorySink (tests).
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
  /** True when a failure was because local buffering is full (503 spool_full). */
  full?(): boolean;
  /**
   * Of these messages, the values already stored, among what was stored since `sinceMs` (epoch
   * ms); throws when it cannot look now. For the spool after a crash (spool.ts).
   */
  stored?(messages: SinkMessage[], sinceMs: number): Promise<Set<string>>;
  close(): Promise<void>;
}
