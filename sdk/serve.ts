// HTTP routes for the browser SDK, mounted by the collector:
//
//   import { sdkRoutes } from "../sdk/serve.ts";
//   app.route("/", sdkRoutes());
//
// GET /sdk.js      the IIFE from sdk/dist/shoptrail.js (or `distDir`; `deno task up` builds it),
//                  cached for a day and revalidated by a strong ETag (304 on If-None-Match).
// GET /demo/...    the demo storefront (sdk/demo/), under a strict Content-Security-Policy.
//
// `sdkRoutes({ script })` takes the bundle's bytes instead of reading dist/, for tests.
import { Hono } from "hono";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export type SdkRoutesOptions = { script?: Uint8Array; distDir?: string };

const here = new URL(".", import.meta.url);
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};
// The demo runs no inline code: proof that the SDK works under a strict policy.
const CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'";

export function sdkRoutes({ script, distDir }: SdkRoutesOptions = {}): Hono {
  const bundleUrl = distDir
    ? pathToFileURL(join(resolve(distDir), "shoptrail.js"))
    : new URL("dist/shoptrail.js", here);
  const app = new Hono();
  let bundle: { body: Uint8Array; etag: string } | undefined;

  app.get("/sdk.js", async (c) => {
    if (!bundle) {
      const body = script ?? await Deno.readFile(bundleUrl).catch(() => undefined);
      if (!body) return c.text("SDK not built: run `deno task sdk:build`\n", 503);
      const digest = await crypto.subtle.digest("SHA-256", body as BufferSource);
      const b64 = btoa(String.fromCharCode(...new Uint8Array(digest)));
      bundle = { body, etag: `"${b64.slice(0, 22)}"` };
    }
    const headers = {
      "content-type": TYPES.js,
      // Unversioned URL: a day fresh, then a cheap 304; a week of stale-while-revalidate.
      "cache-control": "public, max-age=86400, stale-while-revalidate=604800",
      etag: bundle.etag,
      // SRI on a cross-origin script needs CORS (`<script crossorigin="anonymous">`).
      "access-control-allow-origin": "*",
      "cross-origin-resource-policy": "cross-origin",
    };
    const match = c.req.header("if-none-match")?.split(/\s*,\s*/);
    if (match?.includes(bundle.etag) || match?.includes("*")) return c.body(null, 304, headers);
    return c.body(bundle.body as Uint8Array<ArrayBuffer>, 200, headers);
  });

  app.get("/demo", (c) => c.redirect("/demo/"));
  app.get("/demo/*", async (c) => {
    let name = c.req.path.slice("/demo/".length) || "index.html";
    if (!/^[a-z0-9_-]+(\.[a-z]+)?$/.test(name)) return c.notFound();
    if (!name.includes(".")) name += ".html";
    const body = await Deno.readFile(new URL("demo/" + name, here)).catch(() => undefined);
    if (!body) return c.notFound();
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      "content-type": TYPES[name.split(".").pop()!] ?? "application/octet-stream",
      "content-security-policy": CSP,
      "cache-control": "no-cache",
    });
  });
  return app;
}
