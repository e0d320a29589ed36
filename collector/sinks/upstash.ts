// A Sink for edge runtimes without TCP to Kafka: Upstash's Kafka REST API through @upstash/kafka
// (POST {url}/produce, Basic auth, one JSON array of messages per batch). Selected with
// COLLECTOR_TRANSPORT=upstash. The client retries a failed request itself with growing waits
// (up to ~15 s); we stop waiting after `timeoutMs` and call the batch retriable, so the spool
// takes it. Tested against a local stand-in of the REST API (upstash_standin.ts).
import { Kafka } from "@upstash/kafka";
import { countMessages, type PublishOutcome, type Sink, type SinkMessage } from "./sink.ts";
import { createLogger } from "../../lib/log.ts";

const log = createLogger("collector");

export type UpstashSinkOptions = {
  url: string;
  username: string;
  password: string;
  timeoutMs?: number;
  onProduce?: (seconds: number) => void;
};

export class UpstashSink implements Sink {
  #producer: ReturnType<Kafka["producer"]>;
  #ready = true;

  constructor(readonly options: UpstashSinkOptions) {
    this.#producer = new Kafka({ url: options.url, username: options.username, password: options.password })
      .producer();
  }

  async publish(messages: SinkMessage[]): Promise<PublishOutcome[]> {
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), this.options.timeoutMs ?? 3000);
      });
      const answers = await Promise.race([
        this.#producer.produceMany(messages.map((m) => ({ topic: m.topic, key: m.key, value: m.value }))),
        timeout,
      ]);
      this.options.onProduce?.((performance.now() - started) / 1000);
      this.#ready = true;
      return messages.map((_, i) => (typeof answers?.[i]?.offset === "number" ? "ok" : "retriable"));
    } catch (error) {
      log.warn("Upstash produce failed", {
        failed: countMessages(messages),
        error: (error as Error).message,
      });
      this.#ready = false;
      return messages.map(() => "retriable");
    } finally {
      clearTimeout(timer);
    }
  }

  /** Over HTTP there is no cheap metadata call: ready unless the last produce failed. */
  ready(): Promise<boolean> {
    return Promise.resolve(this.#ready);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
