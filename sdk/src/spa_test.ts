import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createTracker } from "./tracker.ts";
import { FakeBrowser } from "./testing.ts";

async function pageviews(run: (tab: ReturnType<FakeBrowser["open"]>) => void, hash?: boolean) {
  const b = new FakeBrowser();
  const tab = b.open("https://shop.example/");
  createTracker(tab.win, { site: "demo", endpoint: "https://c.example", hash }).pageview();
  run(tab);
  await b.clock.tick(2000);
  return b.net.events.filter((e) => e.type == "page_view").map((
    e,
  ) => [new URL(e.url).pathname + new URL(e.url).hash, e.referrer]);
}

Deno.test("pushState to a new URL sends exactly one page_view, referring to the previous URL", async () => {
  assertEquals(await pageviews((tab) => tab.push("/p/1")), [["/", ""], ["/p/1", "https://shop.example/"]]);
});

Deno.test("replaceState to the same URL sends nothing; to a new URL, one", async () => {
  const views = await pageviews((tab) => {
    tab.win.history.replaceState({ scroll: 1 }, "");
    tab.win.history.replaceState({}, "", "/");
    tab.win.history.replaceState({}, "", "/cart");
  });
  assertEquals(views.map((v) => v[0]), ["/", "/cart"]);
});

Deno.test("popstate (back/forward) sends one page_view per URL change", async () => {
  const views = await pageviews((tab) => {
    tab.push("/p/1");
    tab.location = new URL("https://shop.example/");
    tab.dispatch("popstate");
    tab.dispatch("popstate"); // a second popstate for the same URL
  });
  assertEquals(views.map((v) => v[0]), ["/", "/p/1", "/"]);
});

Deno.test("hash changes are not navigations unless hash: true", async () => {
  assertEquals((await pageviews((tab) => tab.push("#reviews"))).length, 1);
  assertEquals((await pageviews((tab) => tab.push("#/cart"), true)).map((v) => v[0]), ["/", "/#/cart"]);
});

Deno.test("a bfcache restore (pageshow persisted) counts as a page view", async () => {
  const views = await pageviews((tab) => {
    tab.dispatch("pageshow", { persisted: false });
    tab.dispatch("pageshow", { persisted: true });
  });
  assertEquals(views.length, 2);
});

Deno.test("pageviews: false sends no automatic page_view", async () => {
  const b = new FakeBrowser();
  const tab = b.open();
  createTracker(tab.win, { site: "demo", endpoint: "https://c.example", pageviews: false });
  tab.push("/x");
  await b.clock.tick(2000);
  assertEquals(b.net.sent.length, 0);
});
