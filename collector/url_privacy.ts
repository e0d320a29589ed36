// Page URLs and referrers carry more than the page: password-reset tokens, e-mail addresses and
// OAuth codes travel in query strings and fragments, and credentials in the user-info part. What
// is stored keeps the page and its campaign: the path, `utm_*` parameters and the parameters a
// site lists in `keep_query` (sites.ts). Everything else is cut before the row leaves the
// collector.
//
// The URL is cut as text, not rebuilt with `new URL()`: what is kept stays byte for byte as the
// browser sent it (no re-encoding, no punycode), and a relative or malformed URL is cut alike.

const USER_INFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;

/** `url` without its fragment, user info and every query parameter but `utm_*` and `keep`. */
export function privateUrl(url: string, keep: readonly string[] = []): string {
  const hashAt = url.indexOf("#");
  const base = (hashAt < 0 ? url : url.slice(0, hashAt)).replace(USER_INFO, "$1");
  const queryAt = base.indexOf("?");
  if (queryAt < 0) return base;
  const kept = base.slice(queryAt + 1).split("&").filter((pair) => {
    const name = paramName(pair);
    return name.startsWith("utm_") || keep.includes(name);
  });
  const path = base.slice(0, queryAt);
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
