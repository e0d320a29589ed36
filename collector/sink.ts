// Where accepted events go. All Kafka code sits behind this: the collector only knows that each
// message was stored (`ok`), may succeed if tried again (`retriable`), or never will (`fatal`).
export type SinkMessage = { topic: string; key: string; value: string };
export type PublishOutcome = "ok" | "retriable" | "fatal";

export interface Sink {
  publish(messages: SinkMessage[]): Promise<PublishOutcome[]>;
  close(): Promise<void>;
}
