// The production Sink: an idempotent Kafka producer waiting for every in-sync replica (acks=all),
// so a message counts as published only once Kafka can no longer lose it.
import { Producer, stringSerializers } from "@platformatic/kafka";
import type { PublishOutcome, Sink, SinkMessage } from "./sink.ts";

export class KafkaSink implements Sink {
  #producer: Producer<string, string, string, string>;

  constructor({ brokers, clientId = "shoptrail-collector" }: { brokers: string[]; clientId?: string }) {
    this.#producer = new Producer({
      clientId,
      bootstrapBrokers: brokers,
      serializers: stringSerializers,
      idempotent: true,
      acks: -1,
      // Fail fast enough that the browser gets a 503 and retries, instead of hanging.
      retries: 2,
      timeout: 5_000,
    });
  }

  async publish(messages: SinkMessage[]): Promise<PublishOutcome[]> {
    try {
      await this.#producer.send({ messages });
      return messages.map(() => "ok");
    } catch {
      return messages.map(() => "retriable");
    }
  }

  close(): Promise<void> {
    return this.#producer.close();
  }
}
