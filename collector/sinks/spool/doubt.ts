// What a crashed process may have left in Kafka: the messages of a produce that went unanswered,
// and of the replayed produce in flight when it died, with the time of their first try. Kafka may
// hold them in whole or in part, and the process that tried (whose idempotent producer would have
// dropped the copy) is gone; so before replaying them the spool asks the lookup (the Kafka sink's
// `stored`, sinks/kafka/stored.ts) which Kafka holds, and does not send those again.
import type { SinkMessage } from "../sink.ts";
import { createLogger } from "../../../lib/log.ts";

const log = createLogger("collector");

/**
 * Of these messages, the values already stored, among what was stored since `sinceMs` (epoch ms);
 * throws when it cannot look now.
 */
export type StoredLookup = (messages: SinkMessage[], sinceMs: number) => Promise<Set<string>>;

export class Doubt {
  #open?: { since: number; messages: SinkMessage[] };
  /** Values of doubtful messages that Kafka holds: not sent again. */
  #inKafka = new Set<string>();

  /** Without a lookup the transport cannot tell: a copy is better than a loss. */
  constructor(readonly lookup?: StoredLookup) {}

  add(messages: SinkMessage[], tried: number): void {
    this.#open ??= { since: tried, messages: [] };
    this.#open.since = Math.min(this.#open.since, tried);
    this.#open.messages.push(...messages);
  }

  /** Asks the lookup about what is in doubt, once; false when it cannot answer yet. */
  async settle(): Promise<boolean> {
    const doubt = this.#open;
    if (!doubt) return true;
    if (!this.lookup) {
      this.#open = undefined;
      return true;
    }
    try {
      const found = await this.lookup(doubt.messages, doubt.since);
      for (const value of found) this.#inKafka.add(value);
      this.#open = undefined;
      log.info("messages tried before a restart are in Kafka already and are not sent again", {
        in_kafka: found.size,
        tried: doubt.messages.length,
      });
      return true;
    } catch (error) {
      log.warn("spool cannot check Kafka yet", { error: (error as Error).message });
      return false;
    }
  }

  /** The messages Kafka is not known to hold. */
  fresh(messages: SinkMessage[]): SinkMessage[] {
    return messages.filter((m) => !this.#inKafka.has(m.value));
  }

  /** These messages are past: what was known of them is forgotten. */
  forget(messages: SinkMessage[]): void {
    for (const m of messages) this.#inKafka.delete(m.value);
  }
}
