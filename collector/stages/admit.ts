// Between validate's envelope check and the events: is this site known, is the write key right,
// may this page's origin send for it, and are the site and this client within their rates?
import { CollectorError } from "../errors.ts";
import type { TokenBuckets } from "../clients/rate_limit.ts";
import { originAllowed, sameKey, type Site, type Sites } from "../clients/sites.ts";

export const WRITE_KEY_HEADER = "X-Shoptrail-Key";

export function admit(
  request: Request,
  { siteId, eventCount, clientKey, sites, buckets, now }: {
    siteId: string;
    eventCount: number;
    /** The client's per-day bucket key (a hash, never the IP; requests without one share a key). */
    clientKey: string;
    sites: Sites;
    buckets: { sites: TokenBuckets; clients: TokenBuckets };
    now: number;
  },
): Site {
  const site = sites.get(siteId);
  if (!site) {
    throw new CollectorError("unknown_site", `Cannot accept events for site '${siteId}': no such site`);
  }
  if (site.writeKey) {
    // Parsed only for a site with a key: most requests have no query.
    const given = new URL(request.url).searchParams.get("key") ?? request.headers.get(WRITE_KEY_HEADER) ?? "";
    if (!sameKey(given, site.writeKey)) {
      throw new CollectorError(
        "unknown_site",
        `Cannot accept events for site '${siteId}': ${
          given ? "the write key is wrong" : "a write key is required"
        } ` +
          `(send it as ?key= or the ${WRITE_KEY_HEADER} header)`,
      );
    }
  }
  // No Origin: not a browser page (server-side senders, tools). Origin checks keep other web
  // pages from spending a site's quota; they cannot stop a script, which the write key limits.
  const origin = request.headers.get("Origin");
  if (origin !== null && !originAllowed(site, origin)) {
    throw new CollectorError(
      "origin_not_allowed",
      `Cannot accept events for site '${siteId}' from origin ${origin}`,
    );
  }
  if (site.perIp) {
    limit(buckets.clients.take(`ip:${site.id}:${clientKey}`, 1, site.perIp, now), "this client");
  }
  limit(buckets.sites.take(`site:${site.id}`, eventCount, site.events, now), `site '${site.id}'`);
  return site;
}

export function limit(take: ReturnType<TokenBuckets["take"]>, who: string): void {
  if (take.ok) return;
  throw new CollectorError(
    "rate_limited",
    `Too many events for ${who}: retry after ${take.retryAfterS} s`,
    { retry_after_s: take.retryAfterS },
    { "Retry-After": String(take.retryAfterS) },
  );
}
