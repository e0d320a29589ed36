// The hostile-input cases' shape and builders. Each stage's cases sit beside it in a table
// (<stage>_hostile.ts); hostile_test.ts sends every case through the real app on a memory sink
// with a fixed clock. Each case states the answer it must get; none may get a 5xx. Cases about
// one event embed it between two valid events, and those two must be published.
import { event, NOW } from "../fixtures.ts";
import { Sites } from "../clients/sites.ts";

export type HostileCase = {
  category: string;
  name: string;
  /** The body as sent: a string is sent verbatim, anything else as JSON. */
  body: unknown;
  headers?: Record<string, string>;
  path?: string;
  /** Setup: the same request is sent once before, so this one is the second (per-client budgets). */
  secondRequest?: true;
  status: number;
  /** The request error's code, for whole-request refusals. */
  code?: string;
  /** For one hostile event between two valid ones: "accepted" or its event error code. */
  event?: string;
  /** The fields an accepted event was stored without (warnings, code unknown_field); none if unset. */
  unknownFields?: string[];
};

export const KEY = "wk_locked_0123456789abcdef";
/** The sites every case is sent to. */
export const sites = Sites.parse({
  sites: [
    { id: "shop", origins: ["https://shop.test", "https://*.shop.test"] },
    { id: "locked", write_key: KEY, origins: ["*"] },
    { id: "tiny", events_per_second: 1, burst: 3, ip_requests_per_second: 1, ip_burst: 100 },
    { id: "perip", ip_requests_per_second: 0.001, ip_burst: 1 },
  ],
});

export const MB = 1024 * 1024;
export const HOUR = 3_600_000;
export const good = () => JSON.stringify(event());
/** A batch whose middle event is the given JSON text, between two valid events. */
export const around = (raw: string) =>
  `{"site":"shop","sent_at":${NOW},"events":[${good()},${raw},${good()}]}`;
export const mid = (e: unknown) => around(JSON.stringify(e));
export const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
export const nestedProps = (levels: number) => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { k: v };
  return v;
};
export const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
export const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ product_id: `p${i}`, quantity: 1, price: 1 }));
/** A batch whose middle event is a valid event with these raw JSON fields added. */
export const rawEvent = (fields: string) => around(`{${JSON.stringify(event()).slice(1, -1)},${fields}}`);
