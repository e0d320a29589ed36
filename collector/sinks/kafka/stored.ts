// Which of some messages a topic already holds, by reading what it received since a time. The
// spool needs this after a crash (../spool/spool.ts): a produce left unanswered may have reached the
// log in whole or in part, and the idempotent producer whose retry Kafka would have recognised
// died with the process. Reading back is bounded: a scan cut short leaves some copies unfound
// (sent again, as before), never reports a message that is not there.
// A message is held once every one of its lines is: KafkaSink joins the messages of a produce per
// partition (join_messages.ts), so a record may hold several messages' lines.
import { Consumer } from "@platformatic/kafka";
import type { SinkMessage } from "../sink.ts";
import { createLogger } from "../../../lib/log.ts";

const log = createLogger("collector");

export type StoredScan = {
  brokers: string[];
  /** Earlier than the produce's record timestamps may be, for clock steps between then and now. */
  marginMs?: number;
  /** How long listing offsets may take; then the check fails (Kafka is away) and is tried later. */
  listDeadlineMs?: number;
  /** How long reading may take; then what was found so far is the answer. */
  readDeadlineMs?: number;
};

export async function storedValues(
  messages: SinkMessage[],
  sinceMs: number,
  { brokers, marginMs = 5000, listDeadlineMs = 5000, readDeadlineMs = 20_000 }: StoredScan,
): Promise<Set<string>> {
  const lines = new HeldLines(messages);
  const topics = [...new Set(messages.map((m) => m.topic))];
  if (topics.length === 0) return lines.held();
  // Never joins its group: only listing offsets and fetching, which need none.
  const consumer = new Consumer({
    groupId: `shoptrail-collector-spool-check-${crypto.randomUUID()}`,
    clientId: "shoptrail-collector-spool-check",
    bootstrapBrokers: brokers,
    retries: 2,
    retryDelay: 250,
    timeout: listDeadlineMs,
    connectTimeout: Math.min(listDeadlineMs, 2000),
  });
  try {
    const [from, to] = await within(
      Promise.all([
        consumer.listOffsets({ topics, timestamp: BigInt(sinceMs - marginMs) }),
        consumer.listOffsets({ topics }),
      ]),
      listDeadlineMs,
    );
    const offsets: { topic: string; partition: number; offset: bigint }[] = [];
    const unread = new Map<string, bigint>(); // topic:partition -> last offset to read
    for (const topic of topics) {
      const ends = to.get(topic) ?? [];
      ends.forEach((end, partition) => {
        const start = from.get(topic)?.[partition] ?? -1n;
        const begin = start >= 0n && start < end ? start : end; // -1: nothing since then
        offsets.push({ topic, partition, offset: begin });
        if (begin < end) unread.set(`${topic}:${partition}`, end - 1n);
      });
    }
    if (unread.size === 0) return lines.held();
    // Kafka answers, so produces would go through: from here a failure does not hold the
    // replay back, it only leaves copies unfound.
    const see = (record: string) => lines.see(record);
    await read(consumer, topics, offsets, unread, readDeadlineMs, see)
      .catch((error) => log.warn("spool check could not read Kafka", { error: error.message }));
    if (unread.size > 0) log.warn("spool check left partitions unread", { partitions: unread.size });
    return lines.held();
  } finally {
    await consumer.close(true).catch(() => {});
  }
}

/** The messages whose every line has been seen in a record read back. */
export class HeldLines {
  #lines: [value: string, lines: string[]][];
  #wanted: Set<string>;
  #seen = new Set<string>();

  constructor(messages: SinkMessage[]) {
    this.#lines = messages.map((m) => [m.value, m.value.split("\n")]);
    this.#wanted = new Set(this.#lines.flatMap(([, lines]) => lines));
  }

  see(record: string): void {
    for (const line of record.split("\n")) if (this.#wanted.has(line)) this.#seen.add(line);
  }

  /** Their values. */
  held(): Set<string> {
    const held = this.#lines.filter(([, lines]) => lines.every((line) => this.#seen.has(line)));
    return new Set(held.map(([value]) => value));
  }
}

/**
 * Reads each partition in `unread` from its offset to its last offset there (deleting it once
 * reached), one fetch request at a time: no consumer group, so nothing waits for a coordinator.
 */
async function read(
  consumer: Consumer,
  topics: string[],
  offsets: { topic: string; partition: number; offset: bigint }[],
  unread: Map<string, bigint>,
  deadlineMs: number,
  onValue: (value: string) => void,
): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  const metadata = await within(consumer.metadata({ topics }), deadlineMs);
  const decoder = new TextDecoder();
  for (const { topic, partition, offset: start } of offsets) {
    const key = `${topic}:${partition}`;
    const last = unread.get(key);
    const { id, partitions } = metadata.topics.get(topic)!;
    let offset = start;
    while (last !== undefined && offset <= last && Date.now() < deadline) {
      const response = await within(
        consumer.fetch({
          node: partitions[partition].leader,
          topics: [{
            topicId: id,
            partitions: [{
              partition,
              fetchOffset: offset,
              partitionMaxBytes: FETCH_BYTES,
              currentLeaderEpoch: -1,
              lastFetchedEpoch: -1,
            }],
          }],
          maxWaitTime: 100,
          maxBytes: FETCH_BYTES,
        }),
        deadline - Date.now(),
      );
      const batches = response.responses.flatMap((t) => t.partitions)
        .find((p) => p.partitionIndex === partition)?.records ?? [];
      const before = offset;
      for (const batch of batches) {
        for (const record of batch.records) {
          if (batch.firstOffset + BigInt(record.offsetDelta) >= before && record.value) {
            onValue(decoder.decode(record.value));
          }
        }
        const next = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
        if (next > offset) offset = next;
      }
      if (offset === before) break; // nothing more to read there
    }
    if (last !== undefined && offset > last) unread.delete(key);
  }
}

const FETCH_BYTES = 8 * 1024 * 1024;

/** The promise's value, or a rejection once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Kafka did not answer within ${ms} ms`)), ms);
  });
  promise.catch(() => {}); // a rejection after the deadline is not unhandled
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
