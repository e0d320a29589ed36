import { deepStrictEqual as assertEquals, notStrictEqual as assertNotEquals } from "node:assert/strict";
import { anonymousId, sessionId } from "./session.ts";
import { FakeBrowser } from "./testing.ts";

const MIN = 60_000;

Deno.test("sessionId() keeps a session while events come within 30 minutes", () => {
  const b = new FakeBrowser();
  const w = b.open().win;
  const t0 = b.clock.now;
  const first = sessionId(w, t0, false);
  assertEquals(sessionId(w, t0 + 29 * MIN, false), first);
  assertEquals(sessionId(w, t0 + 58 * MIN, false), first, "idle time counts from the last event");
});

Deno.test("sessionId() starts a new session after 30 minutes idle", () => {
  const b = new FakeBrowser();
  const w = b.open().win;
  const first = sessionId(w, b.clock.now, false);
  assertNotEquals(sessionId(w, b.clock.now + 30 * MIN + 1, false), first);
});

Deno.test("sessionId() starts a new session after 24 hours however active", () => {
  const b = new FakeBrowser();
  const w = b.open().win;
  const t0 = b.clock.now;
  const first = sessionId(w, t0, false);
  let t = t0;
  while (t < t0 + 24 * 60 * MIN) assertEquals(sessionId(w, t += 20 * MIN, false), first);
  assertNotEquals(sessionId(w, t + 20 * MIN, false), first);
});

Deno.test("sessionId() is shared by the tabs of a browser", () => {
  const b = new FakeBrowser();
  assertEquals(sessionId(b.open().win, b.clock.now, false), sessionId(b.open().win, b.clock.now + 1, false));
});

Deno.test("sessionId() while anonymous lives in this tab's sessionStorage only", () => {
  const b = new FakeBrowser();
  const tab = b.open();
  const id = sessionId(tab.win, b.clock.now, true);
  assertEquals(b.localStorage.map.size, 0);
  assertEquals(JSON.parse(tab.sessionStorage.getItem("st_s")!).id, id);
  assertNotEquals(sessionId(b.open().win, b.clock.now, true), id);
});

Deno.test("sessionId() without storage keeps one session per page", () => {
  const b = new FakeBrowser();
  b.localStorage.broken = true;
  const w = b.open().win;
  assertEquals(sessionId(w, b.clock.now, false), sessionId(w, b.clock.now + MIN, false));
});

Deno.test("anonymousId() is created once and kept in localStorage", () => {
  const b = new FakeBrowser();
  const id = anonymousId(b.open().win);
  assertEquals(anonymousId(b.open().win), id);
  assertEquals(JSON.parse(b.localStorage.getItem("st_a")!), id);
});
