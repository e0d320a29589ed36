// QuerySlots with promises the test settles: the running limit, the queue, the refusal past both.
import { deepStrictEqual as assertEquals, rejects, strictEqual } from "node:assert/strict";
import { EngineError } from "./engine.ts";
import { QuerySlots } from "./sql_slots.ts";

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => open = resolve);
  return { open, opened };
}

Deno.test("QuerySlots runs at most `running` at once, queues `queued`, refuses the next with 202", async () => {
  const slots = new QuerySlots({ running: 1, queued: 1 });
  const first = gate();
  const started: string[] = [];
  const running = slots.run(async (slot) => {
    started.push(`first on ${slot}`);
    await first.opened;
    return "first";
  });
  const queued = slots.run((slot) => {
    started.push(`queued on ${slot}`);
    return Promise.resolve("queued");
  });
  const refused = await slots.run(() => Promise.resolve("third")).then(() => undefined, (e) => e);
  strictEqual(refused instanceof EngineError && refused.code, 202);
  assertEquals(started, ["first on 0"]);
  first.open();
  assertEquals(await Promise.all([running, queued]), ["first", "queued"]);
  assertEquals(started, ["first on 0", "queued on 0"]);
});

Deno.test("QuerySlots gives each running query its own slot and frees it when the query fails", async () => {
  const slots = new QuerySlots({ running: 2, queued: 0 });
  const hold = gate();
  const seen: number[] = [];
  const both = [0, 1].map(() =>
    slots.run(async (slot) => {
      seen.push(slot);
      await hold.opened;
    })
  );
  assertEquals(seen.toSorted(), [0, 1]);
  hold.open();
  await Promise.all(both);
  await rejects(slots.run(() => Promise.reject(new Error("boom"))), /boom/);
  assertEquals(
    await Promise.all([slots.run((s) => Promise.resolve(s)), slots.run((s) => Promise.resolve(s))]).then((
      s,
    ) => s.sort()),
    [0, 1],
  );
});
