import assert from "node:assert/strict";
import { handle } from "./standin_collector.ts";
import { createShoppers } from "./shoppers.ts";

Deno.test("the stand-in collector accepts a generated batch and rejects a malformed one", async () => {
  const events = createShoppers({ seed: 5, start: 0, eps: 50, warmupMs: 0 }).until(10_000).map((e) =>
    e.event
  );
  const post = (body: unknown) =>
    handle(new Request("http://x/v1/batch", { method: "POST", body: JSON.stringify(body) }));
  const ok = await post({ site: "demo", sent_at: 10_000, events });
  assert.equal(ok.status, 202);
  assert.deepEqual(await ok.json(), { accepted: events.length });
  assert.equal((await post({ site: "Bad Site", sent_at: 1, events: [] })).status, 400);
});
