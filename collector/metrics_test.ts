// /metrics is public: no value a request chooses may become a label, or every new value is a new
// series kept in memory for good and shipped to Prometheus on each scrape.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { batch, event, post, testApp } from "./fixtures.ts";
import { Metrics } from "./metrics.ts";

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

Deno.test("Metrics.render() of several workers' snapshots sums their counters, histogram and gauges", () => {
  const [a, b] = [new Metrics(), new Metrics()];
  a.requests.inc({ route: "/v1/batch", method: "POST", status: "202" }, 2);
  b.requests.inc({ route: "/v1/batch", method: "POST", status: "202" }, 3);
  b.requests.inc({ route: "/health", method: "GET", status: "200" });
  a.produceSeconds.observe(0.003);
  b.produceSeconds.observe(0.2);
  a.gauges = () => [{ name: "collector_spool_batches", help: "Batches", value: 4 }];
  b.gauges = () => [{ name: "collector_spool_batches", help: "Batches", value: 1 }];
  const text = Metrics.render([a.snapshot(), b.snapshot()]);
  ok(text.includes('collector_requests_total{route="/v1/batch",method="POST",status="202"} 5\n'), text);
  ok(text.includes('collector_requests_total{route="/health",method="GET",status="200"} 1\n'), text);
  ok(text.includes('collector_kafka_produce_seconds_bucket{le="0.005"} 1\n'), text);
  ok(text.includes("collector_kafka_produce_seconds_count 2\n"), text);
  ok(text.includes("collector_spool_batches 5\n"), text);
  assertEquals(a.render(), Metrics.render([a.snapshot()]));
});
