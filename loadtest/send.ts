// One batch to the collector over the SDK's wire protocol, retried like the SDK does: on 429, 503
// and other transient failures, waiting as long as Retry-After says (or backing off), with a
// fresh `sent_at` on each attempt so the collector's clock-skew correction stays right.
import type { Event } from "../contract/mod.ts";
import type { Clock } from "./clock.ts";

export type Delivery = {
  /** Final HTTP status; 0 when the request never got an answer. */
  status: number;
  attempts: number;
  /** Which events the collector accepted, by index in the batch. */
  accepted: boolean[];
  /** Round-trip time of each attempt, ms. */
  latencies: number[];
  /** Error code from the collector's body, or the network error's name. */
  error?: string;
};

export type SendOptions = {
  url: string;
  site: string;
  events: readonly Event[];
  userAgent?: string;
  headers?: Record<string, string>;
  clock: Clock;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  maxAttempts?: number;
  timeoutMs?: number;
};

const RETRIABLE = new Set([408, 429, 500, 502, 503, 504]);

export async function sendBatch(options: SendOptions): Promise<Delivery> {
  const { clock, events, maxAttempts = 6, timeoutMs = 10_000 } = options;
  const doFetch = options.fetch ?? fetch;
  const latencies: number[] = [];
  let status = 0;
  let error: string | undefined;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (options.signal?.aborted) break;
    const started = clock.now();
    let retryAfter: string | null = null;
    try {
      const signals = [AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])];
      const response = await doFetch(options.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(options.userAgent ? { "user-agent": options.userAgent } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ site: options.site, sent_at: started, events }),
        signal: AbortSignal.any(signals),
      });
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      const body = await response.json().catch(() => undefined);
      latencies.push(clock.now() - started);
      if (response.ok) {
        return { status, attempts: attempt, accepted: acceptedMask(body, events.length), latencies };
      }
      error = body?.error?.code ?? `http_${status}`;
      if (!RETRIABLE.has(status)) break;
    } catch (e) {
      latencies.push(clock.now() - started);
      status = 0;
      error = e instanceof Error ? e.name : "network_error";
    }
    if (attempt < maxAttempts) {
      await clock.sleep(retryDelayMs(retryAfter, attempt, clock.now()), options.signal);
    }
  }
  return { status, attempts: latencies.length, accepted: events.map(() => false), latencies, error };
}

/** Retry-After as seconds or an HTTP date, capped at 30 s; else exponential backoff from 200 ms. */
export function retryDelayMs(retryAfter: string | null, attempt: number, now: number): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(ms)) return Math.min(Math.max(ms, 0), 30_000);
  }
  return Math.min(200 * 2 ** (attempt - 1), 5_000);
}

/**
 * Reads `{accepted, results?}`. With per-event results an event counts as accepted unless its
 * entry carries an error or a status naming a rejection; without them, `accepted` tells how many.
 */
export function acceptedMask(body: unknown, size: number): boolean[] {
  const mask = new Array<boolean>(size).fill(true);
  const b = body as { accepted?: unknown; results?: unknown } | undefined;
  if (Array.isArray(b?.results)) {
    b.results.forEach((r: { index?: number; status?: unknown; error?: unknown }, i: number) => {
      const index = typeof r?.index === "number" ? r.index : i;
      const failed = r?.error !== undefined || /reject|invalid|error|fail|dlq/i.test(String(r?.status ?? ""));
      if (failed && index >= 0 && index < size) mask[index] = false;
    });
  } else if (typeof b?.accepted === "number" && b.accepted < size) {
    mask.fill(false, Math.max(0, b.accepted));
  }
  return mask;
}
