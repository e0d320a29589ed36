// Refuses what a browser sends on behalf of another site's page (CSRF). A browser attaches the
// owner's cached basic-auth credentials to a cross-site form POST, no-cors fetch or beacon, so the
// password alone does not prove that the owner meant the request. Browsers mark such requests:
// `Sec-Fetch-Site` says where the request comes from, and `Origin` names the page on every POST.
// Clients outside a browser (curl, @clickhouse/client) send neither and pass.
import type { Context, MiddlewareHandler } from "hono";

/** Why the request comes from a page of another site, or undefined when nothing in it says so. */
export function crossSiteReason(request: Request): string | undefined {
  // same-site is refused too: another port of this host, or a sibling subdomain, is another page.
  const site = request.headers.get("Sec-Fetch-Site");
  if (site === "cross-site" || site === "same-site") {
    return `the browser marked it Sec-Fetch-Site: ${site} (sent by a page of another origin)`;
  }
  const origin = request.headers.get("Origin");
  if (origin === null) return undefined;
  // Hosts, not schemes: behind a TLS-terminating proxy the page is https and this server sees http.
  const own = new URL(request.url).host;
  if (hostOf(origin) !== own) return `its Origin ${origin} is not this server (${own})`;
  return undefined;
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined; // "null": a sandboxed frame, a data: URL, a redirect across origins
  }
}

export type SameOriginOptions = {
  /** A header the request must carry: a page of another site cannot send it without a CORS preflight. */
  requireHeader?: string;
  /** The refusal, given what was wrong. Default: ClickHouse's HTTP error, code 497 ACCESS_DENIED. */
  refuse?: (c: Context, reason: string) => Response;
};

/** Middleware: passes requests that prove (or do not contradict) the same origin, refuses the rest. */
export function sameOrigin({ requireHeader, refuse = clickhouseRefusal }: SameOriginOptions = {}) {
  const handler: MiddlewareHandler = async (c, next) => {
    const crossSite = crossSiteReason(c.req.raw);
    if (crossSite) return refuse(c, `Cross-site request refused: ${crossSite}.`);
    if (requireHeader && c.req.header(requireHeader) === undefined) {
      return refuse(
        c,
        `Request refused: the header ${requireHeader} is missing. Pages of this origin send it; ` +
          `a page of another site cannot, so it proves the request is not a cross-site forgery.`,
      );
    }
    await next();
  };
  return handler;
}

function clickhouseRefusal(c: Context, reason: string) {
  return c.body(`Code: 497. DB::Exception: ${reason} (ACCESS_DENIED)\n`, 403, {
    "Content-Type": "text/plain; charset=UTF-8",
    "X-ClickHouse-Exception-Code": "497",
  });
}
