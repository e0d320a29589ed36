// Getting a batch to the collector. While the page lives, `post` uses fetch and reads the answer
// so failures can be retried; when the page is hidden or leaving, `beacon` hands the body to the
// browser. Both send text/plain, a CORS "simple" request: no preflight round trip.
import { RETRY_MAX_MS, RETRY_MIN_MS } from "./config.ts";
import type { Win } from "./env.ts";

/** delivered: done; refused: bad input, never retry; retry: try again after `wait` ms at least. */
export type Outcome = { ok: 1 } | { ok: 0 } | { ok: -1; wait: number };

export async function post(w: Win, url: string, body: string): Promise<Outcome> {
  let res: Response;
  try {
    res = await w.fetch(url, { method: "POST", body, keepalive: true, credentials: "omit" });
  } catch {
    return { ok: -1, wait: 0 }; // offline, DNS, CORS, aborted: all worth another try
  }
  const s = res.status;
  if (s == 429 || s == 408 || s >= 500) {
    return { ok: -1, wait: retryAfter(w, res.headers.get("retry-after")) };
  }
  return { ok: s < 300 ? 1 : 0 };
}

/** Retry-After in ms: either delta-seconds or an HTTP date; 0 when absent or unreadable. */
export function retryAfter(w: Win, header: string | null): number {
  // No header reads as "null": not digits, and not a date (NaN), so 0.
  const ms = /^\d+$/.test(header!) ? +header! * 1e3 : Date.parse(header!) - w.Date.now();
  return ms > 0 ? ms : 0;
}

/**
 * Delay before try number `tries + 1`: exponential from 1 s, doubling, with jitter that spreads
 * each step over [d, 2d), capped at 60 s — never sooner than the server's Retry-After.
 */
export function backoff(w: Win, tries: number, wait: number): number {
  const d = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (tries - 1) * (1 + w.Math.random()));
  return Math.max(d, wait);
}

/** Fire and forget, for a page that is going away; fetch keepalive when a beacon is refused. */
export function beacon(w: Win, url: string, body: string): void {
  const nav = w.navigator;
  if (!(nav.sendBeacon && nav.sendBeacon(url, body))) {
    w.fetch(url, { method: "POST", body, keepalive: true, credentials: "omit" }).catch(() => {});
  }
}
