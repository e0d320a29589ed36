// The production Sink: an idempotent Kafka producer waiting for every in-sync replica (acks=all),
// so a message counts as published only once Kafka can no longer lose it. Compressed (lz4 by
// default: cheap for the CPU, and ClickHouse's librdkafka reads it) and linger-batched, the
// events' messages of a produce joined per partition (join_messages.ts). Why this client and
// these numbers: DESIGN.md, "Kafka client".
import { Admin, ProduceAcks, Producer, stringSerializers } from "@platformatic/kafka";
import { storedValues } from "./stored.ts";
import { joinByPartition } from "./join_messages.ts";
import { Linger } from "./linger.ts";
import { OverdueSends, settledBy } from "./overdue_sends.ts";
import { countMessages, type PublishOutcome, type Sink, type SinkMessage } from "../sink.ts";
import { createLogger } from "../../../lib/log.ts";

const log = createLogger("collector");

export type KafkaSinkOptions = {
  brokers: string[];
  clientId?: string;
  lingerMs?: number;
  maxBatch?: number;
  compression?: "none" | "gzip" | "snappy" | "lz4" | "zstd";
  /** Topics of JSON lines: a produce joins their messages per partition (join_messages.ts). */
  lineTopics?: string[];
  /** How long a produce may take before the batch counts as not stored (the spool takes it). */
  timeoutMs?: number;
  /** Called with each produce request's latency in seconds (the metrics histogram). */
  onProduce?: (seconds: number) => void;
};

/**
 * Produce deadlines an unanswered send may wait before its producer counts as stuck: the client
 * does answer a held send after a normal failover, sometimes past 15 s.
 */
const STUCK_PRODUCER_TIMEOUTS = 20;

export class KafkaSink implements Sink {
  #producer: Producer<string, string, string, string>;
  #linger: Linger;
  #brokers: string[];
  #readyAt = 0;
  #ready = false;
  #onProduce?: (seconds: number) => void;

  #options: KafkaSinkOptions;
  #lineTopics: Set<string>;
  #replacing?: Promise<void>;
  #sends: OverdueSends;

  constructor(o: KafkaSinkOptions) {
    this.#options = o;
    this.#brokers = o.brokers;
    this.#onProduce = o.onProduce;
    this.#lineTopics = new Set(o.lineTopics);
    this.#producer = this.#newProducer();
    this.#sends = this.#newSends();
    this.#linger = new Linger((messages) => this.#send(messages), {
      lingerMs: o.lingerMs ?? 5,
      maxBatch: o.maxBatch ?? 2000,
    });
  }

  #newSends(): OverdueSends {
    return new OverdueSends(
      async (messages) =>
        this.#producer.send({
          messages: joinByPartition(messages, await this.#lineTopicPartitions(messages)),
        }),
      this.#options.timeoutMs ?? 3000,
    );
  }

  /** Partition counts of the line topics among the messages (the client caches metadata for 5 s). */
  async #lineTopicPartitions(messages: SinkMessage[]): Promise<Map<string, number>> {
    const topics = [...new Set(messages.map((m) => m.topic))].filter((t) => this.#lineTopics.has(t));
    if (topics.length === 0) return new Map();
    const metadata = await this.#producer.metadata({ topics });
    return new Map(topics.map((t) => [t, metadata.topics.get(t)!.partitionsCount]));
  }

  /**
   * Measured in tests/broker_failure_test.ts (kill -9 of a partition leader, about one run in
   * six): the client kept a produce it had sent to the dead broker unanswered for good, after the
   * new leaders were elected and the broker was back in every ISR, though Kafka had stored it.
   * Every later send waits for it ("busy"), so the spool never drained. Past this bound the
   * producer is replaced, and what Kafka holds of the unanswered batches is read back
   * (stored.ts) so the spool's next send of them skips it.
   */
  async #replaceStuckProducer(): Promise<void> {
    const stuckMs = this.#sends.stuckForMs();
    if (stuckMs < STUCK_PRODUCER_TIMEOUTS * (this.#options.timeoutMs ?? 3000)) return;
    const held = this.#sends.held();
    log.warn("a Kafka produce has had no answer: replacing the producer", {
      stuck_s: Math.round(stuckMs / 1000),
      unanswered: countMessages(held?.messages ?? []),
    });
    const stuck = this.#producer;
    this.#producer = this.#newProducer();
    this.#sends = this.#newSends();
    stuck.close(true).catch(() => {});
    if (!held) return;
    const found = await storedValues(held.messages, held.since, { brokers: this.#brokers }).catch((error) => {
      log.warn("cannot read back the unanswered messages", { error: (error as Error).message });
      return new Set<string>();
    });
    this.#sends.assumeDelivered(found);
    log.info("unanswered messages read back from Kafka", {
      in_kafka: found.size,
      unanswered_messages: held.messages.length,
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
  }

  publish(messages: SinkMessage[]): Promise<PublishOutcome[]> {
    return this.#linger.publish(messages);
  }

  /** One produce request with a deadline; what that means for late deliveries: overdue_sends.ts. */
  async #send(messages: SinkMessage[]): Promise<PublishOutcome[]> {
    await this.#replacing; // a send meanwhile could repeat what the read-back is about to find
    const started = performance.now();
    try {
      const sent = await this.#sends.send(messages);
      if (sent === "busy") {
        this.#replacing ??= this.#replaceStuckProducer().finally(() => (this.#replacing = undefined));
        await this.#replacing;
        return messages.map(() => "retriable");
      }
      if (sent.produced > 0) this.#onProduce?.((performance.now() - started) / 1000);
      this.#ready = true;
      return messages.map(() => "ok");
    } catch (error) {
      log.warn("Kafka produce failed", { failed: countMessages(messages), error: (error as Error).message });
      this.#ready = false;
      return messages.map(() => "retriable");
    }
  }

  /** Reads back what the topics received since then (stored.ts). */
  stored(messages: SinkMessage[], sinceMs: number): Promise<Set<string>> {
    return storedValues(messages, sinceMs, { brokers: this.#brokers });
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
