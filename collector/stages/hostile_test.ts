// The hostile-input suite: malformed and malicious requests through the real app on a memory
// sink with a fixed clock, from the case tables beside each stage (hostile.ts describes a case).
// Each case states the answer it must get; none may get a 5xx. Cases about one event embed it
// between two valid events, and those two must be published.
import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import { rowsOf } from "../../contract/mod.ts";
import { post, testApp, TOPICS } from "../fixtures.ts";
import { sites } from "./hostile.ts";
import { hostileCases as cases } from "./hostile_cases.ts";

Deno.test(`hostile input: ${cases.length} cases, none answered with a 5xx, each with its own code`, async (t) => {
  ok(cases.length >= 100, `only ${cases.length} cases`);
  assertEquals(new Set(cases.map((c) => c.name)).size, cases.length, "case names are distinct");
  for (const c of cases) {
    await t.step(`${c.category}: ${c.name}`, async () => {
      const { app, sink } = testApp({ sites });
      if (c.secondRequest) {
        await post(app, JSON.stringify(c.body), { headers: c.headers });
      }
      const [method, path] = c.path?.startsWith("GET ")
        ? ["GET", c.path.slice(4)]
        : ["POST", c.path ?? "/v1/batch"];
      const response = method === "GET" ? await app.request(path) : await post(
        app,
        c.body instanceof Uint8Array || typeof c.body === "string" ? c.body : JSON.stringify(c.body),
        {
          path,
          headers: c.headers,
        },
      );
      ok(response.status < 500, `answered ${response.status}`);
      const body = await response.json();
      assertEquals(response.status, c.status, JSON.stringify(body));
      if (c.code) {
        assertEquals(body.error.code, c.code);
        ok(typeof body.error.message === "string" && body.error.message.length > 10);
        if (c.code === "rate_limited") ok(Number(response.headers.get("Retry-After")) >= 1);
      }
      if (c.status === 202) {
        const published = new Set(
          sink.messages.filter((m) => m.topic === TOPICS.events).flatMap((m) => rowsOf(m.value)).map((r) =>
            r.event_id
          ),
        );
        for (const r of body.results) {
          if (r.status === "accepted") {
            ok(published.has(r.event_id), `event ${r.index} accepted but not published`);
          }
        }
        if (c.event) {
          assertEquals(body.results.length, 3);
          assertEquals([body.results[0].status, body.results[2].status], ["accepted", "accepted"]);
          assertEquals(body.results[1].code ?? body.results[1].status, c.event);
          const dlq = sink.messages.filter((m) => m.topic === TOPICS.dlq).map((m) => JSON.parse(m.value));
          assertEquals(dlq.map((d) => d.code), c.event === "accepted" ? [] : [c.event]);
        } else assertEquals(body.rejected, 0, JSON.stringify(body.results));
        const warnings: { index: number; code: string; field: string; message: string }[] = body.warnings ??
          [];
        assertEquals(
          warnings.map((w) => [w.index, w.code, w.field]),
          (c.unknownFields ?? []).map((f) => [1, "unknown_field", f]),
        );
        for (const w of warnings) ok(w.message.includes(`'${w.field}' is not a field of`), w.message);
        // Stored without them: a field that is also a column (a page view's product_id) stays empty.
        const stored = sink.messages.filter((m) => m.topic === TOPICS.events).flatMap((m) => rowsOf(m.value));
        for (const f of c.unknownFields ?? []) ok(stored.every((r) => !(f in r)), `${f} was stored`);
      }
      for (const m of sink.messages) {
        ok(!m.value.includes("polluted"), "nothing from a __proto__ key is published");
      }
    });
  }
  ok(!("polluted" in {}), "Object.prototype untouched");
  ok(!("isAdmin" in {}), "Object.prototype untouched");
});

Deno.test("hostile input: categories", () => {
  const counts = Object.groupBy(cases, (c) => c.category);
  console.log(Object.entries(counts).map(([k, v]) => `${k}: ${v!.length}`).join(", "));
});
