// Produces with a deadline, for KafkaSink. With the broker gone the Kafka client does not fail a
// send: it holds the batch and delivers it when the broker returns, after we answered
// "retriable" and the spool took the batch. So a send past its deadline is kept: later sends
// wait for it first, and what it delivered is answered "ok" without being produced again (the
// spool's replay of the same batch then adds nothing).
import type { SinkMessage } from "../sink.ts";

export class OverdueSends {
  /** Sends past their deadline that may still deliver: when each started (performance clock and Unix ms), what it holds. */
  #overdue = new Map<Promise<unknown>, { started: number; at: number; messages: SinkMessage[] }>();
  /** Values delivered by an overdue send, not yet seen again in a send that succeeded. */
  #deliveredLate = new Set<string>();

  constructor(
    readonly produce: (messages: SinkMessage[]) => Promise<unknown>,
    readonly timeoutMs: number,
  ) {}

  /**
   * "ok" once Kafka has all the messages (the number produced now: those not delivered late),
   * "busy" while an overdue send still has not settled; throws if the produce failed or passed
   * its deadline (DeadlineError).
   */
  async send(messages: SinkMessage[]): Promise<{ produced: number } | "busy"> {
    const deadline = performance.now() + this.timeoutMs;
    if (this.#overdue.size > 0 && !(await settledBy([...this.#overdue.keys()], deadline))) return "busy";
    // Only after a late delivery is there anything to skip: looking a message up hashes its whole value
    // (up to 16 KB of it), which was 5 % of a publishing worker's CPU.
    const fresh = this.#deliveredLate.size > 0
      ? messages.filter((m) => !this.#deliveredLate.has(m.value))
      : messages;
    if (fresh.length > 0) {
      const attempt = { started: performance.now(), at: Date.now(), messages: fresh };
      const sending = this.produce(fresh);
      if (!(await settledBy([sending], deadline))) {
        const overdue: Promise<unknown> = sending.then(
          () => fresh.forEach((m) => this.#deliveredLate.add(m.value)),
          () => {},
        ).finally(() => this.#overdue.delete(overdue));
        this.#overdue.set(overdue, attempt);
        throw new DeadlineError();
      }
      await sending;
    }
    // Forgotten only now: had the produce of the fresh ones failed, the next try of this batch
    // must skip the late-delivered ones again.
    if (this.#deliveredLate.size > 0) { for (const m of messages) this.#deliveredLate.delete(m.value); }
    return { produced: fresh.length };
  }

  /** How long the oldest overdue send has been waiting for an answer (0: none is). */
  stuckForMs(now = performance.now()): number {
    return this.#overdue.size === 0
      ? 0
      : now - Math.min(...[...this.#overdue.values()].map((o) => o.started));
  }

  /** What the overdue sends hold, and since when (Unix ms): Kafka may have stored any of it. */
  held(): { messages: SinkMessage[]; since: number } | undefined {
    if (this.#overdue.size === 0) return undefined;
    const all = [...this.#overdue.values()];
    return { messages: all.flatMap((o) => o.messages), since: Math.min(...all.map((o) => o.at)) };
  }

  /** Values Kafka is known to hold already: a later send of them produces nothing. */
  assumeDelivered(values: Iterable<string>): void {
    for (const value of values) this.#deliveredLate.add(value);
  }
}

/** Whether all the promises settle before the deadline (ms on the performance clock). */
export async function settledBy(promises: Promise<unknown>[], deadline: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((
    resolve,
  ) => (timer = setTimeout(() => resolve(false), deadline - performance.now())));
  try {
    return await Promise.race([Promise.allSettled(promises).then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

export class DeadlineError extends Error {
  constructor() {
    super("no acknowledgement within the produce deadline");
  }
}
