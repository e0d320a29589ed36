// A Sink that keeps messages in memory: for app tests, and for the stand-in of a failing broker.
import type { PublishOutcome, Sink, SinkMessage } from "./sink.ts";

export class MemorySink implements Sink {
  readonly messages: SinkMessage[] = [];
  /** What the next publish calls answer; "ok" stores the messages. */
  outcome: PublishOutcome = "ok";

  publish(messages: SinkMessage[]): Promise<PublishOutcome[]> {
    if (this.outcome === "ok") this.messages.push(...messages);
    return Promise.resolve(messages.map(() => this.outcome));
  }

  /** Which of these messages it holds: a stand-in for the Kafka sink's `stored` (the spool's lookup). */
  stored(messages: SinkMessage[]): Promise<Set<string>> {
    const held = new Set(this.messages.map((m) => m.value));
    return Promise.resolve(new Set(messages.map((m) => m.value).filter((v) => held.has(v))));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
