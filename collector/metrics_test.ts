// /metrics is public: no value a request chooses may become a label, or every new value is a new
// series kept in memory for good and shipped to Prometheus on each scrape.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { batch, event, post, testApp } from "./fixtures.ts";

/** The label sets of one metric in a Prometheus text exposition. */
function series(text: string, metric: string): Record<string, string>[] {
  return text.split("\n").filter((line) => line.startsWith(`${metric}{`)).map((line) =>
    Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
  );
}

Deno.test("request labels come from closed sets whatever the method, path and body", async () => {
  const { app } = testApp();
  for (let i = 0; i < 50; i++) {
    await app.request(`/made-up-${i}?q=${i}`, { method: `VERB${i}` });
    await app.request(`/v1/batch/${i}`, { method: "POST", body: "x" });
  }
  for (const method of ["get", "patch", "PROPFIND", "DELETE", "PUT", "HEAD", "OPTIONS"]) {
    await app.request("/v1/batch", { method });
  }
  await post(app, batch([event(), event("add_to_cart", { price: -1 })]));
  await post(app, "not json");

  const text = await (await app.request("/metrics")).text();
  const requests = series(text, "collector_requests_total");
  const methods = new Set(requests.map((s) => s.method));
  ok([...methods].every((m) => ["GET", "POST", "OPTIONS", "HEAD", "other"].includes(m)), [...methods].join());
  assertEquals(new Set(requests.map((s) => s.route)), new Set(["other", "/v1/batch", "/v1/*"]));
  ok(requests.length <= 12, `${requests.length} series:\n${text}`);
  const reasons = series(text, "collector_events_total").map((s) => `${s.outcome}/${s.reason}`);
  assertEquals(reasons.sort(), ["accepted/", "rejected/invalid_event"]);
});
