// Time as a dependency: the simulator asks a Clock for "now" and for sleeps, so tests run a
// virtual clock that jumps instead of waiting.

export type Clock = {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
    }),
};

/**
 * A virtual clock for tests: `sleep` resolves on the next microtask turn after moving time
 * forward, so a 30 s simulated run takes milliseconds.
 */
export function virtualClock(start = 0): Clock & { advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
    async sleep(ms) {
      await Promise.resolve();
      t += Math.max(0, ms);
    },
  };
}
