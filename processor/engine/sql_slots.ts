// At most `running` SQL users' queries at once, each on its own slot (the embedded engine gives each
// slot a chdb session: one session runs one query at a time), and at most `queued` waiting for one.
// Past that a query is refused at once, as a ClickHouse server past max_concurrent_queries does,
// instead of piling up behind a runaway statement.
import { EngineError } from "./engine.ts";

export type SlotLimits = { running: number; queued: number };

export class QuerySlots {
  #free: number[];
  #waiting: ((slot: number) => void)[] = [];
  #limits: SlotLimits;

  constructor(limits: SlotLimits) {
    this.#limits = limits;
    this.#free = Array.from({ length: limits.running }, (_, i) => i);
  }

  /** Runs `work` on a free slot (0 .. running - 1), after waiting for one if all are taken. */
  async run<T>(work: (slot: number) => Promise<T>): Promise<T> {
    const slot = this.#free.pop() ?? await this.#wait();
    try {
      return await work(slot);
    } finally {
      const next = this.#waiting.shift();
      if (next) next(slot);
      else this.#free.push(slot);
    }
  }

  #wait(): Promise<number> {
    const { running, queued } = this.#limits;
    if (this.#waiting.length >= queued) {
      throw new EngineError(
        202,
        `Code: 202. DB::Exception: Too many simultaneous queries: ${running} running and ${queued} waiting, ` +
          `the SQL endpoint's limit (SQL_MAX_CONCURRENT_QUERIES, SQL_MAX_QUEUED_QUERIES); retry later. ` +
          "(TOO_MANY_SIMULTANEOUS_QUERIES)",
      );
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}
