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

/** Compiles patterns (checked with ProductUrlPattern) into one matcher; the first match wins. */
export function productUrlMatcher(patterns: readonly string[]): ProductUrlMatcher {
  const matchers = patterns.map(compile);
  return (url) => {
    if (matchers.length === 0) return undefined;
    const { path, query } = split(url);
    for (const match of matchers) {
      const found = match(path, query);
      if (found !== undefined) return found;
    }
    return undefined;
  };
}

type Match = (path: string, query: string) => string | undefined;

function compile(pattern: string): Match {
  if (pattern.startsWith("?")) {
    const name = pattern.slice(1, pattern.indexOf("="));
    return (_path, query) => {
      for (const pair of query.split("&")) {
        const eq = pair.indexOf("=");
        if (eq > 0 && decoded(pair.slice(0, eq), true) === name) return productId(pair.slice(eq + 1), true);
      }
      return undefined;
    };
  }
  const wanted = segments(pattern);
  return (path) => {
    const have = segments(path);
    const start = have.length - wanted.length;
    if (start < 0) return undefined;
    let id: string | undefined;
    for (let i = 0; i < wanted.length; i++) {
      const w = wanted[i], h = have[start + i];
      if (w === ":id") id = h;
      else if (w !== "*" && w !== h) return undefined;
    }
    return id === undefined ? undefined : productId(id, false);
  };
}

/** A path's segments without the empty ones a leading, doubled or trailing slash makes. */
function segments(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

/** The path and query of an absolute or root-relative URL, without parsing the whole URL. */
function split(url: string): { path: string; query: string } {
  const scheme = url.indexOf("://");
  const pathAt = scheme < 0 ? 0 : url.indexOf("/", scheme + 3);
  if (pathAt < 0) {
    const q = url.indexOf("?", scheme + 3);
    return { path: "/", query: q < 0 ? "" : url.slice(q + 1).split("#")[0] };
  }
  const rest = url.slice(pathAt).split("#")[0];
  const q = rest.indexOf("?");
  return q < 0 ? { path: rest, query: "" } : { path: rest.slice(0, q), query: rest.slice(q + 1) };
}

/** Percent-decoded; in a query (form encoding) a '+' is a space, in a path it is a '+'. */
function decoded(text: string, query: boolean): string | undefined {
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
