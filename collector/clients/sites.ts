// The sites the collector accepts events for, from a JSON file (COLLECTOR_SITES_FILE):
//
//   { "sites": [ { "id": "demo", "write_key": "wk_...", "origins": ["https://shop.example"],
//                  "events_per_second": 500, "burst": 2000,
//                  "ip_requests_per_second": 20, "ip_burst": 60, "bots": "flag",
//                  "keep_query": ["sku", "q"], "product_url_patterns": ["/product/:id", "?sku=:id"],
//                  "time_zone": "Australia/Sydney" } ] }
//
// Without a file the collector runs open (any site id, any origin, no site limits): for local
// development and tests only; main.ts says so at start.
import { z } from "zod";
import {
  DEFAULT_PRODUCT_URL_PATTERNS,
  ProductUrlMatcher,
  productUrlMatcher,
  ProductUrlPattern,
  SiteId,
} from "../../contract/mod.ts";
import { ConfigError } from "../../lib/env.ts";
import type { Rate } from "./rate_limit.ts";

const Origin = z.string().regex(
  /^(\*|https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?)$/,
  "an origin such as https://shop.example, https://*.shop.example or *",
);

const TimeZone = z.string().max(64).refine(
  (name) => /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name) && knownTimeZone(name),
  "an IANA time zone such as Australia/Sydney or UTC",
);

function knownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

const SiteEntry = z.object({
  id: SiteId,
  /** When set, requests must carry it (?key= or the X-Shoptrail-Key header). */
  write_key: z.string().min(16, "at least 16 characters").max(128).optional(),
  origins: z.array(Origin).min(1).default(["*"]),
  events_per_second: z.number().positive().default(1000),
  burst: z.number().positive().default(5000),
  ip_requests_per_second: z.number().positive().default(20),
  ip_burst: z.number().positive().default(100),
  /** "flag" publishes bot traffic with is_bot = 1; "drop" answers 202 but publishes nothing. */
  bots: z.enum(["flag", "drop"]).default("flag"),
  /** Query parameters kept in stored URLs and referrers besides utm_* (stages/url_privacy.ts). */
  keep_query: z.array(z.string().min(1).max(128)).max(50).default([]),
  /** Where page URLs hold a product id (contract/product_url.ts); [] turns the fallback off. */
  product_url_patterns: z.array(ProductUrlPattern).max(20).default([...DEFAULT_PRODUCT_URL_PATTERNS]),
  /** The shop's days and hours in the analytics (the processor reads it; storage stays UTC). */
  time_zone: TimeZone.default("UTC"),
}).strict();

const SitesFile = z.object({ sites: z.array(SiteEntry).min(1) }).strict();

export type Site = {
  id: string;
  writeKey?: string;
  origins: string[];
  events: Rate;
  perIp?: Rate;
  bots: "flag" | "drop";
  keepQuery?: readonly string[];
  /** The product id in a page view's URL; the default patterns' when the site has none. */
  productUrl?: ProductUrlMatcher;
  /** IANA name: the site's days and hours in the analytics. */
  timeZone?: string;
};

export class Sites {
  #byId: Map<string, Site>;
  constructor(sites: Site[], readonly open = false) {
    this.#byId = new Map(sites.map((s) => [s.id, s]));
  }

  /** Any site id is accepted with no limits and any origin: development only. */
  static open(): Sites {
    return new Sites([], true);
  }

  static parse(json: unknown, source = "sites"): Sites {
    const parsed = SitesFile.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new ConfigError(`${source} is not valid: ${first.path.join(".") || "(root)"}: ${first.message}`);
    }
    const ids = parsed.data.sites.map((s) => s.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw new ConfigError(`${source} is not valid: site '${twice}' is listed twice`);
    return new Sites(parsed.data.sites.map((s) => ({
      id: s.id,
      writeKey: s.write_key,
      origins: s.origins.map((o) => o.toLowerCase()),
      events: { perSecond: s.events_per_second, burst: s.burst },
      perIp: { perSecond: s.ip_requests_per_second, burst: s.ip_burst },
      bots: s.bots,
      keepQuery: s.keep_query,
      productUrl: productUrlMatcher(s.product_url_patterns),
      timeZone: s.time_zone,
    })));
  }

  static async load(path: string, variable = "COLLECTOR_SITES_FILE"): Promise<Sites> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      throw new ConfigError(
        `${variable}=${JSON.stringify(path)} cannot be read: ${(error as Error).message}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`${variable}=${JSON.stringify(path)} is not JSON: ${(error as Error).message}`);
    }
    return Sites.parse(json, `${variable}=${JSON.stringify(path)}`);
  }

  get(id: string): Site | undefined {
    return this.#byId.get(id) ??
      (this.open
        ? { id, origins: ["*"], events: UNLIMITED, bots: "flag", productUrl: DEFAULT_PRODUCT_URL }
        : undefined);
  }

  /** The sites of the file (none when open). */
  list(): Site[] {
    return [...this.#byId.values()];
  }

  /** For a CORS preflight, which carries no site: is the origin allowed by any site? */
  anyAllows(origin: string): boolean {
    return this.open || [...this.#byId.values()].some((s) => originAllowed(s, origin));
  }
}

const DEFAULT_PRODUCT_URL = productUrlMatcher(DEFAULT_PRODUCT_URL_PATTERNS);
const UNLIMITED: Rate = { perSecond: Number.MAX_SAFE_INTEGER, burst: Number.MAX_SAFE_INTEGER };

export function originAllowed(site: Site, origin: string): boolean {
  const o = origin.toLowerCase();
  return site.origins.some((allowed) => {
    if (allowed === "*" || allowed === o) return true;
    const wild = /^(https?:\/\/)\*\.(.+)$/.exec(allowed);
    return wild !== null && o.startsWith(wild[1]) && o.endsWith(`.${wild[2]}`);
  });
}

/** Compares write keys in time independent of where they differ. */
export function sameKey(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
