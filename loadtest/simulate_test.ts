import assert from "node:assert/strict";
import { Event } from "../contract/mod.ts";
import { virtualClock } from "./clock.ts";
import { simulate } from "./simulate.ts";

const T = Date.UTC(2025, 5, 2, 12);
const accepting = (log: { events: unknown[]; ua: string | null }[] = []) =>
  ((_url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    log.push({ events: body.events, ua: new Headers(init.headers).get("user-agent") });
    return Promise.resolve(Response.json({ accepted: body.events.length }, { status: 202 }));
  }) as typeof fetch;

Deno.test("simulate() paces sending to the target rate on a virtual clock", async () => {
  const log: { events: unknown[]; ua: string | null }[] = [];
  const s = await simulate({
    collector: "http://collector.test",
    site: "demo",
    eps: 200,
    durationMs: 60_000,
    seed: 42,
    clock: virtualClock(T),
    fetch: accepting(log),
  });
  assert.ok(s.sent > 200 * 60 * 0.9 && s.sent < 200 * 60 * 1.1, `sent ${s.sent}`);
  assert.equal(s.accepted, s.sent);
  assert.equal(s.elapsedMs, 60_000);
  assert.ok(log.every((r) => r.events.length <= 100 && r.ua));
});

Deno.test("simulate() is reproducible: same seed and start, same events sent", async () => {
  const sent = async () => {
    const log: { events: unknown[]; ua: string | null }[] = [];
    await simulate({
      collector: "http://c.test",
      site: "demo",
      eps: 100,
      durationMs: 10_000,
      seed: 7,
      clock: virtualClock(T),
      fetch: accepting(log),
    });
    return log.flatMap((r) => r.events);
  };
  const a = await sent();
  assert.ok(a.length > 500 && a.every((e) => Event.safeParse(e).success));
  assert.deepEqual(await sent(), a);
});

Deno.test("simulate() never has more than maxInFlight requests open and still delivers everything", async () => {
  let open = 0, most = 0;
  const slow = (async (_url: string, init: RequestInit) => {
    open++;
    most = Math.max(most, open);
    await new Promise((r) => setTimeout(r, 1));
    open--;
    return Response.json({ accepted: JSON.parse(String(init.body)).events.length }, { status: 202 });
  }) as typeof fetch;
  const s = await simulate({
    collector: "http://c.test",
    site: "demo",
    eps: 300,
    durationMs: 5_000,
    seed: 1,
    maxInFlight: 3,
    clock: virtualClock(T),
    fetch: slow,
    keepEvents: true,
  });
  assert.equal(most, 3);
  assert.equal(s.accepted, s.sent);
  assert.equal(s.events!.length, s.sent);
  assert.equal(s.queued, 0);
});

Deno.test("simulate() counts rejected batches and stops early when aborted", async () => {
  const controller = new AbortController();
  const clock = virtualClock(T);
  const rejecting = (() => {
    if (clock.now() > T + 2_000) controller.abort();
    return Promise.resolve(
      Response.json({ error: { code: "unknown_site", message: "no" } }, { status: 401 }),
    );
  }) as typeof fetch;
  const s = await simulate({
    collector: "http://c.test",
    site: "nope",
    eps: 100,
    durationMs: 60_000,
    seed: 1,
    clock,
    fetch: rejecting,
    signal: controller.signal,
  });
  assert.equal(s.accepted, 0);
  assert.ok(s.rejected > 0 && s.rejected === s.sent);
  assert.ok(s.elapsedMs < 5_000);
  assert.ok(s.errors.unknown_site > 0);
});
