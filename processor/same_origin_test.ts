// sameOrigin() with app.request(): the headers browsers set on a cross-site request, and clients
// that send none of them (curl, @clickhouse/client).
import { deepStrictEqual as assertEquals, match, strictEqual } from "node:assert/strict";
import { Hono } from "hono";
import { sameOrigin, type SameOriginOptions } from "./same_origin.ts";

const HOST = "127.0.0.1:8123";

function guarded(options?: SameOriginOptions) {
  const ran: string[] = [];
  const app = new Hono().use("*", sameOrigin(options));
  app.on(["GET", "POST"], "/", (c) => {
    ran.push(c.req.method);
    return c.text("Ok.\n");
  });
  const send = (headers: Record<string, string>, init: RequestInit = { method: "POST", body: "SELECT 1" }) =>
    app.request(`http://${HOST}/`, { ...init, headers: { "Content-Type": "text/plain", ...headers } });
  return { ran, send };
}

const REFUSED: { name: string; headers: Record<string, string>; reason: RegExp }[] = [
  {
    name: "another site's Origin",
    headers: { Origin: "https://evil.example" },
    reason: /Origin https:\/\/evil/,
  },
  {
    name: "another port of this host",
    headers: { Origin: "http://127.0.0.1:9999" },
    reason: /not this server/,
  },
  { name: "Origin null (sandboxed frame)", headers: { Origin: "null" }, reason: /Origin null/ },
  { name: "Sec-Fetch-Site cross-site", headers: { "Sec-Fetch-Site": "cross-site" }, reason: /cross-site/ },
  { name: "Sec-Fetch-Site same-site", headers: { "Sec-Fetch-Site": "same-site" }, reason: /same-site/ },
  {
    name: "a same-origin Origin with Sec-Fetch-Site cross-site",
    headers: { Origin: `http://${HOST}`, "Sec-Fetch-Site": "cross-site" },
    reason: /cross-site/,
  },
];

for (const { name, headers, reason } of REFUSED) {
  Deno.test(`sameOrigin() refuses ${name} with ClickHouse's 497 before the handler runs`, async () => {
    const { ran, send } = guarded();
    const response = await send(headers);
    assertEquals(
      [response.status, response.headers.get("X-ClickHouse-Exception-Code"), ran],
      [403, "497", []],
    );
    const text = await response.text();
    match(text, /^Code: 497\. DB::Exception: Cross-site request refused: .* \(ACCESS_DENIED\)\n$/);
    match(text, reason);
  });
}

Deno.test("sameOrigin() refuses a cross-site GET that carries its SQL in the URL", async () => {
  const { ran, send } = guarded();
  const response = await send({ "Sec-Fetch-Site": "cross-site" }, { method: "GET" });
  assertEquals([response.status, ran], [403, []]);
});

const PASSED: { name: string; headers: Record<string, string> }[] = [
  { name: "curl or @clickhouse/client (no Origin, no Sec-Fetch-Site)", headers: {} },
  { name: "this origin's own page", headers: { Origin: `http://${HOST}`, "Sec-Fetch-Site": "same-origin" } },
  { name: "this host behind a TLS-terminating proxy", headers: { Origin: `https://${HOST}` } },
  { name: "a typed URL or bookmark (Sec-Fetch-Site none)", headers: { "Sec-Fetch-Site": "none" } },
];

for (const { name, headers } of PASSED) {
  Deno.test(`sameOrigin() passes ${name}`, async () => {
    const { ran, send } = guarded();
    const response = await send(headers);
    assertEquals([response.status, await response.text(), ran], [200, "Ok.\n", ["POST"]]);
  });
}

Deno.test("sameOrigin({ requireHeader }) refuses a request without the header, saying which", async () => {
  const { ran, send } = guarded({ requireHeader: "X-Requested-With" });
  const missing = await send({ Origin: `http://${HOST}` });
  strictEqual(missing.status, 403);
  match(await missing.text(), /the header X-Requested-With is missing/);
  const crossSite = await send({ "X-Requested-With": "x", "Sec-Fetch-Site": "cross-site" });
  match(await crossSite.text(), /Cross-site request refused/);
  assertEquals(ran, []);
  const present = await send({ "X-Requested-With": "x", "Sec-Fetch-Site": "same-origin" });
  assertEquals([present.status, ran], [200, ["POST"]]);
});

Deno.test("sameOrigin({ refuse }) answers with the caller's refusal", async () => {
  const { send } = guarded({
    refuse: (c, reason) => c.json({ error: { code: "nope", message: reason } }, 403),
  });
  const response = await send({ Origin: "https://evil.example" });
  const body = await response.json();
  assertEquals([response.status, body.error.code], [403, "nope"]);
  match(body.error.message, /Origin https:\/\/evil\.example is not this server \(127\.0\.0\.1:8123\)/);
});
