// Linger batching: messages from concurrent requests wait up to `lingerMs` (or until `maxBatch`
// messages are waiting) and go to Kafka in one produce request; each caller gets its own part
// of the outcome. Neither Kafka client we measured batches across calls by itself.
import type { PublishOutcome, SinkMessage } from "../sink.ts";

type Waiting = { messages: SinkMessage[]; resolve: (outcomes: PublishOutcome[]) => void };

export class Linger {
  #waiting: Waiting[] = [];
  #count = 0;
  #timer?: ReturnType<typeof setTimeout>;

  constructor(
    readonly send: (messages: SinkMessage[]) => Promise<PublishOutcome[]>,
    readonly options: { lingerMs: number; maxBatch: number },
  ) {}

  publish(messages: SinkMessage[]): Promise<PublishOutcome[]> {
    return new Promise((resolve) => {
      this.#waiting.push({ messages, resolve });
      this.#count += messages.length;
      if (this.#count >= this.options.maxBatch || this.options.lingerMs === 0) this.flush();
      else this.#timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const waiting = this.#waiting;
    this.#waiting = [];
    this.#count = 0;
    if (waiting.length === 0) return;
    this.send(waiting.flatMap((w) => w.messages)).then(
      (outcomes) => {
        let at = 0;
        for (const w of waiting) {
          w.resolve(outcomes.slice(at, at + w.messages.length));
          at += w.messages.length;
        }
      },
      () => waiting.forEach((w) => w.resolve(w.messages.map(() => "retriable"))),
    );
  }
}
