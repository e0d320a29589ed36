// The one place topic names, partition counts and retention are decided. The collector publishes
// to these, the broker scripts create them (kafka/), and the ClickHouse SQL reads their names as
// placeholders (`${EVENTS_TOPIC}`, ...) that processor/config.ts fills and processor/migrate.ts
// substitutes.
export type TopicSpec = {
  name: string;
  partitions: number;
  /** Kafka `retention.ms`: how long the broker keeps messages for replay. */
  retentionMs: number;
};

const DAY_MS = 24 * 60 * 60 * 1000;

export function topicsFromEnv(env: (name: string) => string | undefined = Deno.env.get) {
  const prefix = env("KAFKA_TOPIC_PREFIX") ?? "shoptrail";
  return {
    // Keyed by session, so one session's events stay ordered within a partition.
    events: { name: `${prefix}.events`, partitions: 6, retentionMs: 7 * DAY_MS },
    // Invalid events with their reasons; kept longer so a bad SDK release can be replayed.
    dlq: { name: `${prefix}.events.dlq`, partitions: 1, retentionMs: 30 * DAY_MS },
    // Alert transitions (firing, resolved) from the processor's rules, keyed by alert id so one
    // alert's history stays ordered; kept a year as the audit trail.
    alerts: { name: `${prefix}.alerts`, partitions: 1, retentionMs: 365 * DAY_MS },
    // Reference data for ClickHouse (products, users tables), published by
    // clickhouse/load_catalogue.ts. Kept ten years: a fresh ClickHouse rebuilds them from the topic.
    products: { name: `${prefix}.products`, partitions: 1, retentionMs: 3650 * DAY_MS },
    users: { name: `${prefix}.users`, partitions: 1, retentionMs: 3650 * DAY_MS },
  } satisfies Record<string, TopicSpec>;
}

export type Topics = ReturnType<typeof topicsFromEnv>;

export function brokersFromEnv(env: (name: string) => string | undefined = Deno.env.get): string[] {
  return (env("KAFKA_BROKERS") ?? "127.0.0.1:9092").split(",").map((s) => s.trim()).filter(Boolean);
}
