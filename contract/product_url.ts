// Product views for shops that cannot add code: a site's `product_url_patterns` (the sites file)
// name where a product's id sits in its page URLs, and a page view whose URL matches carries that
// id (the collector's enrich stage, and the ground truth, both read it from here).
//
//   "/products/:id"    the path ends with /products/<id> (also /en/products/<id>,
//                      /collections/sale/products/<id>); a trailing slash is ignored
//   "/shop/*/p/:id"    `*` is any one path segment
//   "?sku=:id"         the query parameter `sku`, on any path
//
// Matched on the URL as the browser sent it, before the collector strips its query
// (stages/url_privacy.ts), so `?sku=` works without listing sku in keep_query.
import { z } from "zod";

/** Sites that list no patterns get this one: the URL shape the dashboards first counted. */
export const DEFAULT_PRODUCT_URL_PATTERNS: readonly string[] = ["/products/:id"];

export const ProductUrlPattern = z.string().max(256).regex(
  /^(\/(([^/:*?#]+|\*)\/)*:id\/?|\?[A-Za-z0-9_.-]+=:id)$/,
  "a path ending in ':id' such as /product/:id or /shop/*/p/:id, or a query such as ?sku=:id",
);

const MAX_ID = 128;
// deno-lint-ignore no-control-regex -- a decoded id must not smuggle control characters
const CONTROL = /[\u0000-\u001F\u007F]/;

/** A function from a page URL to the product id its site's patterns find in it, if any. */
export type ProductUrlMatcher = (url: string) => string | undefined;

/**
 * Compiles patterns (checked with ProductUrlPattern) into one matcher; the first match wins. The URL
 * is read in place, by index, without arrays of its segments: the collector runs this on every page
 * view, and splitting each URL cost about as much as the rest of its enrichment (loadtest/RESULTS.md,
 * 2026-12-08).
 */
export function productUrlMatcher(patterns: readonly string[]): ProductUrlMatcher {
  const matchers = patterns.map(compile);
  return (url) => {
    if (matchers.length === 0) return undefined;
    const at = parts(url);
    for (const match of matchers) {
      const found = match(url, at);
      if (found !== undefined) return found;
    }
    return undefined;
  };
}

/** Where a URL's path and query lie: [pathStart, pathEnd) and [queryStart, queryEnd), queryStart -1 if none. */
type Parts = { pathStart: number; pathEnd: number; queryStart: number; queryEnd: number };
type Match = (url: string, at: Parts) => string | undefined;

function compile(pattern: string): Match {
  if (pattern.startsWith("?")) {
    const name = pattern.slice(1, pattern.indexOf("="));
    return (url, { queryStart, queryEnd }) => {
      if (queryStart < 0) return undefined;
      for (const pair of url.slice(queryStart, queryEnd).split("&")) {
        const eq = pair.indexOf("=");
        if (eq > 0 && decoded(pair.slice(0, eq), true) === name) return productId(pair.slice(eq + 1), true);
      }
      return undefined;
    };
  }
  const wanted = pattern.split("/").filter((s) => s !== "");
  // The path's last segments against the pattern's, from the end: a segment is a run of characters
  // between slashes (a leading, doubled or trailing slash makes no segment).
  return (url, { pathStart, pathEnd }) => {
    let end = pathEnd;
    let id: string | undefined;
    for (let i = wanted.length - 1; i >= 0; i--) {
      while (end > pathStart && url.charCodeAt(end - 1) === SLASH) end--;
      if (end === pathStart) return undefined;
      const start = Math.max(pathStart, url.lastIndexOf("/", end - 1) + 1);
      const w = wanted[i];
      if (w === ":id") id = url.slice(start, end);
      else if (w !== "*" && (end - start !== w.length || !url.startsWith(w, start))) return undefined;
      end = start;
    }
    return id === undefined ? undefined : productId(id, false);
  };
}

const SLASH = 47;

/** The path and query of an absolute or root-relative URL, each up to a '#', without parsing the whole URL. */
function parts(url: string): Parts {
  const scheme = url.indexOf("://");
  const pathAt = scheme < 0 ? 0 : url.indexOf("/", scheme + 3);
  if (pathAt < 0) {
    // No path (https://shop.test?sku=1): the query, if any, follows the host.
    const q = url.indexOf("?", scheme + 3);
    return {
      pathStart: 0,
      pathEnd: 0,
      queryStart: q < 0 ? -1 : q + 1,
      queryEnd: q < 0 ? 0 : cut(url, q + 1),
    };
  }
  const end = cut(url, pathAt);
  const q = url.indexOf("?", pathAt);
  return q < 0 || q >= end
    ? { pathStart: pathAt, pathEnd: end, queryStart: -1, queryEnd: end }
    : { pathStart: pathAt, pathEnd: q, queryStart: q + 1, queryEnd: end };
}

/** Where the text from `from` ends: at its first '#', else at the end. */
function cut(url: string, from: number): number {
  const hash = url.indexOf("#", from);
  return hash < 0 ? url.length : hash;
}

/** Percent-decoded; in a query (form encoding) a '+' is a space, in a path it is a '+'. */
function decoded(text: string, query: boolean): string | undefined {
  if (!text.includes("%")) return query ? text.replaceAll("+", " ") : text; // nothing to decode, nothing to refuse
  try {
    return decodeURIComponent(query ? text.replaceAll("+", " ") : text);
  } catch {
    return undefined;
  }
}

/** A captured id, percent-decoded; nothing when empty, malformed, too long or holding controls. */
function productId(raw: string, query: boolean): string | undefined {
  const id = decoded(raw, query);
  return id && id.length <= MAX_ID && !CONTROL.test(id) && id.isWellFormed() ? id : undefined;
}
