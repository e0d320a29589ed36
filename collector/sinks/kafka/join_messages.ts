// One produce request's messages of a line topic (the events topic: JSON lines) joined per
// partition, their lines in order. Why: ClickHouse's Kafka engine pays ~5 µs of CPU per message
// whatever it holds, so a backlog of one-event messages caught up at ~130k events/s where
// 20-event messages went at ~240k (loadtest/RESULTS.md). An SDK batch is one session's events of
// the last 2 s, often one or two; the linger (linger.ts) gathers many requests' messages, and
// joined per partition they reach ClickHouse as few large messages.
// Each message still goes to the partition its key names, as Kafka's default partitioner puts it
// (murmur2 of the key, modulo the partitions), so a session's events stay on one partition and in
// order. A joined message has no key: it holds many sessions, and its partition is set.
import { murmur2 } from "@platformatic/kafka";
import { joinLines } from "../../../contract/mod.ts";
import type { SinkMessage } from "../sink.ts";

export type ProduceMessage = { topic: string; key?: string; value: string; partition?: number };

/**
 * `partitions` gives each line topic's partition count; messages of other topics pass unchanged.
 * A joined message stays under MAX_MESSAGE_CHARS; a message over it alone goes alone.
 */
export function joinByPartition(
  messages: SinkMessage[],
  partitions: ReadonlyMap<string, number>,
): ProduceMessage[] {
  const placed = messages.map((m) => {
    const count = partitions.get(m.topic);
    return { m, partition: count === undefined ? undefined : partitionOf(m.key, count) };
  });
  return joinLines<typeof placed[number], ProduceMessage>(placed, {
    group: ({ m, partition }) => partition === undefined ? undefined : `${m.topic}:${partition}`,
    line: ({ m }) => m.value,
    open: ({ m, partition }) => partition === undefined ? m : { ...m, partition },
    joined: (message) => delete message.key,
  });
}

/** The partition Kafka's default partitioner gives a key (as @platformatic/kafka's does). */
export function partitionOf(key: string, partitions: number): number {
  return (murmur2(key, true) >>> 0) % partitions;
}
