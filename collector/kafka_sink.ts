// The production Sink: an idempotent Kafka producer waiting for every in-sync replica (acks=all),
// so a message counts as published only once Kafka can no longer lose it. Compressed (lz4 by
// default: cheap for the CPU, and ClickHouse's librdkafka reads it) and linger-batched. Why this
// client and these numbers: DESIGN.md, "Kafka client".
import { Admin, ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { Linger } from "./linger.ts";
import type { PublishOutcome, Sink, SinkMessage } from "./sink.ts";

export type KafkaSinkOptions = {
  brokers: string[];
  clientId?: string;
  lingerMs?: number;
  maxBatch?: number;
  compression?: "none" | "gzip" | "snappy" | "lz4" | "zstd";
  /** How long a produce may take before the batch counts as not stored (the spool takes it). */
  timeoutMs?: number;
  /** Called with each produce request's latency in seconds (the metrics histogram). */
  onProduce?: (seconds: number) => void;
};

export class KafkaSink implements Sink {
  #producer: Producer<string, string, string, string>;
  #linger: Linger;
  #brokers: string[];
  #readyAt = 0;
  #ready = false;
  #onProduce?: (seconds: number) => void;

  #options: KafkaSinkOptions;
  /** Sends past their deadline that may still deliver. */
  #overdue = new Set<Promise<unknown>>();
  /** Values delivered by an overdue send, not yet seen again from the spool. */
  #deliveredLate = new Set<string>();

  constructor(o: KafkaSinkOptions) {
    this.#options = o;
    this.#brokers = o.brokers;
    this.#onProduce = o.onProduce;
    this.#producer = this.#newProducer();
    this.#linger = new Linger((messages) => this.#send(messages), {
      lingerMs: o.lingerMs ?? 5,
      maxBatch: o.maxBatch ?? 2000,
    });
  }

  #newProducer(): Producer<string, string, string, string> {
    const o = this.#options;
    return new Producer({
      clientId: o.clientId ?? "shoptrail-collector",
      bootstrapBrokers: o.brokers,
      serializers: stringSerializers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      ...(o.compression && o.compression !== "none" ? { compression: o.compression } : {}),
      // Fail fast enough that the batch goes to the spool instead of holding the request.
      retries: 1,
      retryDelay: 200,
      timeout: o.timeoutMs ?? 3000,
      connectTimeout: Math.min(o.timeoutMs ?? 3000, 2000),
    });
    this.#linger = new Linger((messages) => this.#send(messages), {
      lingerMs: o.lingerMs ?? 5,
      maxBatch: o.maxBatch ?? 2000,
    });
  }

  publish(messages: SinkMessage[]): Promise<PublishOutcome[]> {
    return this.#linger.publish(messages);
  }

  /**
   * One produce request with a deadline. With the broker gone the client does not fail: it holds
   * the batch and delivers it when the broker returns — after we answered "retriable" and the
   * spool took the batch. So a send past its deadline is kept: later sends wait for it first,
   * and what it delivered is answered "ok" without being sent again (the spool's replay of the
   * same batch then adds nothing).
   */
  async #send(messages: SinkMessage[]): Promise<PublishOutcome[]> {
    const started = performance.now();
    const deadline = started + (this.#options.timeoutMs ?? 3000);
    if (this.#overdue.size > 0 && !(await settledBy([...this.#overdue], deadline))) {
      return messages.map(() => "retriable");
    }
    const fresh = messages.filter((m) => !this.#deliveredLate.has(m.value));
    for (const m of messages) this.#deliveredLate.delete(m.value);
    if (fresh.length === 0) return messages.map(() => "ok");
    const sending = this.#producer.send({ messages: fresh });
    try {
      if (!(await settledBy([sending], deadline))) throw new DeadlineError();
      await sending;
      this.#onProduce?.((performance.now() - started) / 1000);
      this.#ready = true;
      return messages.map(() => "ok");
    } catch (error) {
      console.warn(
        `collector: Kafka produce of ${fresh.length} messages failed: ${(error as Error).message}`,
      );
      this.#ready = false;
      if (error instanceof DeadlineError) {
        const overdue: Promise<unknown> = sending.then(
          () => fresh.forEach((m) => this.#deliveredLate.add(m.value)),
          () => {},
        ).finally(() => this.#overdue.delete(overdue));
        this.#overdue.add(overdue);
      }
      return messages.map(() => "retriable");
    }
  }

  /** Kafka answers metadata requests; checked at most once a second. */
  async ready(): Promise<boolean> {
    if (Date.now() - this.#readyAt < 1000) return this.#ready;
    this.#readyAt = Date.now();
    const admin = new Admin({
      clientId: "shoptrail-collector-ready",
      bootstrapBrokers: this.#brokers,
      retries: 0,
      timeout: 1000,
    });
    try {
      const meta = admin.metadata({ topics: [] });
      meta.catch(() => {});
      // Like produce, metadata can wait for a broker that is gone; answer within 1.5 s regardless.
      this.#ready = (await settledBy([meta], performance.now() + 1500)) && (await meta).brokers.size > 0;
    } catch {
      this.#ready = false;
    } finally {
      admin.close().catch(() => {});
    }
    return this.#ready;
  }

  async close(): Promise<void> {
    this.#linger.flush();
    await this.#producer.close();
  }
}

/** Whether all the promises settle before the deadline (ms on the performance clock). */
async function settledBy(promises: Promise<unknown>[], deadline: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((
    resolve,
  ) => (timer = setTimeout(() => resolve(false), deadline - performance.now())));
  try {
    return await Promise.race([Promise.allSettled(promises).then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

class DeadlineError extends Error {
  constructor() {
    super("no acknowledgement within the produce deadline");
  }
}
