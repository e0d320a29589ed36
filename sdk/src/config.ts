// Settings and the fixed limits of delivery. The limits are constants so the minifier inlines them.

export type Config = {
  /** Site id the collector knows, e.g. "demo". */
  site: string;
  /** Collector origin; batches go to `${endpoint}/v1/batch`. */
  endpoint: string;
  /** Treat Do Not Track and Global Privacy Control as withheld consent (default true). */
  respectSignals?: boolean;
  /** Count a change of `location.hash` as a navigation, for hash routers (default false). */
  hash?: boolean;
  /** Send a page_view on load and on each SPA navigation (default true). */
  pageviews?: boolean;
};

export const BATCH_EVENTS = 20;
export const BATCH_BYTES = 32 * 1024;
export const BATCH_DELAY_MS = 2_000;
export const UNLOAD_BYTES = 48 * 1024;
export const RETRY_MIN_MS = 1_000;
export const RETRY_MAX_MS = 60_000;
export const MAX_TRIES = 10;
export const STORED_EVENTS = 500;
export const STORED_BYTES = 1024 * 1024;
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_MAX_MS = 24 * 3600_000;
export const ORDER_DEDUP_MS = 24 * 3600_000;

/** Storage keys, all under one short prefix. */
export const KEY = {
  anonymous: "st_a",
  session: "st_s",
  user: "st_u",
  optOut: "st_x",
  orders: "st_o",
  /** Followed by a tab id: each page load keeps its own outbox. */
  outbox: "st_q:",
} as const;

/** Reads the settings of `<script src=".../sdk.js" data-site="demo" data-endpoint="...">`. */
export function fromScript(script: HTMLScriptElement | null): Config | undefined {
  const data = script && script.dataset;
  if (!data || !data.site) return;
  return {
    site: data.site,
    endpoint: data.endpoint || new URL(script.src).origin,
    respectSignals: data.respectDnt != "false",
    hash: data.hash == "true",
    pageviews: data.pageviews != "false",
  };
}
