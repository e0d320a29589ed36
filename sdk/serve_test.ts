import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { sdkRoutes } from "./serve.ts";

const script = new TextEncoder().encode("!function(){}();");

Deno.test("GET /sdk.js serves the bundle with long cache headers, a strong ETag and CORS", async () => {
  const res = await sdkRoutes({ script }).request("/sdk.js");
  assertEquals(res.status, 200);
  assertEquals(await res.text(), "!function(){}();");
  assert(/^"[A-Za-z0-9+/]{22}"$/.test(res.headers.get("etag")!), "strong, not W/");
  assert(res.headers.get("cache-control")!.includes("max-age=86400"));
  assertEquals(res.headers.get("access-control-allow-origin"), "*");
  assert(res.headers.get("content-type")!.startsWith("text/javascript"));
});

Deno.test("GET /sdk.js answers 304 when If-None-Match holds its ETag", async () => {
  const app = sdkRoutes({ script });
  const etag = (await app.request("/sdk.js")).headers.get("etag")!;
  const res = await app.request("/sdk.js", { headers: { "if-none-match": `"other", ${etag}` } });
  assertEquals(res.status, 304);
  assertEquals(await res.text(), "");
  assertEquals(res.headers.get("etag"), etag);
});

Deno.test("GET /demo/ serves the storefront under a strict CSP, and no path outside it", async () => {
  const app = sdkRoutes({ script });
  const res = await app.request("/demo/");
  assertEquals(res.status, 200);
  const html = await res.text();
  assert(html.includes('src="/sdk.js"') && html.includes('data-site="demo"'));
  assert(res.headers.get("content-security-policy")!.includes("script-src 'self'"));
  for (const page of ["product", "cart", "checkout", "thanks", "shop.js", "style.css"]) {
    assertEquals((await app.request("/demo/" + page)).status, 200, page);
  }
  assertEquals((await app.request("/demo/..%2Fserve.ts")).status, 404);
  assertEquals((await app.request("/demo")).status, 302);
});
