// Stage 4: what the server knows and the browser does not — its own clock, what the User-Agent
// says about the device, whether it is a bot, a hash of the client's network, and its country;
// and what it must not keep: the private parts of page URLs and referrers (url_privacy.ts). A page
// view whose URL matches its site's product_url_patterns gets that product's id, read before the
// query is stripped (contract/product_url.ts).
import { isbot } from "isbot";
import { UAParser } from "ua-parser-js";
import type { Enrichment, Event, KafkaRow, ProductUrlMatcher } from "../../contract/mod.ts";
import { toKafkaRow } from "../../contract/mod.ts";
import { privateUrl } from "./url_privacy.ts";

/**
 * The event's time on the server's clock: the browser's timestamp shifted by how far the
 * browser's clock was off when it sent the batch (sent_at against our received_at). A browser
 * measures the interval between its event and its send well even when its clock is set to the
 * wrong year, so the whole offset is corrected; the result is never after `receivedAt`, and
 * validate refuses events it puts too far in the past.
 */
export function correctedTime(ts: number, sentAt: number, receivedAt: number): number {
  return Math.max(0, Math.min(ts - (sentAt - receivedAt), receivedAt));
}

export type Client = Pick<Enrichment, "browser" | "os" | "device_type" | "is_bot" | "ip_hash" | "country">;

const uaCache = new Map<string, Pick<Client, "browser" | "os" | "device_type" | "is_bot">>();
const UA_CACHE_SIZE = 2000;

/** Browser, OS, device type and bot flag from a User-Agent header; a missing one counts as a bot. */
export function parseUserAgent(ua: string) {
  const cached = uaCache.get(ua);
  if (cached) return cached;
  const result = new UAParser(ua).getResult();
  const parsed = {
    browser: (result.browser.name ?? "").slice(0, 64),
    os: (result.os.name ?? "").slice(0, 64),
    // ua-parser-js leaves desktop browsers without a device type.
    device_type: ua ? result.device.type ?? "desktop" : "",
    is_bot: ua === "" || isbot(ua) ? 1 : 0,
  };
  if (uaCache.size >= UA_CACHE_SIZE) uaCache.delete(uaCache.keys().next().value!);
  uaCache.set(ua, parsed);
  return parsed;
}

/** ISO 3166-1 alpha-2 from the edge's header (e.g. cf-ipcountry); anything else becomes "". */
export function countryCode(value: string | undefined): string {
  const code = (value ?? "").trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) && code !== "XX" ? code : "";
}

export function enrich(
  events: Event[],
  { site, keepQuery, productUrl, sentAt, receivedAt, client }: {
    site: string;
    /** The site's query parameters kept in URLs besides utm_* (../clients/sites.ts `keep_query`). */
    keepQuery?: readonly string[];
    /** The product id in a page view's URL (../clients/sites.ts `product_url_patterns`). */
    productUrl?: ProductUrlMatcher;
    sentAt: number;
    receivedAt: number;
    client: Client;
  },
): KafkaRow[] {
  return events.map((event) =>
    toKafkaRow({
      ...event,
      url: privateUrl(event.url, keepQuery),
      referrer: event.referrer && privateUrl(event.referrer, keepQuery),
    }, {
      site,
      received_at: receivedAt,
      event_time: correctedTime(event.ts, sentAt, receivedAt),
      ...client,
      product_id: event.type === "page_view" ? productUrl?.(event.url) : undefined,
    })
  );
}
