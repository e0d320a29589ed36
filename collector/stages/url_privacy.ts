// Page URLs and referrers carry more than the page: password-reset tokens, e-mail addresses and
// OAuth codes travel in query strings and fragments, and credentials in the user-info part. What
// is stored keeps the page and its campaign: the path, `utm_*` parameters and the parameters a
// site lists in `keep_query` (../clients/sites.ts). Everything else is cut before the row leaves the
// collector.
//
// The URL is cut as text, not rebuilt with `new URL()`: what is kept stays byte for byte as the
// browser sent it (no re-encoding, no punycode), and a relative or malformed URL is cut alike.

const USER_INFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;
// A hash router's route (`#/products/1`, `#!/cart`) is the page, as the SDK's `hash` option counts
// it; any other fragment (`#access_token=…`, `#/id_token=…`) is dropped whole.
const ROUTE = /^!?\/[^?=&]*(\?|$)/;

/** `url` without user info, every query parameter but `utm_*` and `keep`, and any fragment but a route. */
export function privateUrl(url: string, keep: readonly string[] = []): string {
  // Nothing to cut without a query, a fragment or user info: most page URLs, returned as they are
  // without the two regular expressions below (a page view's enrichment, measured: 2026-12-08).
  if (url.indexOf("?") < 0 && url.indexOf("#") < 0 && url.indexOf("@") < 0) return url;
  const hashAt = url.indexOf("#");
  const base = hashAt < 0 ? url : url.slice(0, hashAt);
  const fragment = hashAt < 0 ? "" : url.slice(hashAt + 1);
  const route = ROUTE.test(fragment) ? `#${withoutPrivateQuery(fragment, keep)}` : "";
  return withoutPrivateQuery(base.replace(USER_INFO, "$1"), keep) + route;
}

/** A refused event as the DLQ keeps it: `url` and `referrer` cut (utm_* only), the rest as sent. */
export function privateRawEvent(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  const event: Record<string, unknown> = { ...raw };
  for (const field of ["url", "referrer"]) {
    const value = event[field];
    if (typeof value === "string") event[field] = privateUrl(value);
  }
  return event;
}

function withoutPrivateQuery(text: string, keep: readonly string[]): string {
  const queryAt = text.indexOf("?");
  if (queryAt < 0) return text;
  const kept = text.slice(queryAt + 1).split("&").filter((pair) => {
    const name = paramName(pair);
    return name.startsWith("utm_") || keep.includes(name);
  });
  const path = text.slice(0, queryAt);
  return kept.length > 0 ? `${path}?${kept.join("&")}` : path;
}

/** The parameter's name as URLSearchParams reads it ("+" is a space, %XX decoded). */
function paramName(pair: string): string {
  const raw = pair.split("=", 1)[0].replaceAll("+", " ");
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // a malformed escape matches no allowed name
  }
}
