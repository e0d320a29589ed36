// The cross-tab lock over stored outboxes. Each page load owns one outbox key and holds a Web Lock
// of the same name for as long as it lives. A new page load adopts the outboxes of dead pages:
// it takes an orphan's lock with `ifAvailable`, so of two tabs opening at once only one gets it,
// and it keeps holding that lock so a late reader of a stale storage copy cannot take it again.
// Browsers without Web Locks adopt only outboxes untouched for an hour.
import { KEY } from "./config.ts";
import type { Win } from "./env.ts";
import type { Stored } from "./queue.ts";
import { keys, load, save } from "./storage.ts";

const STALE_MS = 3600_000;
const forever = () => new Promise<never>(() => {});
const ignore = () => {};

/** Holds this page's own lock, then hands each orphaned outbox to `adopt`, exactly once. */
export function claimOrphans(w: Win, own: string, adopt: (stored: Stored) => void): void {
  const locks = w.navigator.locks;
  // Rejections (opaque origins, sandboxed frames) must not reach the page's unhandledrejection.
  if (locks) locks.request(own, forever).catch(ignore);
  for (const key of keys(w, KEY.outbox)) {
    if (key == own) continue;
    const take = () => {
      const stored = load<Stored>(w, key);
      save(w, key, undefined);
      if (stored) adopt(stored);
    };
    if (locks) {
      locks.request(key, { ifAvailable: true }, (lock) => {
        if (!lock) return;
        take();
        return forever();
      }).catch(ignore);
    } else if (!(w.Date.now() - ((load<Stored>(w, key) || {}) as Stored).t <= STALE_MS)) {
      take(); // untouched for an hour, or without a time (NaN compares false)
    }
  }
}
