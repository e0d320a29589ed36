import assert from "node:assert/strict";
import type { Event } from "../contract/mod.ts";
import { virtualClock } from "./clock.ts";
import { acceptedMask, retryDelayMs, sendBatch } from "./send.ts";

const event = {
  type: "page_view",
  event_id: crypto.randomUUID(),
  ts: 1,
  session_id: "s",
  url: "https://x/",
} as Event;

function scripted(responses: Response[]) {
  const bodies: { sent_at: number }[] = [];
  const fetch = ((_url: string, init: RequestInit) => {
    bodies.push(JSON.parse(String(init.body)));
    return Promise.resolve(responses.shift()!);
  }) as typeof globalThis.fetch;
  return { fetch, bodies };
}

Deno.test("sendBatch() retries 429 and 503 after the Retry-After delay, with a fresh sent_at", async () => {
  const clock = virtualClock(1_000);
  const { fetch, bodies } = scripted([
    new Response('{"error":{"code":"rate_limited"}}', { status: 429, headers: { "retry-after": "2" } }),
    new Response("{}", { status: 503, headers: { "retry-after": "1" } }),
    Response.json({ accepted: 1 }, { status: 202 }),
  ]);
  const d = await sendBatch({ url: "http://c/v1/batch", site: "demo", events: [event], clock, fetch });
  assert.deepEqual([d.status, d.attempts, d.accepted], [202, 3, [true]]);
  assert.deepEqual(bodies.map((b) => b.sent_at), [1_000, 3_000, 4_000]);
});

Deno.test("sendBatch() does not retry a 400 and reports its error code", async () => {
  const { fetch } = scripted([
    Response.json({ error: { code: "invalid_payload", message: "x" } }, { status: 400 }),
  ]);
  const d = await sendBatch({
    url: "http://c/v1/batch",
    site: "demo",
    events: [event],
    clock: virtualClock(),
    fetch,
  });
  assert.deepEqual([d.status, d.attempts, d.error, d.accepted], [400, 1, "invalid_payload", [false]]);
});

Deno.test("sendBatch() gives up after maxAttempts when the network keeps failing", async () => {
  const fetch = (() => Promise.reject(new TypeError("connection refused"))) as typeof globalThis.fetch;
  const d = await sendBatch({
    url: "http://c/v1/batch",
    site: "demo",
    events: [event],
    clock: virtualClock(),
    fetch,
    maxAttempts: 3,
  });
  assert.deepEqual([d.status, d.attempts, d.error], [0, 3, "TypeError"]);
});

Deno.test("retryDelayMs() reads seconds and HTTP dates, caps at 30 s, else backs off", () => {
  assert.equal(retryDelayMs("3", 1, 0), 3_000);
  assert.equal(retryDelayMs(new Date(10_000).toUTCString(), 1, 5_000), 5_000);
  assert.equal(retryDelayMs("3600", 1, 0), 30_000);
  assert.deepEqual([1, 2, 3, 10].map((a) => retryDelayMs(null, a, 0)), [200, 400, 800, 5_000]);
});

Deno.test("acceptedMask() reads per-event results, else the accepted count", () => {
  assert.deepEqual(acceptedMask({ accepted: 3 }, 3), [true, true, true]);
  assert.deepEqual(acceptedMask({ accepted: 1 }, 3), [true, false, false]);
  const results = [{ index: 0, status: "ok" }, { index: 1, status: "rejected", error: "invalid_event" }, {
    index: 2,
    status: "ok",
  }];
  assert.deepEqual(acceptedMask({ accepted: 2, results }, 3), [true, false, true]);
});
