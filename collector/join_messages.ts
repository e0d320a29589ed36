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
import { MAX_MESSAGE_CHARS } from "./publish.ts";
import type { SinkMessage } from "./sink.ts";

export type ProduceMessage = { topic: string; key?: string; value: string; partition?: number };

/**
 * `partitions` gives each line topic's partition count; messages of other topics pass unchanged.
 * A joined message stays under MAX_MESSAGE_CHARS; a message over it alone goes alone.
 */
export function joinByPartition(
  messages: SinkMessage[],
  partitions: ReadonlyMap<string, number>,
): ProduceMessage[] {
  const out: ProduceMessage[] = [];
  const open = new Map<string, ProduceMessage>();
  for (const m of messages) {
    const count = partitions.get(m.topic);
    if (count === undefined) {
      out.push(m);
      continue;
    }
    const partition = partitionOf(m.key, count);
    const at = `${m.topic}:${partition}`;
    const current = open.get(at);
    if (current && current.value.length + 1 + m.value.length <= MAX_MESSAGE_CHARS) {
      current.value += `\n${m.value}`;
      delete current.key;
      continue;
    }
    const message: ProduceMessage = { ...m, partition };
    open.set(at, message);
    out.push(message);
  }
  return out;
}

/** The partition Kafka's default partitioner gives a key (as @platformatic/kafka's does). */
export function partitionOf(key: string, partitions: number): number {
  return (murmur2(key, true) >>> 0) % partitions;
}
