import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { createTracker } from "./tracker.ts";
import { FakeBrowser } from "./testing.ts";

const config = { site: "demo", endpoint: "https://collect.example" };

async function events(b: FakeBrowser, extra = {}) {
  const t = createTracker(b.open().win, { ...config, ...extra });
  t.identify("u1");
  t.pageview();
  await b.clock.tick(2000);
  return b.net.events;
}
const identity = (b: FakeBrowser) => ["st_a", "st_s", "st_u"].filter((k) => b.localStorage.map.has(k));

Deno.test("consent given: anonymous_id and user_id are sent and stored", async () => {
  const b = new FakeBrowser();
  const [e] = await events(b);
  assert(e.anonymous_id && e.user_id == "u1");
  assertEquals(identity(b), ["st_a", "st_s", "st_u"]);
});

for (
  const [name, set] of [["Do Not Track", (b: FakeBrowser) => b.dnt = "1"], [
    "Global Privacy Control",
    (b: FakeBrowser) => b.gpc = true,
  ]] as const
) {
  Deno.test(`${name}: events carry no anonymous_id or user_id and no identity is stored`, async () => {
    const b = new FakeBrowser();
    b.localStorage.setItem("st_a", '"old-id"');
    set(b);
    const [e] = await events(b);
    assertEquals([e.anonymous_id, e.user_id, e.type], [undefined, undefined, "page_view"]);
    assertEquals(identity(b), [], "the old anonymous id is forgotten too");
  });
}

Deno.test("respectSignals: false ignores Do Not Track", async () => {
  const b = new FakeBrowser();
  b.dnt = "1";
  const [e] = await events(b, { respectSignals: false });
  assert(e.anonymous_id);
});

Deno.test("optOut() is persisted across loads and forgets the identity; optIn() restores tracking ids", async () => {
  const b = new FakeBrowser();
  const t = createTracker(b.open().win, config);
  t.pageview();
  t.optOut();
  assertEquals(identity(b), []);
  t.pageview();
  await b.clock.tick(2000);
  assertEquals(b.net.events.map((e) => !!e.anonymous_id), [true, false]);
  const again = createTracker(b.open().win, config);
  again.pageview();
  again.optIn();
  again.pageview();
  await b.clock.tick(2000);
  assertEquals(b.net.events.map((e) => !!e.anonymous_id), [true, false, false, true]);
});

Deno.test("identify() is ignored while consent is withheld", async () => {
  const b = new FakeBrowser();
  b.gpc = true;
  const [e] = await events(b);
  assertEquals(e.user_id, undefined);
  assertEquals(b.localStorage.map.has("st_u"), false);
});
