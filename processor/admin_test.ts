import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { adminRoutes } from "./admin.ts";
import type { Engine } from "./engine/engine.ts";

// No statement may reach the engine from these requests.
const untouched = new Proxy({}, {
  get: () => () => Promise.reject(new Error("the engine was used")),
}) as unknown as Engine;
const app = adminRoutes({ engine: untouched, token: "t0k3n-of-the-processor" });
const erase = (body: string, token?: string) =>
  app.request("/erase", {
    method: "POST",
    body,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });

Deno.test("POST /admin/erase refuses a request without the admin token, before reading it", async () => {
  for (const token of [undefined, "wrong", "t0k3n-of-the-processo"]) {
    const response = await erase('{"site":"demo","user":"u1"}', token);
    assertEquals(response.status, 401);
    assertEquals((await response.json()).error, "unauthorized");
  }
});

Deno.test("POST /admin/erase answers 400 with the reason for a body that names no site or shopper", async () => {
  const cases: [string, RegExp][] = [
    ["not json", /the body must be JSON/],
    ['{"site":"Demo!","user":"u1"}', /'site' must be a site id/],
    ['{"site":"demo"}', /'user' must be the shopper's user id or anonymous id/],
    [`{"site":"demo","user":"${"x".repeat(129)}"}`, /1 to 128 characters/],
  ];
  for (const [body, message] of cases) {
    const response = await erase(body, "t0k3n-of-the-processor");
    assertEquals(response.status, 400, body);
    const answer = await response.json();
    assertEquals([answer.error, message.test(answer.message)], ["bad_request", true], answer.message);
  }
});
