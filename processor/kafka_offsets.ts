// What only the broker knows: the end offset of each events partition against the offset
// ClickHouse's consumer group committed (the lag), and how fast the DLQ topic grows. Read with a
// short cache, so the dashboard and the alert rules share one round trip per second.
import { Admin } from "@platformatic/kafka";

export type PartitionLag = { partition: number; end: number; committed: number; lag: number };
export type KafkaSnapshot = {
  at: number;
  partitions: PartitionLag[];
  totalLag: number;
  dlq: { total: number; perMinute: number };
  error?: string;
};

export type KafkaOffsetsOptions = {
  brokers: string[];
  eventsTopic: string;
  dlqTopic: string;
  group: string;
  clock?: () => number;
  cacheMs?: number;
};

export interface OffsetSource {
  snapshot(): Promise<KafkaSnapshot>;
  close(): Promise<void>;
}

export class KafkaOffsets implements OffsetSource {
  #admin: Admin;
  #o: Required<KafkaOffsetsOptions>;
  #cached?: Promise<KafkaSnapshot>;
  #cachedAt = 0;
  /** (time, DLQ total) samples over the last 10 minutes, for the rate. */
  #dlqSamples: { at: number; total: number }[] = [];

  constructor(o: KafkaOffsetsOptions) {
    this.#o = { clock: Date.now, cacheMs: 1000, ...o };
    this.#admin = new Admin({
      clientId: "shoptrail-processor-offsets",
      bootstrapBrokers: o.brokers,
      timeout: 3000,
    });
  }

  snapshot(): Promise<KafkaSnapshot> {
    const now = this.#o.clock();
    if (!this.#cached || now - this.#cachedAt >= this.#o.cacheMs) {
      this.#cachedAt = now;
      this.#cached = this.#read(now);
    }
    return this.#cached;
  }

  async #read(at: number): Promise<KafkaSnapshot> {
    try {
      const [ends, dlqEnds, committed] = await Promise.all([
        this.#endOffsets(this.#o.eventsTopic),
        this.#endOffsets(this.#o.dlqTopic),
        this.#committed(),
      ]);
      const partitions = [...ends].sort(([a], [b]) => a - b).map(([partition, end]) => {
        const done = committed.get(partition) ?? 0;
        return { partition, end, committed: done, lag: Math.max(0, end - done) };
      });
      const total = [...dlqEnds.values()].reduce((a, b) => a + b, 0);
      return {
        at,
        partitions,
        totalLag: partitions.reduce((sum, p) => sum + p.lag, 0),
        dlq: { total, perMinute: this.#dlqRate(at, total) },
      };
    } catch (error) {
      return {
        at,
        partitions: [],
        totalLag: 0,
        dlq: { total: 0, perMinute: 0 },
        error: (error as Error).message,
      };
    }
  }

  async #endOffsets(topic: string): Promise<Map<number, number>> {
    const meta = await this.#admin.metadata({ topics: [topic] });
    const count = meta.topics.get(topic)?.partitionsCount ?? 0;
    const partitions = Array.from({ length: count }, (_, i) => ({ partitionIndex: i, timestamp: -1n }));
    const [listed] = await this.#admin.listOffsets({ topics: [{ name: topic, partitions }] });
    return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, Number(p.offset)]));
  }

  async #committed(): Promise<Map<number, number>> {
    const [group] = await this.#admin.listConsumerGroupOffsets({ groups: [this.#o.group] });
    const topic = group?.topics.find((t) => t.name === this.#o.eventsTopic);
    // -1: nothing committed yet; counting from 0 shows the whole partition as lag, which it is.
    return new Map(
      (topic?.partitions ?? []).map((p) => [p.partitionIndex, Math.max(0, Number(p.committedOffset))]),
    );
  }

  /** Messages per minute over the last minute of samples (0 until two samples exist). */
  #dlqRate(at: number, total: number): number {
    this.#dlqSamples.push({ at, total });
    this.#dlqSamples = this.#dlqSamples.filter((s) => at - s.at <= 10 * 60_000);
    const base = this.#dlqSamples.find((s) => at - s.at <= 60_000) ?? this.#dlqSamples[0];
    const minutes = (at - base.at) / 60_000;
    return minutes <= 0 ? 0 : Math.round(((total - base.total) / minutes) * 100) / 100;
  }

  async close(): Promise<void> {
    await this.#admin.close().catch(() => {});
  }
}
