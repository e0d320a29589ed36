// The outbox: events waiting to be sent, mirrored to localStorage under one key per page load so
// that nothing is lost when the page dies. It holds at most 500 events / 1 MB; beyond that the
// oldest are dropped and counted, and the count rides along with the next batch.
import { STORED_BYTES, STORED_EVENTS } from "./config.ts";
import { bytes, type Win } from "./env.ts";
import { save } from "./storage.ts";
import type { Event } from "./types.ts";

/** What one page load keeps in localStorage: events, dropped count, time written. */
export type Stored = { e: Event[]; d: number; t: number };

export type Outbox = ReturnType<typeof outbox>;

export function outbox(w: Win, key: string) {
  const box = {
    /** Waiting to be sent, oldest first. */
    queue: [] as Event[],
    /** Handed to a request whose answer is pending. */
    inflight: [] as Event[],
    /** Dropped by the limits and not yet reported. */
    evicted: 0,

    /** Writes the outbox through to storage, dropping the oldest events while over a limit. */
    persist(withInflight = true): void {
      const q = box.queue;
      for (;;) {
        while (q.length && q.length + box.inflight.length > STORED_EVENTS) drop();
        const events = withInflight ? box.inflight.concat(q) : q;
        const stored: Stored | undefined = events.length || box.evicted
          ? { e: events, d: box.evicted, t: w.Date.now() }
          : undefined;
        const json = JSON.stringify(stored || "");
        // JSON is mostly ASCII, so its length is close to its size; the exact size is only
        // measured for the rare big outbox.
        if (q.length && json.length > STORED_BYTES / 4 && new Blob([json]).size > STORED_BYTES) drop();
        else if (save(w, key, stored) || !q.length) return;
        else drop(); // storage full: make room
      }
    },

    add(event: Event): void {
      box.queue.push(event);
      box.persist();
    },

    /** Older events found in storage (a previous page load) go to the front. */
    adopt(stored: Stored): void {
      box.queue = (stored.e || []).concat(box.queue);
      box.evicted += stored.d || 0;
      box.persist();
    },

    /** Moves the oldest events, up to `max` of them and `maxBytes`, to `inflight`. */
    take(max: number, maxBytes: number): Event[] {
      const q = box.queue;
      let n = 0;
      for (let size = 0; n < q.length && n < max; n++) {
        size += bytes(q[n]) + 1;
        if (size > maxBytes && n) break;
      }
      return box.inflight = q.splice(0, n);
    },

    /** The pending request ended: delivered (or refused for good), or back to the queue front. */
    settle(delivered: boolean, reported: number): void {
      if (delivered) box.evicted -= reported;
      else box.queue = box.inflight.concat(box.queue);
      box.inflight = [];
      box.persist();
    },
  };
  function drop() {
    box.queue.shift();
    box.evicted++;
  }
  return box;
}
