// One produce request's messages of a line topic (the events topic: JSON lines) joined per
// partition, their lines in order. Why: ClickHouse's Kafka engine pays ~5 µs of CPU per message
// whatever it holds, so a backlog of one-event messages caught up at ~130k events/s where
// 20-event messages went at ~240k (loadtest/RESULTS.md). An SDK batch is one session's events of
// the last 2 s, often one or two; the linger (linger.ts) gathers many requests' messages, and
// joined per partition they reach ClickHouse as few large messages.
// Each message still goes to the partition its key names, as Kafka's default partitioner puts it
// (murmur2 of the key, modulo the partitions), so a session's events stay on one partition and in
// order. A joined message has no key: it holds many sessions, and its partition is set.
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
  return (murmur2(key) >>> 0) % partitions;
}

/**
 * Kafka's murmur2 of a key's UTF-8 bytes (Utils.murmur2 in the Java client), in 32-bit integer
 * arithmetic. The client's own computes it with BigInt, a few allocations per 4 bytes, behind a
 * cache of 1,000 keys: the bench's bodies repeat 20 session keys and always hit it, while a
 * collector of many sessions would miss it on most messages (2026-12-08, keys of 41 characters: 1.5 µs a key with BigInt,
 * 0.26 µs here).
 */
export function murmur2(key: string): number {
  const bytes = utf8(key);
  const length = bytes.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  switch (length & 3) {
    case 3:
      h ^= bytes[whole + 2] << 16;
    // falls through
    case 2:
      h ^= bytes[whole + 1] << 8;
    // falls through
    case 1:
      h ^= bytes[whole];
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

const encoder = new TextEncoder();
const scratch = new Uint8Array(1024);

/** A key's UTF-8 bytes, in a buffer reused for keys that fit it (each is hashed before the next). */
function utf8(key: string): Uint8Array {
  const { read, written } = encoder.encodeInto(key, scratch);
  return read === key.length ? scratch.subarray(0, written) : encoder.encode(key);
}
